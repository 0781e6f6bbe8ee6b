import Foundation
import Synchronization
import HTTP
import Posting
import Reviews

/// `mastodon` (docs/SPEC.md §8; docs.joinmastodon.org: methods/statuses, methods/instance#v2,
/// api/rate-limits). Deduplicates for an hour through `Idempotency-Key`.
public struct MastodonDestination: DestinationKind {
    public static let kindName = "mastodon"
    public static let credentialKeys = ["access_token"]
    /// An instance must be named: there is no default one.
    public static let baseURLRule = BaseURLRule.required

    public struct Options: Sendable {
        var visibility: String
        /// The content warning of a review with spoilers.
        var spoilerText: String
    }

    public static func options(_ table: inout ConfigTable) -> Options {
        Options(visibility: table.choice("visibility", of: ["public", "unlisted", "private", "direct"]) ?? "public",
                spoilerText: table.string("spoiler_text") ?? "Spoilers")
    }

    public let name: String
    public let deduplicates = true
    private let baseURL: String
    private let token: String
    private let options: Options
    private let language: String
    private let template: PostTemplate
    private let limits: CachedLimits
    private let http: any HTTPClient
    private let timeout: Double
    private let clock: @Sendable () -> Date

    public init(_ context: DestinationContext, options: Options) {
        name = context.name
        baseURL = context.baseURL ?? ""
        token = context.secret("access_token")
        self.options = options
        language = context.site.config.site.language
        template = context.template(rule: .mastodon(limit: 500, charactersPerURL: 23))
        limits = CachedLimits(url: context.site.directory.appendingPathComponent(".syndicate/cache/mastodon-\(context.name)-limits"))
        http = context.http
        timeout = context.timeout
        clock = context.clock
    }

    /// The instance's limits as last fetched (Mastodon's defaults, 500 and 23, until then),
    /// in the instance's own names.
    struct Limits: Codable, Equatable {
        var max_characters: Int
        var characters_reserved_per_url: Int
        /// When they were fetched, in seconds since 1970.
        var fetched_at: Double

        /// Whether an instance could mean them (README, "The ledger and its states"): anything else (2^63-1
        /// overflows the counting, a negative limit refuses every post) is not used.
        var sane: Bool {
            (1...1_000_000).contains(max_characters) && (0...10_000).contains(characters_reserved_per_url)
        }
    }

    /// The limits' cache file (`CacheFile`), read from disk once per process: a backlog
    /// composes every post under the same limits.
    final class CachedLimits: Sendable {
        let url: URL
        /// nil until read; then the file's limits, or nil when it had none worth using.
        private let memo = Mutex<Limits??>(nil)

        init(url: URL) { self.url = url }

        func load() -> Limits? {
            memo.withLock { memo in
                if let memo { return memo }
                // Anything else than sensible limits (a torn file, an older format) is fetched again.
                let limits = CacheFile.load(Limits.self, from: url).flatMap { $0.sane ? $0 : nil }
                memo = .some(limits)
                return limits
            }
        }

        func save(_ limits: Limits) {
            CacheFile.store(limits, at: url)
            memo.withLock { $0 = .some(limits) }
        }
    }

    /// What is kept of `GET /api/v2/instance`.
    private struct Instance: Decodable {
        struct Configuration: Decodable {
            struct Statuses: Decodable {
                var max_characters: Int?
                var characters_reserved_per_url: Int?
            }
            var statuses: Statuses
        }
        var configuration: Configuration
    }

    /// `GET /api/v2/instance`, at most once a day, and only when a post is about to go out.
    public func prepare() async {
        if let cached = limits.load(), clock().timeIntervalSince1970 - cached.fetched_at < 86400 { return }
        guard let response = try? await http.send(HTTPRequest(method: "GET", url: baseURL + "/api/v2/instance", timeout: timeout)),
              response.isSuccess,
              let statuses = (try? JSONDecoder().decode(Instance.self, from: response.body))?.configuration.statuses else { return }
        let fetched = Limits(max_characters: statuses.max_characters ?? 500,
                             characters_reserved_per_url: statuses.characters_reserved_per_url ?? 23,
                             fetched_at: clock().timeIntervalSince1970)
        // Out of range: the defaults stay, and the answer is not cached for a day.
        guard fetched.sane else { return }
        limits.save(fetched)
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
        let spoiler = review.spoilers ? options.spoilerText : ""
        let rule = CountingRule.mastodon(limit: cached?.max_characters ?? 500, charactersPerURL: cached?.characters_reserved_per_url ?? 23,
                                         spoilerText: spoiler)
        // The rule depends on the review (a content warning counts) and on the cached limits.
        let text = try template.compose(review, site: site, rule: rule)
        let payload = Payload(status: text.text, visibility: options.visibility, language: language, sensitive: review.spoilers, spoiler_text: spoiler)
        return ComposedPost(text: text, payload: try JSONCoding.encode(payload), contentWarning: spoiler.isEmpty ? nil : spoiler)
    }

    public func resendIsSafe(createdAt: Date, now: Date) -> Bool {
        // Mastodon keeps idempotency keys for one hour; keep a margin.
        now.timeIntervalSince(createdAt) < 50 * 60
    }

    /// `GET /api/v1/accounts/verify_credentials`.
    public func verify() async -> Verification {
        let request = HTTPRequest(method: "GET", url: baseURL + "/api/v1/accounts/verify_credentials",
                                  headers: ["Authorization": "Bearer " + token], timeout: timeout)
        return ResponseClassifier.verification(await http.result(request)) { response in
            let account = try? JSONDecoder().decode(Account.self, from: response.body)
            return "signed in as @\(account?.acct ?? "?")"
        }
    }

    /// What is kept of the Account `verify_credentials` answers with.
    private struct Account: Decodable {
        var acct: String
    }

    /// What is kept of the Status a post answers with: its id, and its URL (null for some
    /// statuses, then its URI).
    private struct Status: Decodable {
        var id: String?
        var url: String?
        var uri: String?
    }

    public func send(_ delivery: OutgoingDelivery) async -> SendResult {
        // The Idempotency-Key makes a resend within the hour a no-op.
        let request = HTTPRequest(method: "POST", url: baseURL + "/api/v1/statuses",
                                  headers: ["Content-Type": "application/json", "Authorization": "Bearer " + token,
                                            "Idempotency-Key": delivery.idempotencyKey],
                                  body: delivery.payload, timeout: timeout, idempotent: true)
        // Mastodon's 429 carries no Retry-After: X-RateLimit-Reset says when.
        let exchange = await ResponseClassifier.exchange(http, request, now: clock) { HTTPDate.iso8601($0.headers["X-RateLimit-Reset"]) }
        guard case .answered(let response) = exchange else { return exchange.settled }
        let status = response.bodyComplete ? (try? JSONDecoder().decode(Status.self, from: response.body)) : nil
        return .posted(remoteID: status?.id, remoteURL: status?.url ?? status?.uri, httpStatus: response.status)
    }
}

extension CountingRule {
    /// Mastodon: grapheme clusters of the content warning and the text, every URL counted as
    /// the instance's `characters_reserved_per_url`.
    package static func mastodon(limit: Int, charactersPerURL: Int, spoilerText: String = "") -> CountingRule {
        CountingRule(unit: "characters", limit: limit) { text in
            var length = spoilerText.count
            var cursor = text.startIndex
            for url in TextScanner.urls(in: text) {
                length += text[cursor..<url.lowerBound].count + charactersPerURL
                cursor = url.upperBound
            }
            return length + text[cursor...].count
        }
    }
}
