import Cards
import Foundation
import Synchronization
import HTTP
import Posting
import Reviews

/// `mastodon` (docs/SPEC.md §8; docs.joinmastodon.org: methods/statuses, methods/instance#v2,
/// api/rate-limits, methods/media). Deduplicates for an hour through `Idempotency-Key`. With
/// `image = true` (the default) the review's image goes with the status: uploaded once per
/// delivery (the media id is the delivery's checkpoint), waited for, then attached.
public struct MastodonDestination: DestinationKind {
    public static let kindName = "mastodon"
    public static let credentialKeys = ["access_token"]
    /// An instance must be named: there is no default one.
    public static let baseURLRule = BaseURLRule.required

    public struct Options: Sendable {
        var visibility: String
        /// The content warning of a review with spoilers.
        var spoilerText: String
        /// Whether the review's image goes with the status.
        var image: Bool
    }

    public static func options(_ table: inout ConfigTable) -> Options {
        Options(visibility: table.choice("visibility", of: ["public", "unlisted", "private", "direct"]) ?? "public",
                spoilerText: table.string("spoiler_text") ?? "Spoilers",
                image: table.bool("image") ?? true)
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
    private let site: Site

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
        site = context.site
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
        /// Stored with the delivery, never sent: the image to attach (a ledger from before
        /// images has none, and posts as it did).
        var media: Media?
        /// Sent, never stored: the uploaded image.
        var media_ids: [String]?
    }

    /// The image of a post, as composed: found and read when the delivery is sent.
    struct Media: Codable {
        /// The review's `image` as written.
        var image: String
        /// Whose card stands in for an image over Mastodon's 8 MB.
        var slug: String
        /// The alt text (`image_alt`).
        var description: String
    }

    public func compose(_ review: Review, site: Site) throws -> ComposedPost {
        let cached = limits.load()
        let spoiler = review.spoilers ? options.spoilerText : ""
        let rule = CountingRule.mastodon(limit: cached?.max_characters ?? 500, charactersPerURL: cached?.characters_reserved_per_url ?? 23,
                                         spoilerText: spoiler)
        // The rule depends on the review (a content warning counts) and on the cached limits.
        let text = try template.compose(review, site: site, rule: rule)
        let media = options.image ? review.image.map { Media(image: $0, slug: review.slug, description: review.imageAlt ?? "") } : nil
        let payload = Payload(status: text.text, visibility: options.visibility, language: language, sensitive: review.spoilers,
                              spoiler_text: spoiler, media: media)
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
        var body = delivery.payload
        if var payload = try? JSONDecoder().decode(Payload.self, from: delivery.payload), let media = payload.media {
            switch await attach(media, delivery) {
            case .attached(let id): payload.media_ids = [id]
            case .without: break
            case .failed(let result): return result
            }
            payload.media = nil
            body = (try? JSONCoding.encode(payload)) ?? body
        }
        // The Idempotency-Key makes a resend within the hour a no-op.
        let request = HTTPRequest(method: "POST", url: baseURL + "/api/v1/statuses",
                                  headers: ["Content-Type": "application/json", "Authorization": "Bearer " + token,
                                            "Idempotency-Key": delivery.idempotencyKey],
                                  body: body, timeout: timeout, idempotent: true)
        // Mastodon's 429 carries no Retry-After: X-RateLimit-Reset says when.
        let exchange = await ResponseClassifier.exchange(http, request, now: clock) { HTTPDate.iso8601($0.headers["X-RateLimit-Reset"]) }
        guard case .answered(let response) = exchange else { return exchange.settled }
        let status = response.bodyComplete ? (try? JSONDecoder().decode(Status.self, from: response.body)) : nil
        return .posted(remoteID: status?.id, remoteURL: status?.url ?? status?.uri, httpStatus: response.status)
    }

    // MARK: The image

    private enum Attachment {
        case attached(String)
        /// No usable image: the status goes without one (docs/SPEC.md §10).
        case without
        /// The upload or the wait failed in a way worth retrying (or not at all).
        case failed(SendResult)
    }

    /// What is kept of a MediaAttachment.
    private struct MediaAttachment: Decodable {
        var id: String
    }

    /// The checkpoint's form: the uploaded media's id.
    private static let checkpointPrefix = "mastodon-media:"

    /// The media id of the delivery's image: the one an earlier attempt uploaded (the
    /// checkpoint), else a new upload, saved as the checkpoint before anything else happens;
    /// then waited for while Mastodon still processes it (206).
    private func attach(_ media: Media, _ delivery: OutgoingDelivery) async -> Attachment {
        if let saved = delivery.checkpoint.value, saved.hasPrefix(Self.checkpointPrefix) {
            let id = String(saved.dropFirst(Self.checkpointPrefix.count))
            switch await waitUntilProcessed(id) {
            case .attached(let id): return .attached(id)
            case .failed(let result): return .failed(result)
            case .without: break // gone (unattached media expire): uploaded again below
            }
        }
        guard let (bytes, type, name) = imageFile(media) else { return .without }
        let boundary = "syndicate-" + IdempotencyKey.random()
        var form = Data()
        func part(_ header: String, _ content: Data) {
            form.append(Data("--\(boundary)\r\n\(header)\r\n\r\n".utf8))
            form.append(content)
            form.append(Data("\r\n".utf8))
        }
        part("Content-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: \(type)", bytes)
        part("Content-Disposition: form-data; name=\"description\"", Data(media.description.utf8))
        form.append(Data("--\(boundary)--\r\n".utf8))
        let request = HTTPRequest(method: "POST", url: baseURL + "/api/v2/media",
                                  headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)", "Authorization": "Bearer " + token],
                                  body: form, timeout: timeout)
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            // No status was sent: an upload whose answer was lost leaves at most an unattached
            // image, which Mastodon removes, so trying again is safe.
            return .failed(.retryable(message: "media upload: \(error)", httpStatus: nil, notBefore: nil, errorClass: "not_sent"))
        }
        if response.status == 413 || response.status == 422 { return .without } // the instance refuses this image
        guard response.isSuccess else { return .failed(mediaFailure(response)) }
        guard let attachment = try? JSONDecoder().decode(MediaAttachment.self, from: response.body) else {
            return .failed(.retryable(message: "media upload: an answer without a media id", httpStatus: response.status, notBefore: nil,
                                      errorClass: "retryable"))
        }
        delivery.checkpoint.save(Self.checkpointPrefix + attachment.id)
        if response.status == 200 { return .attached(attachment.id) }
        switch await waitUntilProcessed(attachment.id) {
        case .without: return .failed(.retryable(message: "media upload: the uploaded image is gone", httpStatus: 404, notBefore: nil, errorClass: "retryable"))
        case let other: return other
        }
    }

    /// The original image when it is readable and at most 8 MB, else the review's card.
    private func imageFile(_ media: Media) -> (Data, String, String)? {
        let candidates = [ReviewImage(site: site).localFile(media.image), ReviewImage.cardPath(slug: media.slug, site: site)]
        for path in candidates.compactMap({ $0 }) {
            guard let size = FileStat(path)?.size, size > 0, size <= Int64(CardRenderer.maximumBytes),
                  case .success(let bytes) = RegularFile.read(path), let type = ImageType.of(bytes) else { continue }
            return (bytes, type, "image." + ImageType.fileExtension(type))
        }
        return nil
    }

    /// Polls `GET /api/v1/media/{id}` while it answers 206, for at most about a minute.
    private func waitUntilProcessed(_ id: String) async -> Attachment {
        let request = HTTPRequest(method: "GET", url: baseURL + "/api/v1/media/" + OAuth1Signer.percent(id),
                                  headers: ["Authorization": "Bearer " + token], timeout: timeout)
        var waited = 0.0
        for pause in [0.2, 0.5, 1, 2, 3, 5, 8, 10, 10, 10, 10] {
            guard let response = try? await http.send(request) else {
                return .failed(.retryable(message: "media: no answer while waiting for the image to be processed", httpStatus: nil,
                                          notBefore: nil, errorClass: "not_sent"))
            }
            switch response.status {
            case 200: return .attached(id)
            case 404: return .without
            case 206:
                try? await Task.sleep(nanoseconds: UInt64(pause * 1_000_000_000))
                waited += pause
            default: return .failed(mediaFailure(response))
            }
        }
        return .failed(.retryable(message: "media: the image was still being processed after \(Int(waited)) s", httpStatus: 206,
                                  notBefore: nil, errorClass: "retryable"))
    }

    private func mediaFailure(_ response: HTTPResponse) -> SendResult {
        BlueskyDestination.prefixed(ResponseClassifier.classifyFailure(response, now: clock(),
                                                                       notBefore: HTTPDate.iso8601(response.headers["X-RateLimit-Reset"])), "media")
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
