import Cards
import Foundation
import Synchronization
import HTTP
import Posting
import Reviews

/// `bluesky` (docs/SPEC.md §8; atproto.com/specs/xrpc, /tid, /record-key; the lexicons of
/// com.atproto.server.createSession/refreshSession, com.atproto.repo.putRecord/getRecord/
/// uploadBlob, app.bsky.feed.post, app.bsky.richtext.facet, app.bsky.embed.external).
///
/// The record key is a TID fixed when the delivery is created and the record is stored with
/// it, so putting it again is a no-op: resending is always safe. A delivery tried before is
/// first looked up with getRecord.
public struct BlueskyDestination: DestinationKind {
    public static let kindName = "bluesky"
    public static let credentialKeys = ["identifier", "app_password"]
    public static let baseURLRule = BaseURLRule.defaulted("https://bsky.social")
    public static func options(_ table: inout ConfigTable) {}

    public let name: String
    public let deduplicates = true
    private let baseURL: String
    private let identifier: String
    private let password: String
    private let language: String
    private let template: PostTemplate
    private let siteDirectory: URL
    private let site: Site
    /// The session file (the pair rotates on every refresh).
    private let sessions: PrivateFile<Session>
    private let http: any HTTPClient
    private let timeout: Double
    private let clock: @Sendable () -> Date
    /// Told every session's tokens, so that a server quoting one back never gets it logged.
    private let credentials: Credentials

    public init(_ context: DestinationContext, options: Void) {
        name = context.name
        baseURL = context.baseURL ?? ""
        identifier = context.secret("identifier")
        password = context.secret("app_password")
        language = context.site.config.site.language
        template = context.template(rule: .bluesky)
        siteDirectory = context.site.directory
        site = context.site
        sessions = PrivateFile(url: siteDirectory.appendingPathComponent(".syndicate/bluesky-\(context.name).session.json"))
        http = context.http
        timeout = context.timeout
        clock = context.clock
        credentials = context.credentials
    }

    public func newIdempotencyKey(now: Date) -> String { TID.next(now) }

    // MARK: Composing

    public func compose(_ review: Review, site: Site) throws -> ComposedPost {
        let text = try template.compose(review, site: site)
        let permalink = site.permalink(review)
        var record: [String: Any] = [
            "$type": "app.bsky.feed.post",
            "text": text.text,
            "createdAt": Self.timestamp(clock()),
            "langs": [language],
            "embed": [
                "$type": "app.bsky.embed.external",
                "external": [
                    "uri": permalink,
                    "title": review.year.map { "\(review.title) (\($0))" } ?? review.title,
                    "description": review.headline.map { "\($0) — \(review.summary)" } ?? review.summary,
                ] as [String: Any],
            ] as [String: Any],
        ]
        let facets = Self.facets(for: text.text)
        if !facets.isEmpty { record["facets"] = facets }
        var payload: [String: Any] = ["record": record]
        if let image = localImage(review) { payload["image"] = image } else if review.image != nil {
            // Over the thumbnail's limit: the card, re-encoded to fit when it is sent.
            payload["card"] = ReviewImage.cardPath(slug: review.slug, site: site)
        }
        let data = try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys, .withoutEscapingSlashes])
        return ComposedPost(text: text, payload: data)
    }

    /// A facet for every link and hashtag, located by UTF-8 byte offsets (end exclusive).
    static func facets(for text: String) -> [[String: Any]] {
        func bytes(_ range: Range<String.Index>) -> [String: Int] {
            ["byteStart": text.utf8.distance(from: text.startIndex, to: range.lowerBound),
             "byteEnd": text.utf8.distance(from: text.startIndex, to: range.upperBound)]
        }
        var facets: [(Int, [String: Any])] = []
        for range in TextScanner.urls(in: text) {
            facets.append((bytes(range)["byteStart"]!, ["index": bytes(range),
                                                         "features": [["$type": "app.bsky.richtext.facet#link", "uri": String(text[range])]]]))
        }
        for range in TextScanner.hashtags(in: text) {
            let tag = String(text[range].dropFirst())
            facets.append((bytes(range)["byteStart"]!, ["index": bytes(range),
                                                         "features": [["$type": "app.bsky.richtext.facet#tag", "tag": tag]]]))
        }
        return facets.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The most a thumbnail blob may weigh.
    static let thumbLimit = 1_000_000

    /// The review's image as a file on this machine (the site's, or a remote image as `build`
    /// cached it) of at most 1,000,000 bytes, the thumbnail's limit.
    private func localImage(_ review: Review) -> String? {
        guard let path = ReviewImage(site: site).localFile(review.image),
              let size = FileStat(path)?.size, size > 0, size <= Self.thumbLimit else { return nil }
        return path
    }

    /// The thumbnail's bytes: the image as it is, or the card, re-encoded under the limit when
    /// it is over it; nil when neither can be had (the post goes without a thumbnail).
    static func thumbnail(image: String?, card: String?) -> (Data, String)? {
        if let image, case .success(let bytes) = RegularFile.read(image), bytes.count <= thumbLimit, let type = ImageType.of(bytes) {
            return (bytes, type)
        }
        guard let card, case .success(let bytes) = RegularFile.read(card) else { return nil }
        if bytes.count <= thumbLimit, let type = ImageType.of(bytes) { return (bytes, type) }
        return (try? CardRenderer.reencode(card, under: thumbLimit)).map { ($0, "image/jpeg") }
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    // MARK: Sending

    /// A session (the cached one, refreshed if need be, or a new one).
    public func verify() async -> Verification {
        switch await currentSession() {
        case .success(let session): return .ok("session for \(session.handle ?? session.did)")
        case .failure(let failure):
            if case .permanent(let message, _) = failure.result { return .failed(message) }
            if case .retryable(let message, _, _, _) = failure.result { return .failed(message) }
            return .failed("cannot open a session")
        }
    }

    public func send(_ delivery: OutgoingDelivery) async -> SendResult {
        guard var payload = (try? JSONSerialization.jsonObject(with: delivery.payload)) as? [String: Any],
              var record = payload["record"] as? [String: Any] else {
            return .permanent(message: "the stored post is unreadable", httpStatus: nil)
        }
        var session: Session
        switch await currentSession() {
        case .success(let current): session = current
        case .failure(let failure): return failure.result
        }
        var refreshed = false
        while true {
            let outcome = await attempt(delivery, record: &record, image: payload["image"] as? String, card: payload["card"] as? String,
                                        session: session)
            guard case .expired = outcome else {
                if case .done(let result) = outcome { return result }
                return .permanent(message: "unreachable", httpStatus: nil)
            }
            guard !refreshed else { return .permanent(message: "the session keeps expiring", httpStatus: nil) }
            refreshed = true
            switch await renew(session) {
            case .success(let renewed): session = renewed
            case .failure(let failure): return failure.result
            }
            payload["record"] = record
        }
    }

    private enum Outcome { case done(SendResult), expired }

    private func attempt(_ delivery: OutgoingDelivery, record: inout [String: Any], image: String?, card: String?,
                         session: Session) async -> Outcome {
        let rkey = delivery.idempotencyKey
        let postURL = "https://bsky.app/profile/\(session.did)/post/\(rkey)"
        if delivery.attempt > 1 {
            // Tried before: if the record is there, the post exists.
            let lookup = "\(baseURL)/xrpc/com.atproto.repo.getRecord?repo=\(OAuth1Signer.percent(session.did))&collection=app.bsky.feed.post&rkey=\(rkey)"
            if let response = try? await http.send(HTTPRequest(method: "GET", url: lookup, headers: ["Authorization": "Bearer \(session.accessJwt)"], timeout: timeout)) {
                if response.isSuccess { return .done(.posted(remoteID: "at://\(session.did)/app.bsky.feed.post/\(rkey)", remoteURL: postURL, httpStatus: response.status)) }
                if Self.isExpired(response) { return .expired }
            }
        }
        if var embed = record["embed"] as? [String: Any], var external = embed["external"] as? [String: Any], external["thumb"] == nil,
           let (bytes, type) = Self.thumbnail(image: image, card: card) {
            // The same bytes give the same blob: uploading twice is uploading once.
            var upload = HTTPRequest(method: "POST", url: baseURL + "/xrpc/com.atproto.repo.uploadBlob", body: bytes, timeout: timeout,
                                     idempotent: true)
            upload.headers["Content-Type"] = type
            upload.headers["Authorization"] = "Bearer \(session.accessJwt)"
            if let response = try? await http.send(upload) {
                if Self.isExpired(response) { return .expired }
                if response.isSuccess, let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any], let blob = object["blob"] {
                    external["thumb"] = blob
                    embed["external"] = external
                    record["embed"] = embed
                }
            }
            // A thumbnail that cannot be uploaded is left out; the post still goes.
        }
        let body: [String: Any] = ["repo": session.did, "collection": "app.bsky.feed.post", "rkey": rkey, "record": record]
        guard let data = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return .done(.permanent(message: "cannot encode the record", httpStatus: nil))
        }
        // The record key was fixed when the delivery was made: putting the same record twice is a no-op.
        var request = HTTPRequest(method: "POST", url: baseURL + "/xrpc/com.atproto.repo.putRecord", body: data, timeout: timeout,
                                  idempotent: true)
        request.headers["Content-Type"] = "application/json"
        request.headers["Authorization"] = "Bearer \(session.accessJwt)"
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            return .done(ResponseClassifier.classify(error))
        }
        if response.isSuccess {
            let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
            return .done(.posted(remoteID: (object?["uri"] as? String) ?? "at://\(session.did)/app.bsky.feed.post/\(rkey)",
                                 remoteURL: postURL, httpStatus: response.status))
        }
        if Self.isExpired(response) { return .expired }
        return .done(ResponseClassifier.classifyFailure(response, now: clock(), notBefore: HTTPDate.epochSeconds(response.headers["RateLimit-Reset"])))
    }

    /// 400 `ExpiredToken` from a PDS, 401 from the app view (the official client treats both so).
    static func isExpired(_ response: HTTPResponse) -> Bool {
        guard response.status == 400 || response.status == 401 else { return false }
        let error = ((try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any])?["error"] as? String
        return error == "ExpiredToken" || (response.status == 401 && error != "AuthenticationRequired")
    }

    // MARK: Sessions

    struct Session: Codable, Sendable {
        var accessJwt: String
        var refreshJwt: String
        var did: String
        var handle: String?
    }

    /// The cached session, else a new one. createSession is limited to a few dozen calls a
    /// day, so it is called only when no session is cached.
    private func currentSession() async -> Result<Session, SessionFailure> {
        if let cached = sessions.load() { return learned(.success(cached)) }
        return learned(await create())
    }

    /// The session's tokens are secrets from the moment they exist.
    private func learned(_ result: Result<Session, SessionFailure>) -> Result<Session, SessionFailure> {
        if case .success(let session) = result {
            credentials.learn(session.accessJwt)
            credentials.learn(session.refreshJwt)
        }
        return result
    }

    /// refreshSession with the refresh JWT; when that is refused too, a new session.
    private func renew(_ session: Session) async -> Result<Session, SessionFailure> {
        var request = HTTPRequest(method: "POST", url: baseURL + "/xrpc/com.atproto.server.refreshSession", timeout: timeout)
        request.headers["Authorization"] = "Bearer \(session.refreshJwt)"
        if let response = try? await http.send(request), response.isSuccess, var renewed = Self.decodeSession(response.body) {
            renewed.did = renewed.did.isEmpty ? session.did : renewed.did
            sessions.save(renewed) // the pair rotates: the old refresh JWT is spent
            return learned(.success(renewed))
        }
        sessions.clear()
        return learned(await create())
    }

    private func create() async -> Result<Session, SessionFailure> {
        let request: HTTPRequest
        do {
            request = try HTTPRequest.json("POST", baseURL + "/xrpc/com.atproto.server.createSession",
                                           ["identifier": identifier, "password": password], timeout: timeout)
        } catch {
            return .failure(SessionFailure(result: .permanent(message: "cannot encode the login", httpStatus: nil)))
        }
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            // No post was attempted, so even a lost answer is safe to retry.
            return .failure(SessionFailure(result: .retryable(message: "createSession: \(error)", httpStatus: nil, notBefore: nil, errorClass: "not_sent")))
        }
        guard response.isSuccess, let session = Self.decodeSession(response.body) else {
            let failure = ResponseClassifier.classifyFailure(response, now: clock(), notBefore: HTTPDate.epochSeconds(response.headers["RateLimit-Reset"]))
            return .failure(SessionFailure(result: Self.prefixed(failure, "createSession")))
        }
        sessions.save(session)
        return .success(session)
    }

    struct SessionFailure: Error { var result: SendResult }

    static func prefixed(_ result: SendResult, _ prefix: String) -> SendResult {
        switch result {
        case .permanent(let message, let status): return .permanent(message: "\(prefix): \(message)", httpStatus: status)
        case .retryable(let message, let status, let notBefore, let errorClass):
            return .retryable(message: "\(prefix): \(message)", httpStatus: status, notBefore: notBefore, errorClass: errorClass)
        default: return result
        }
    }

    static func decodeSession(_ body: Data) -> Session? {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
              let access = object["accessJwt"] as? String, let refresh = object["refreshJwt"] as? String else { return nil }
        return Session(accessJwt: access, refreshJwt: refresh, did: object["did"] as? String ?? "", handle: object["handle"] as? String)
    }
}

/// Timestamp identifiers (atproto.com/specs/tid): 53 bits of microseconds since the epoch and
/// 10 bits of clock id, as 13 characters of base32-sortable.
public enum TID {
    static let alphabet = Array("234567abcdefghijklmnopqrstuvwxyz")

    /// The TID of a moment and clock id.
    public static func make(_ date: Date, clockID: UInt64) -> String {
        let micros = UInt64(max(0, date.timeIntervalSince1970 * 1_000_000)) & ((1 << 53) - 1)
        return encode((micros << 10) | (clockID & 0x3FF))
    }

    /// A new TID for `date`, never equal to or below one this process made before (the spec
    /// wants generators monotonic; two deliveries created in the same microsecond, or under a
    /// pinned clock, must not share a record key).
    public static func next(_ date: Date) -> String {
        let micros = UInt64(max(0, date.timeIntervalSince1970 * 1_000_000)) & ((1 << 53) - 1)
        let candidate = (micros << 10) | UInt64.random(in: 0..<1024)
        return encode(last.withLock { last in
            last = max(candidate, last + 1)
            return last
        })
    }

    private static let last = Mutex<UInt64>(0)

    static func encode(_ value: UInt64) -> String {
        var value = value
        var characters = [Character](repeating: "2", count: 13)
        for index in stride(from: 12, through: 0, by: -1) {
            characters[index] = alphabet[Int(value & 31)]
            value >>= 5
        }
        return String(characters)
    }

    public static func isValid(_ text: String) -> Bool {
        let characters = Array(text)
        guard characters.count == 13, "234567abcdefghij".contains(characters[0]) else { return false }
        return characters.allSatisfy { alphabet.contains($0) }
    }
}

/// Facets in a form tests can compare (byte range and kind).
public enum BlueskyDestinationTesting {
    public static func facets(_ text: String) -> [(start: Int, end: Int, kind: String)] {
        BlueskyDestination.facets(for: text).compactMap { facet in
            guard let index = facet["index"] as? [String: Int], let feature = (facet["features"] as? [[String: Any]])?.first,
                  let type = feature["$type"] as? String else { return nil }
            return (index["byteStart"]!, index["byteEnd"]!, type.hasSuffix("#link") ? "link" : "tag")
        }
    }
}

extension CountingRule {
    /// Bluesky: at most 300 grapheme clusters and 3000 UTF-8 bytes.
    package static let bluesky = CountingRule(unit: "graphemes", limit: 300, byteLimit: 3000) { $0.count }
}
