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
