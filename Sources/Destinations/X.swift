import Foundation
import HTTP
import Posting
import Reviews

/// `x` (docs/SPEC.md §8; docs.x.com: POST /2/tweets, authentication, rate limits, counting
/// characters). X has no idempotency key, so an unanswered post is `unknown`; a 403 about
/// duplicate content means the text may already be there, and is `unknown` too.
public struct XDestination: DestinationKind {
    public static let kindName = "x"
    public static let credentialKeys = ["consumer_key", "consumer_secret", "access_token", "access_token_secret"]
    public static let baseURLRule = BaseURLRule.defaulted("https://api.x.com")
    public static func options(_ table: inout ConfigTable) {}

    public let name: String
    public let deduplicates = false
    private let baseURL: String
    private let signer: OAuth1Signer
    private let template: PostTemplate
    private let http: any HTTPClient
    private let timeout: Double
    private let clock: @Sendable () -> Date

    public init(_ context: DestinationContext, options: Void) {
        name = context.name
        baseURL = context.baseURL ?? ""
        signer = OAuth1Signer(consumerKey: context.secret("consumer_key"), consumerSecret: context.secret("consumer_secret"),
                              token: context.secret("access_token"), tokenSecret: context.secret("access_token_secret"))
        template = context.template(rule: .x)
        http = context.http
        timeout = context.timeout
        clock = context.clock
    }

    public func compose(_ review: Review, site: Site) throws -> ComposedPost {
        let text = try template.compose(review, site: site)
        return ComposedPost(text: text, payload: try JSONCoding.encode(["text": text.text]))
    }

    /// `GET /2/users/me`, signed.
    public func verify() async -> Verification {
        let url = baseURL + "/2/users/me"
        let request = HTTPRequest(method: "GET", url: url, headers: [
            "Authorization": signer.authorization(method: "GET", url: url, timestamp: Int(clock().timeIntervalSince1970)),
        ], timeout: timeout)
        return ResponseClassifier.verification(await http.result(request)) { response in
            let user = ((try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any])?["data"] as? [String: Any]
            return "signed in as @\(user?["username"] as? String ?? "?")"
        }
    }

    public func send(_ delivery: OutgoingDelivery) async -> SendResult {
        let url = baseURL + "/2/tweets"
        var request = HTTPRequest(method: "POST", url: url, body: delivery.payload, timeout: timeout)
        request.headers["Content-Type"] = "application/json"
        request.headers["Authorization"] = signer.authorization(method: "POST", url: url, timestamp: Int(clock().timeIntervalSince1970))
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            return ResponseClassifier.classify(error)
        }
        if response.isSuccess {
            let object = response.bodyComplete ? (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] : nil
            let id = (object?["data"] as? [String: Any])?["id"] as? String
            return .posted(remoteID: id, remoteURL: id.map { "https://x.com/i/web/status/\($0)" }, httpStatus: response.status)
        }
        let message = ResponseClassifier.serverMessage(response)
        if response.status == 403, message.lowercased().contains("duplicate content") {
            return .unknown(message: "HTTP 403: \(message) (the post may already be on the account)", httpStatus: 403)
        }
        return ResponseClassifier.classifyFailure(response, now: clock(), notBefore: HTTPDate.epochSeconds(response.headers["x-rate-limit-reset"]))
    }
}

extension CountingRule {
    /// X: twitter-text v3's weighted length.
    package static let x = CountingRule(unit: "weighted characters", limit: 280) { TwitterText.weightedLength($0) }
}

/// twitter-text v3 (config/v3.json): NFC first; every URL weighs 23; an emoji sequence 2;
/// code points in 0–4351, 8192–8205, 8208–8223 and 8242–8247 weigh 1, all others 2.
package enum TwitterText {
    package static func weightedLength(_ text: String) -> Int {
        let normalized = text.precomposedStringWithCanonicalMapping
        var weight = 0 // in hundredths, as twitter-text's `scale`
        var cursor = normalized.startIndex
        for url in TextScanner.urls(in: normalized) {
            weight += weigh(normalized[cursor..<url.lowerBound]) + 2300
            cursor = url.upperBound
        }
        weight += weigh(normalized[cursor...])
        return weight / 100
    }

    private static func weigh(_ text: Substring) -> Int {
        var weight = 0
        for character in text {
            if isEmoji(character) {
                weight += 200
                continue
            }
            for scalar in character.unicodeScalars {
                let v = scalar.value
                let light = v <= 4351 || (8192...8205).contains(v) || (8208...8223).contains(v) || (8242...8247).contains(v)
                weight += light ? 100 : 200
            }
        }
        return weight
    }

    /// An emoji as twemoji-parser sees one: a presentation emoji, a text-default emoji made
    /// to present as one (U+FE0F), or a keycap.
    static func isEmoji(_ character: Character) -> Bool {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return false }
        if scalars.contains(where: { $0.properties.isEmojiPresentation }) { return true }
        if first.properties.isEmoji && scalars.contains("\u{FE0F}") { return true }
        return scalars.contains("\u{20E3}")
    }
}
