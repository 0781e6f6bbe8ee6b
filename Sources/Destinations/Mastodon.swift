import Foundation
import HTTP
import Posting
import Reviews

/// `mastodon` (SPEC §8; docs.joinmastodon.org: methods/statuses, methods/instance#v2,
/// api/rate-limits). Deduplicates for an hour through `Idempotency-Key`.
public struct MastodonDestination: Destination {
    public let name: String
    public let kind = "mastodon"
    public let deduplicates = true
    private let baseURL: String
    /// `Bearer <token>`, made once rather than for every post.
    private let authorization: String
    private let statusesURL: String
    private let visibility: String
    private let spoilerText: String
    private let language: String
    private let template: PostTemplate
    private let limits: CachedLimits
    private let http: any HTTPClient
    private let timeout: Double
    private let clock: @Sendable () -> Date

    public init(config: DestinationConfig, site: Site, token: String, http: any HTTPClient, timeout: Double,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        name = config.name
        baseURL = config.baseURL ?? ""
        authorization = "Bearer " + token
        statusesURL = baseURL + "/api/v1/statuses"
        visibility = config.options["visibility"]?.string ?? "public"
        spoilerText = config.options["spoiler_text"]?.string ?? "Spoilers"
        language = site.config.site.language
        template = PostTemplate(destinationName: config.name, configured: config.template, fallback: DefaultTemplates.post,
                                rule: .mastodon(limit: 500, charactersPerURL: 23))
        limits = CachedLimits(url: site.directory.appendingPathComponent(".syndicate/cache/mastodon-\(config.name)-limits"))
        self.http = http
        self.timeout = timeout
        self.clock = clock
    }

    /// The instance's limits as last fetched, else Mastodon's defaults (500, 23). Read from
    /// disk once per process: a backlog composes every post under the same limits.
    final class CachedLimits: @unchecked Sendable {
        let url: URL
        struct Values: Equatable {
            var maxCharacters: Int
            var charactersPerURL: Int
            var fetchedAt: Double

            /// The cache file (`CacheFile.record`), in the instance's own names for the limits.
            var text: String {
                CacheFile.record(header: Self.header, ["max_characters": String(maxCharacters),
                                                       "characters_reserved_per_url": String(charactersPerURL),
                                                       "fetched_at": "\(fetchedAt)"])
            }

            private static let header = "syndicate mastodon-limits 1"
            private static let keys = ["max_characters", "characters_reserved_per_url", "fetched_at"]

            init(maxCharacters: Int, charactersPerURL: Int, fetchedAt: Double) {
                self.maxCharacters = maxCharacters
                self.charactersPerURL = charactersPerURL
                self.fetchedAt = fetchedAt
            }

            /// Nil for anything but what `text` writes: the limits are then fetched again.
            init?(at url: URL) {
                guard let values = CacheFile.values(at: url, header: Self.header, keys: Self.keys),
                      let max = Int(values[0]), max > 0, let perURL = Int(values[1]), perURL >= 0,
                      let fetched = Double(values[2]) else { return nil }
                self.init(maxCharacters: max, charactersPerURL: perURL, fetchedAt: fetched)
            }
        }
        private let lock = NSLock()
        private var memo: Values??

        init(url: URL) { self.url = url }

        func load() -> Values? {
            lock.lock()
            defer { lock.unlock() }
            if let memo { return memo }
            let values = Values(at: url)
            memo = .some(values)
            return values
        }

        func save(_ values: Values) {
            CacheFile.write(values.text, to: url)
            lock.lock()
            memo = .some(values)
            lock.unlock()
        }
    }

    /// `GET /api/v2/instance`, at most once a day, and only when a post is about to go out.
    public func prepare() async {
        if let cached = limits.load(), clock().timeIntervalSince1970 - cached.fetchedAt < 86400 { return }
        guard let response = try? await http.send(HTTPRequest(method: "GET", url: baseURL + "/api/v2/instance", timeout: timeout)),
              response.isSuccess,
              let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let statuses = (object["configuration"] as? [String: Any])?["statuses"] as? [String: Any] else { return }
        let max = (statuses["max_characters"] as? NSNumber)?.intValue ?? 500
        let perURL = (statuses["characters_reserved_per_url"] as? NSNumber)?.intValue ?? 23
        limits.save(.init(maxCharacters: max, charactersPerURL: perURL, fetchedAt: clock().timeIntervalSince1970))
    }

    struct Payload: Codable {
        var status: String
        var visibility: String
        var language: String
        var sensitive: Bool
        var spoiler_text: String
    }

    public func compose(_ review: Review, site: Site) throws -> ComposedPost {
        let cached = limits.load()
        let spoiler = review.spoilers ? spoilerText : ""
        let rule = CountingRule.mastodon(limit: cached?.maxCharacters ?? 500, charactersPerURL: cached?.charactersPerURL ?? 23,
                                         spoilerText: spoiler)
        // The rule depends on the review (a content warning counts) and on the cached limits.
        let text = try template.compose(review, site: site, rule: rule)
        let payload = Payload(status: text.text, visibility: visibility, language: language, sensitive: review.spoilers, spoiler_text: spoiler)
        return ComposedPost(text: text, payload: try JSONCoding.encode(payload))
    }

    public func resendIsSafe(createdAt: Date, now: Date) -> Bool {
        // Mastodon keeps idempotency keys for one hour; keep a margin.
        now.timeIntervalSince(createdAt) < 50 * 60
    }

    /// `GET /api/v1/accounts/verify_credentials`.
    public func verify() async -> Verification {
        let request = HTTPRequest(method: "GET", url: baseURL + "/api/v1/accounts/verify_credentials",
                                  headers: ["Authorization": authorization], timeout: timeout)
        return ResponseClassifier.verification(await http.result(request)) { response in
            let account = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
            return "signed in as @\(account?["acct"] as? String ?? "?")"
        }
    }

    /// What is kept of the Status a post answers with.
    private static let statusFields = TopLevelJSONStrings.Keys(["id", "url", "uri"])

    public func send(_ delivery: OutgoingDelivery) async -> SendResult {
        // The Idempotency-Key makes a resend within the hour a no-op.
        let request = HTTPRequest(method: "POST", url: statusesURL,
                                  headers: ["Content-Type": "application/json", "Authorization": authorization,
                                            "Idempotency-Key": delivery.idempotencyKey],
                                  body: delivery.payload, timeout: timeout, idempotent: true)
        // Mastodon's 429 carries no Retry-After: X-RateLimit-Reset says when.
        let exchange = await ResponseClassifier.exchange(http, request, now: clock) { HTTPDate.iso8601($0.headers["X-RateLimit-Reset"]) }
        guard case .answered(let response) = exchange else { return exchange.settled }
        // The Status entity: its id, and its URL (null for some statuses, then its URI).
        let status = response.bodyComplete ? TopLevelJSONStrings.read(response.body, keys: Self.statusFields) : nil
        return .posted(remoteID: status?["id"], remoteURL: status?["url"] ?? status?["uri"], httpStatus: response.status)
    }
}
