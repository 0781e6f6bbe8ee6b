import Foundation
import HTTP
import Posting
import Reviews

/// `webhook`: Discord, Slack or any JSON receiver (docs/SPEC.md §8). The URL is the secret.
public struct WebhookDestination: DestinationKind {
    public static let kindName = "webhook"
    public static let credentialKeys = ["url"]
    public static let urlCredentialKeys = ["url"]
    public static let baseURLRule = BaseURLRule.notTaken(because: "a webhook destination takes its URL from the credential `url`, not base_url")

    public enum Format: String, Sendable, CaseIterable { case discord, slack, json }

    public static func options(_ table: inout ConfigTable) -> Format {
        table.choice("format", of: Format.allCases.map(\.rawValue)).flatMap(Format.init) ?? .json
    }

    public let name: String
    public let format: Format
    public let deduplicates = false
    private let url: String
    private let template: PostTemplate
    private let http: any HTTPClient
    private let timeout: Double
    private let clock: @Sendable () -> Date

    public init(_ context: DestinationContext, options format: Format) {
        name = context.name
        self.format = format
        url = context.secret("url")
        http = context.http
        timeout = context.timeout
        clock = context.clock
        let rule: CountingRule
        switch format {
        case .discord: rule = .utf16(limit: 2000) // Discord's `content` limit
        case .slack: rule = .utf16(limit: 40000) // Slack truncates `text` beyond this
        case .json: rule = .unlimited
        }
        template = context.template(rule: rule)
    }

    public func compose(_ review: Review, site: Site) throws -> ComposedPost {
        let text = try template.compose(review, site: site)
        let body: Data
        switch format {
        case .discord: body = try JSONCoding.encode(["content": text.text])
        case .slack: body = try JSONCoding.encode(["text": text.text])
        case .json: body = try JSONCoding.encode(JSONBody(destination: name, text: text.text, review: .init(review, site: site)))
        }
        return ComposedPost(text: text, payload: body)
    }

    /// Discord answers a GET on a webhook URL with the webhook itself; Slack and plain JSON
    /// receivers have nothing harmless to call.
    public func verify() async -> Verification {
        guard format == .discord else { return .unsupported("a \(format.rawValue) webhook has no harmless call") }
        return ResponseClassifier.verification(await http.result(HTTPRequest(method: "GET", url: url, timeout: timeout))) { response in
            let hook = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
            return "webhook \"\(hook?["name"] as? String ?? "?")\""
        }
    }

    public func send(_ delivery: OutgoingDelivery) async -> SendResult {
        var target = url
        if format == .discord { target += (url.contains("?") ? "&" : "?") + "wait=true" }
        var request = HTTPRequest(method: "POST", url: target, body: delivery.payload, timeout: timeout)
        request.headers["Content-Type"] = "application/json"
        request.headers["Idempotency-Key"] = delivery.idempotencyKey
        let exchange = await ResponseClassifier.exchange(http, request, now: clock) { response in
            // Discord's 429 says in its body how long to wait.
            guard format == .discord, response.status == 429,
                  let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
                  let seconds = (object["retry_after"] as? NSNumber)?.doubleValue else { return nil }
            return clock().addingTimeInterval(seconds)
        }
        guard case .answered(let response) = exchange else { return exchange.settled }
        let object = response.bodyComplete ? (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] : nil
        let id = (object?["id"] as? String) ?? (object?["id"] as? NSNumber)?.stringValue
        let link = (object?["url"] as? String) ?? response.headers["Location"]
        return .posted(remoteID: id, remoteURL: link, httpStatus: response.status)
    }

    /// The `json` format's body.
    struct JSONBody: Encodable {
        var destination: String
        var text: String
        var review: ReviewFacts
    }
}

/// The review as receivers of JSON (webhooks, commands) see it.
public struct ReviewFacts: Encodable, Sendable {
    var slug: String
    var title: String
    var url: String
    var headline: String?
    var year: Int?
    var rating: Double?
    var genres: [String]
    var summary: String
    var image: String?

    public init(_ review: Review, site: Site) {
        slug = review.slug
        title = review.title
        url = site.permalink(review)
        headline = review.headline
        year = review.year
        rating = review.rating
        genres = review.genres
        summary = review.summary
        image = review.image.map { site.absoluteURL($0, relativeTo: review) }
    }
}
