import Cards
import Foundation
import Synchronization
import HTTP
import Posting
import Reviews

/// What Instagram's and Threads' Graph APIs share (docs/SPEC.md §8 instagram, threads;
/// developers.facebook.com: instagram-platform/content-publishing, threads/posts,
/// threads/troubleshooting, graph-api/overview/rate-limiting): the two-step container flow,
/// the publishing quota, the long-lived token and its refresh, and the error codes. Each
/// adapter says only where its edges and fields differ (`MetaPlatform`) and what it posts.
struct MetaPlatform: Sendable {
    /// The destination kind, which also names the checkpoint and the token cache.
    var kind: String
    /// `POST /{user_id}/EDGE` makes a container; `GET` of the same edge lists the account's
    /// posts, newest first (`/media`, `/threads`).
    var containerEdge: String
    /// The field of the post's text: what the container was made with and what the list of
    /// posts answers (`caption`, `text`).
    var textField: String
    /// `POST /{user_id}/EDGE` publishes one.
    var publishEdge: String
    /// The container field that holds `IN_PROGRESS`, `FINISHED`, `PUBLISHED`, ….
    var statusField: String
    /// The fields asked for with it (the status and the reason of an `ERROR`).
    var statusFields: String
    /// `GET /{user_id}/EDGE?fields=quota_usage,config`.
    var quotaEdge: String
    /// `grant_type` of `GET /refresh_access_token`.
    var refreshGrant: String
}

/// The long-lived token in use, cached 0600 in `.syndicate/` once it is known: the one of the
/// credentials until it is refreshed, then the newest.
struct MetaToken: Codable, Equatable {
    var access_token: String
    /// The credentials' token this one descends from: a token renewed by hand in the
    /// credentials starts the cache again.
    var configured: String
    /// When it was issued (for the credentials' own token: when this cache first saw it).
    var issued_at: Double
    /// When it expires, once a refresh has said so.
    var expires_at: Double?

    /// Refreshed once older than 24 hours and within 10 days of its expiry (an expiry not yet
    /// known counts as near: the first refresh learns it).
    func refreshDue(now: Date) -> Bool {
        let now = now.timeIntervalSince1970
        return now - issued_at > 86_400 && (expires_at.map { $0 - now < 10 * 86_400 } ?? true)
    }
}

/// One destination's client of a Meta Graph API. Shared by the attempts of a run: it keeps
/// the token in use and the publishing quota read before the first publish.
final class MetaGraph: Sendable {
    let platform: MetaPlatform
    private let baseURL: String
    private let userID: String
    private let configuredToken: String
    private let tokens: PrivateFile<MetaToken>
    private let http: any HTTPClient
    private let timeout: Double
    private let clock: @Sendable () -> Date
    /// Told every refreshed token, so that a server quoting one back never gets it logged.
    private let credentials: Credentials
    private let state = Mutex(State())

    private struct State {
        var token: String?
        /// Posts published in the quota's window and the most allowed, once read.
        var quota: (used: Int, total: Int)?
    }

    init(_ platform: MetaPlatform, context: DestinationContext) {
        self.platform = platform
        baseURL = context.baseURL ?? ""
        userID = context.secret("user_id")
        configuredToken = context.secret("access_token")
        tokens = PrivateFile(url: context.site.directory.appendingPathComponent(".syndicate/\(platform.kind)-\(context.name).token.json"))
        http = context.http
        timeout = context.timeout
        clock = context.clock
        credentials = context.credentials
    }

    // MARK: The token

    /// The token to send: the cached one when it descends from the credentials' token.
    private var token: String {
        if let token = state.withLock({ $0.token }) { return token }
        let cached = tokens.load().flatMap { $0.configured == configuredToken ? $0 : nil }
        if let cached { credentials.learn(cached.access_token) }
        let token = cached?.access_token ?? configuredToken
        state.withLock { $0.token = token }
        return token
    }

    /// `GET /refresh_access_token` when the token is due (best effort: the current token
    /// stays in use when the refresh fails). The first run only records when it saw the token.
    private func refreshTokenIfDue() async {
        let now = clock()
        guard let current = tokens.load().flatMap({ $0.configured == configuredToken ? $0 : nil }) else {
            tokens.save(MetaToken(access_token: configuredToken, configured: configuredToken, issued_at: now.timeIntervalSince1970, expires_at: nil))
            return
        }
        guard current.refreshDue(now: now) else { return }
        // Meta takes the token as a query parameter here; the URL is never shown.
        let url = baseURL + "/refresh_access_token?grant_type=\(platform.refreshGrant)&access_token=" + FormEncoding.escape(current.access_token)
        guard let response = try? await http.send(HTTPRequest(method: "GET", url: url, timeout: timeout)), response.isSuccess,
              let refreshed = try? JSONDecoder().decode(Refreshed.self, from: response.body), !refreshed.access_token.isEmpty else { return }
        credentials.learn(refreshed.access_token)
        tokens.save(MetaToken(access_token: refreshed.access_token, configured: configuredToken, issued_at: now.timeIntervalSince1970,
                              expires_at: refreshed.expires_in.map { now.timeIntervalSince1970 + $0 }))
        state.withLock { $0.token = refreshed.access_token }
    }

    private struct Refreshed: Decodable {
        var access_token: String
        var expires_in: Double?
    }

    // MARK: Before the first publish

    /// The token refreshed when due, then the publishing quota read (docs/SPEC.md §8).
    func prepare() async {
        await refreshTokenIfDue()
        let url = "\(baseURL)/\(userID)/\(platform.quotaEdge)?fields=quota_usage,config"
        guard let response = try? await http.send(request("GET", url)), response.isSuccess,
              let quota = try? JSONDecoder().decode(QuotaAnswer.self, from: response.body).data.first,
              let total = quota.config?.quota_total else { return }
        state.withLock { $0.quota = (quota.quota_usage ?? 0, total) }
    }

    private struct QuotaAnswer: Decodable {
        struct Entry: Decodable {
            struct Config: Decodable { var quota_total: Int? }
            var quota_usage: Int?
            var config: Config?
        }
        var data: [Entry]
    }

    /// `GET /me?fields=id,username`.
    func verify() async -> Verification {
        ResponseClassifier.verification(await http.result(request("GET", baseURL + "/me?fields=id,username"))) { response in
            let me = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
            return "signed in as @\(me?["username"] as? String ?? "?")"
        }
    }

    private func request(_ method: String, _ url: String, form: [(String, String)]? = nil) -> HTTPRequest {
        var request = form.map { HTTPRequest.form(method, url, $0, timeout: timeout) } ?? HTTPRequest(method: method, url: url, timeout: timeout)
        // The bearer header keeps the token out of URLs and bodies.
        request.headers["Authorization"] = "Bearer " + token
        return request
    }

    // MARK: Delivering

    /// What the checkpoint of a delivery holds: its container's id, then `@` and when it was
    /// made (Unix seconds; checkpoints written before that was kept have the id alone).
    private var checkpointPrefix: String { platform.kind + "-container:" }

    /// How much earlier than the container a post found for it may be stamped: Meta's clock
    /// and this machine's may disagree by a few minutes.
    static let clockSkew: TimeInterval = 5 * 60

    /// One attempt: the container of an earlier attempt read first (`PUBLISHED` → posted,
    /// never published again, its post looked up in the account's recent posts;
    /// `FINISHED` → published; `IN_PROGRESS` → waited for; `ERROR`/`EXPIRED` → a new one),
    /// else a new container, committed with when it was made as the delivery's checkpoint
    /// before it is published.
    func deliver(_ delivery: OutgoingDelivery, form: [String: String]) async -> SendResult {
        var container: String?
        if let saved = delivery.checkpoint.value, saved.hasPrefix(checkpointPrefix) {
            var id = String(saved.dropFirst(checkpointPrefix.count))
            var made = delivery.createdAt
            if let at = id.lastIndex(of: "@"), let seconds = Int(id[id.index(after: at)...]) {
                made = Date(timeIntervalSince1970: Double(seconds))
                id = String(id[..<at])
            }
            switch await waitForContainer(id) {
            case .published: return await publishedPost(text: form[platform.textField], madeAt: made)
            case .finished: container = id
            case .failed: container = nil
            case .settled(let result): return result
            }
        }
        if let quota = state.withLock({ $0.quota }), quota.used >= quota.total {
            // A rolling 24-hour window: an hour later some of it has passed. Checked after an
            // earlier container's status, which may say the post is already there.
            return .retryable(message: "at the publishing quota (\(quota.used) of \(quota.total) posts in 24 hours)", httpStatus: nil,
                              notBefore: clock().addingTimeInterval(3600), errorClass: "rate_limited")
        }
        if container == nil {
            let created: String
            let made = clock()
            switch await createContainer(form) {
            case .success(let id): created = id
            case .failure(let failure): return failure.result
            }
            guard delivery.checkpoint.save(checkpointPrefix + created + "@" + String(Int(made.timeIntervalSince1970.rounded(.down)))) else {
                // Without the id kept, a publish whose answer is lost could not be checked.
                return .retryable(message: "cannot keep the container id in the ledger", httpStatus: nil, notBefore: nil, errorClass: "not_sent")
            }
            switch await waitForContainer(created) {
            case .finished: container = created
            case .published: return await publishedPost(text: form[platform.textField], madeAt: made)
            case .failed(let reason):
                return .retryable(message: "\(platform.containerEdge) container \(reason): a new one next attempt", httpStatus: nil,
                                  notBefore: nil, errorClass: "retryable")
            case .settled(let result): return result
            }
        }
        guard let container else { return .permanent(message: "no container", httpStatus: nil) }
        return await publish(container)
    }

    private struct Failure: Error { var result: SendResult }

    /// `POST /{user_id}/{containerEdge}`. A container whose answer was lost is harmless (it is
    /// never published, and expires), so a lost answer is retried with a new one; Meta's
    /// errors are classified like any other.
    private func createContainer(_ form: [String: String]) async -> Result<String, Failure> {
        let fields = form.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let response: HTTPResponse
        do {
            response = try await http.send(request("POST", "\(baseURL)/\(userID)/\(platform.containerEdge)", form: fields))
        } catch {
            return .failure(Failure(result: .retryable(message: "container: \(error)", httpStatus: nil, notBefore: nil, errorClass: "not_sent")))
        }
        guard response.isSuccess else { return .failure(Failure(result: classify(response, step: "container"))) }
        guard let id = (try? JSONDecoder().decode(Created.self, from: response.body))?.id, !id.isEmpty else {
            return .failure(Failure(result: .retryable(message: "container: an answer without an id", httpStatus: response.status, notBefore: nil,
                                                       errorClass: "retryable")))
        }
        return .success(id)
    }

    private struct Created: Decodable { var id: String }

    private enum ContainerState {
        case published, finished
        /// `ERROR` or `EXPIRED`, with Meta's reason.
        case failed(String)
        /// The status could not be read, or stayed `IN_PROGRESS`: nothing is published.
        case settled(SendResult)
    }

    /// Reads the container's status, polling while it is `IN_PROGRESS` for about a minute.
    private func waitForContainer(_ id: String) async -> ContainerState {
        let url = "\(baseURL)/\(OAuth1Signer.percent(id))?fields=\(platform.statusFields)"
        for pause in [0.2, 0.5, 1, 2, 3, 5, 8, 10, 10, 10, 10, 0] {
            let response: HTTPResponse
            do {
                response = try await http.send(request("GET", url))
            } catch {
                return .settled(.retryable(message: "container status: \(error)", httpStatus: nil, notBefore: nil, errorClass: "not_sent"))
            }
            guard response.isSuccess else { return .settled(classify(response, step: "container status", readOnly: true)) }
            let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
            let status = object?[platform.statusField] as? String ?? ""
            switch status {
            case "PUBLISHED": return .published
            case "FINISHED": return .finished
            case "ERROR", "EXPIRED":
                let reason = [object?["error_message"] as? String, object?["status"] as? String].compactMap { $0 }.first { $0 != status }
                return .failed(status + (reason.map { " (\($0))" } ?? ""))
            case "IN_PROGRESS":
                try? await Task.sleep(nanoseconds: UInt64(pause * 1_000_000_000))
            default:
                return .settled(.retryable(message: "container status: unreadable answer", httpStatus: response.status, notBefore: nil,
                                           errorClass: "retryable"))
            }
        }
        return .settled(.retryable(message: "container still IN_PROGRESS after about a minute", httpStatus: nil, notBefore: nil,
                                   errorClass: "retryable"))
    }

    /// `POST /{user_id}/{publishEdge}`, then the post's permalink. Any answer but a success
    /// leaves the container in the checkpoint, so the next attempt reads its status first.
    private func publish(_ container: String) async -> SendResult {
        let response: HTTPResponse
        do {
            response = try await http.send(request("POST", "\(baseURL)/\(userID)/\(platform.publishEdge)", form: [("creation_id", container)]))
        } catch {
            if case .notSent = error { return ResponseClassifier.classify(error) }
            return .unknown(message: "publish: \(error) (the container's status is read before anything is sent again)", httpStatus: nil)
        }
        guard response.isSuccess else { return classify(response, step: "publish") }
        state.withLock { state in state.quota = state.quota.map { ($0.used + 1, $0.total) } }
        guard let media = (try? JSONDecoder().decode(Created.self, from: response.body))?.id else {
            return .posted(remoteID: nil, remoteURL: nil, httpStatus: response.status)
        }
        let permalink = try? await http.send(request("GET", "\(baseURL)/\(OAuth1Signer.percent(media))?fields=permalink"))
        let link = permalink.flatMap { $0.isSuccess ? (try? JSONSerialization.jsonObject(with: $0.body)) as? [String: Any] : nil }?["permalink"] as? String
        return .posted(remoteID: media, remoteURL: link, httpStatus: response.status)
    }

    /// A container found `PUBLISHED` does not name its post: the post is looked up, once, in
    /// the account's recent posts (`GET /{user_id}/{containerEdge}?fields=id,TEXT,permalink,
    /// timestamp&limit=25`, answered `{"data": [...], "paging": ...}`). It is the newest whose
    /// text is exactly the one sent and whose `timestamp` is not before the container was made
    /// (less `clockSkew`). Posted either way: found, with its id and permalink; not found, or
    /// the lookup failed in any way, with both unknown. Never published, failed or retried.
    private func publishedPost(text: String?, madeAt made: Date) async -> SendResult {
        let unknown = SendResult.posted(remoteID: nil, remoteURL: nil, httpStatus: 200)
        guard let text else { return unknown }
        let url = "\(baseURL)/\(userID)/\(platform.containerEdge)?fields=id,\(platform.textField),permalink,timestamp&limit=25"
        guard let response = try? await http.send(request("GET", url)), response.isSuccess,
              let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any],
              let posts = object["data"] as? [[String: Any]] else { return unknown }
        let earliest = made.addingTimeInterval(-Self.clockSkew)
        var found: (id: String, permalink: String?, at: Date)?
        for post in posts {
            guard let id = post["id"] as? String, !id.isEmpty, post[platform.textField] as? String == text,
                  let stamp = post["timestamp"] as? String, let at = SiteDate.parse(stamp, timeZone: .gmt), at >= earliest,
                  found.map({ at > $0.at }) ?? true else { continue }
            found = (id, (post["permalink"] as? String).flatMap { $0.isEmpty ? nil : $0 }, at)
        }
        guard let found else { return unknown }
        return .posted(remoteID: found.id, remoteURL: found.permalink, httpStatus: 200)
    }

    // MARK: Errors

    private struct ErrorAnswer: Decodable {
        struct Body: Decodable {
            var message: String?
            var code: Int?
            var error_subcode: Int?
            var is_transient: Bool?
        }
        var error: Body
    }

    /// Meta's error codes (docs/SPEC.md §8): 4, 17, 32, 613 and subcode 2207042 are rate
    /// limits, retried once `X-Business-Use-Case-Usage` says access is back; 190 is a token
    /// that no longer works; a transient error or a 5xx is retried; anything else is final.
    /// A status read (`readOnly`) that fails otherwise is retried: it changes nothing.
    func classify(_ response: HTTPResponse, step: String, readOnly: Bool = false) -> SendResult {
        let now = clock()
        guard let error = (try? JSONDecoder().decode(ErrorAnswer.self, from: response.body))?.error else {
            return BlueskyDestination.prefixed(ResponseClassifier.classifyFailure(response, now: now), step)
        }
        let codes = [error.code.map { "code \($0)" }, error.error_subcode.map { "subcode \($0)" }].compactMap { $0 }.joined(separator: ", ")
        let message = "\(step): \(error.message ?? "no message")" + (codes.isEmpty ? "" : " (\(codes))")
        if [4, 17, 32, 613].contains(error.code ?? 0) || error.error_subcode == 2_207_042 {
            return .retryable(message: message, httpStatus: response.status, notBefore: Self.regainAccess(response.headers, now: now),
                              errorClass: "rate_limited")
        }
        if error.code == 190 {
            return .permanent(message: "\(message): renew the access token (README, \"Instagram and Threads\")", httpStatus: response.status)
        }
        if error.is_transient == true || response.status >= 500 || readOnly {
            return .retryable(message: message, httpStatus: response.status, notBefore: nil, errorClass: "retryable")
        }
        return .permanent(message: message, httpStatus: response.status)
    }

    /// The latest `estimated_time_to_regain_access` (minutes) of `X-Business-Use-Case-Usage`,
    /// a JSON object of arrays of usage entries.
    static func regainAccess(_ headers: HTTPHeaders, now: Date) -> Date? {
        guard let header = headers["X-Business-Use-Case-Usage"],
              let object = (try? JSONSerialization.jsonObject(with: Data(header.utf8))) as? [String: Any] else { return nil }
        let minutes = object.values.compactMap { $0 as? [[String: Any]] }.joined().compactMap { ($0["estimated_time_to_regain_access"] as? NSNumber)?.doubleValue }
        guard let longest = minutes.max(), longest > 0 else { return nil }
        return now.addingTimeInterval(min(longest, 24 * 60) * 60)
    }
}

/// What an Instagram or Threads delivery stores in the ledger: the container's form fields
/// (never the token, which goes in a header).
struct MetaPost: Codable {
    var form: [String: String]

    func encoded() throws -> Data { try JSONCoding.encode(self) }

    static func decode(_ payload: Data) -> MetaPost? { try? JSONDecoder().decode(MetaPost.self, from: payload) }
}

/// Why a review cannot be posted to a Meta destination, as `status` and `preview` show it.
struct MetaCompositionError: Error, CustomStringConvertible {
    var description: String
}

enum MetaCard {
    /// The public URL of the review's card (`{feeds.public_url}social/SLUG-4x5.jpg`, docs/SPEC.md
    /// §10), which Meta fetches itself; nil when the review has no image or cards are off.
    static func url(_ review: Review, site: Site) -> String? {
        guard review.image != nil, site.config.images.cards else { return nil }
        return site.feedsPublicURL + ReviewImage.cardsFolder + "/" + ReviewImage.cardName(slug: review.slug)
    }
}
