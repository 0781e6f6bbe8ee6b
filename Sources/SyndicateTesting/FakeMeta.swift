import Cards
import Foundation
import HTTP

/// Strict fakes of Meta's publishing APIs (Instagram API with Instagram Login, Threads API),
/// built on `FakeServer`: the two-step container flow, the container's status going
/// `IN_PROGRESS` → `FINISHED` → `PUBLISHED`, the account's list of its posts, the publishing
/// quota, the token refresh, and errors in Meta's shape (`{"error": {"message", "type", "code", "error_subcode"}}`). Like
/// the real services they fetch `image_url` themselves and refuse what is not a JPEG, not
/// between 4:5 and 1.91:1, or over 8 MB.
public class FakeMetaGraph: @unchecked Sendable {
    /// What differs between the two services.
    public struct Platform: Sendable {
        public var kind: String
        var containerEdge: String
        var publishEdge: String
        var statusField: String
        var quotaEdge: String
        var refreshGrant: String
        /// The caption's field (in a container and in the list of posts).
        var textField: String
        /// The fields a post of the list of posts can be asked for.
        var postFields: Set<String>
        var permalinkHost: String
    }

    public let platform: Platform
    public let userID: String
    /// The token it was made with (the first that works).
    public let token: String
    private let lock = NSLock()
    /// Tokens that work: the one given, then every one a refresh issued.
    private var tokens: Set<String>
    private var containers: [String: Container] = [:]
    private var order: [String] = []
    private var media: [(id: String, container: String, timestamp: Date)] = []
    /// Posts deleted since (by hand, in the app): gone from the list and from `GET /{id}`.
    private var deleted: Set<String> = []
    /// Posts published in the quota's window (they count against `quotaTotal`).
    public var quotaUsed = 0
    public var quotaTotal: Int
    /// How many status reads a new container answers `IN_PROGRESS` before `FINISHED`.
    public var processingPolls = 1
    /// The next publish takes effect, then its answer is held this many seconds (longer than
    /// the client waits): a publish that timed out having worked.
    public var publishTimesOutAfterTakingEffect: Double?
    /// The list of the account's posts (`GET /{user_id}/media`, `/threads`) answers a transient
    /// error (HTTP 500, code 2) while this is set.
    public var recentPostsFail = false
    /// The service's clock, which stamps each post's `timestamp`; nil: the real time. Tests
    /// that pin `SYNDICATE_NOW` set it to match.
    public var now: Date?
    /// Answers to use instead of the normal behaviour for the next container requests, in order.
    public var scripted: [FakeResponse] = []
    /// The same for publish requests (counted, but without effect).
    public var publishScripted: [FakeResponse] = []
    public private(set) var refreshCalls = 0
    public private(set) var server: FakeServer!

    /// One container as the service keeps it.
    public struct Container: Sendable {
        public var id: String
        public var fields: [String: String]
        public var status: String
        public var polls: Int
        /// How many times a publish of it was asked for (more than one would post twice on
        /// the real service, or be refused).
        public var publishRequests: Int
    }

    init(platform: Platform, userID: String, token: String, quotaTotal: Int) throws {
        self.platform = platform
        self.userID = userID
        self.token = token
        tokens = [token]
        self.quotaTotal = quotaTotal
        // Weak: a request that arrives after a test let go of its fake (a timed-out client's) is
        // answered, not a crash.
        server = try FakeServer { [weak self] request, _ in self?.handle(request) ?? .text(503, "gone") }
    }

    public var baseURL: String { server.baseURL }

    /// Every container made, oldest first.
    public var allContainers: [Container] { lock.withLock { order.map { containers[$0]! } } }

    /// The containers published, in order: each is one post on the service.
    public var published: [Container] { lock.withLock { media.map { containers[$0.container]! } } }

    /// The permalink of the post a container became, nil while it is not published.
    public func permalink(of container: Container) -> String? {
        lock.withLock { media.firstIndex { $0.container == container.id }.map(permalink(index:)) }
    }

    private func permalink(index: Int) -> String { "https://\(platform.permalinkHost)/p/fake\(index)/" }

    /// Deletes the post a container became, as its author can in the app.
    public func deletePost(of container: Container) {
        lock.withLock {
            if let post = media.first(where: { $0.container == container.id }) { deleted.insert(post.id) }
        }
    }

    /// Every publish request received, whatever its answer.
    public var publishRequests: Int { lock.withLock { containers.values.map(\.publishRequests).reduce(0, +) } }

    /// The newest token a refresh issued, if any.
    public var latestToken: String? { lock.withLock { refreshed.last } }
    private var refreshed: [String] = []

    // MARK: Answers

    /// An error as Meta words it.
    public static func error(_ status: Int = 400, code: Int, subcode: Int? = nil, message: String, type: String = "OAuthException",
                             headers: [(String, String)] = []) -> FakeResponse {
        let sub = subcode.map { ",\"error_subcode\":\($0)" } ?? ""
        let text = message.replacingOccurrences(of: "\"", with: "\\\"")
        return .json(status, "{\"error\":{\"message\":\"\(text)\",\"type\":\"\(type)\",\"code\":\(code)\(sub),\"fbtrace_id\":\"AbCdEfGh\"}}",
                     headers: headers)
    }

    private func handle(_ request: RecordedRequest) -> FakeResponse {
        var fields: [String: String] = [:]
        for (key, value) in FormEncoding.decode(request.query) + (request.method == "POST" ? FormEncoding.decode(request.text) : []) {
            fields[key] = value
        }
        if request.method == "GET", request.path.hasSuffix("/refresh_access_token") {
            return lock.withLock {
                refreshCalls += 1
                guard fields["grant_type"] == platform.refreshGrant, let old = fields["access_token"], tokens.contains(old) else {
                    return Self.error(code: 190, message: "Invalid OAuth access token - Cannot parse access token")
                }
                let token = "\(platform.kind)-refreshed-\(UUID().uuidString)"
                tokens.insert(token)
                refreshed.append(token)
                return .json(200, "{\"access_token\":\"\(token)\",\"token_type\":\"bearer\",\"expires_in\":5183944}")
            }
        }
        let bearer = request.header("Authorization").flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? fields["access_token"]
        guard let bearer, lock.withLock({ tokens.contains(bearer) }) else {
            return Self.error(code: 190, message: "Invalid OAuth access token - Cannot parse access token")
        }
        let path = request.path.split(separator: "/").map(String.init).filter { !$0.hasPrefix("v") || Double($0.dropFirst()) == nil }
        switch (request.method, path.count == 2 ? path[0] == userID : false, path.last ?? "") {
        case ("GET", _, "me") where path.count == 1:
            return .json(200, "{\"id\":\"\(userID)\",\"username\":\"critic\"}")
        case ("GET", true, platform.quotaEdge):
            return lock.withLock {
                .json(200, "{\"data\":[{\"quota_usage\":\(quotaUsed),\"config\":{\"quota_total\":\(quotaTotal),\"quota_duration\":86400}}]}")
            }
        case ("GET", true, platform.containerEdge):
            return recentPosts(fields: fields["fields"] ?? "id", limit: fields["limit"])
        case ("POST", true, platform.containerEdge):
            if let next = lock.withLock({ scripted.isEmpty ? nil : scripted.removeFirst() }) { return next }
            return create(fields)
        case ("POST", true, platform.publishEdge):
            let scripted: FakeResponse? = lock.withLock {
                guard !publishScripted.isEmpty else { return nil }
                containers[fields["creation_id"] ?? ""]?.publishRequests += 1
                return publishScripted.removeFirst()
            }
            return scripted ?? publish(fields["creation_id"] ?? "")
        case ("GET", _, let id) where path.count == 1:
            return read(id, fields: fields["fields"] ?? "")
        default:
            return Self.error(code: 100, message: "Unsupported \(request.method) request.", type: "GraphMethodException")
        }
    }

    /// A new container, after checking its fields and fetching its image like the service.
    private func create(_ fields: [String: String]) -> FakeResponse {
        let text = fields[platform.textField] ?? ""
        if let problem = textProblem(text, fields: fields) { return Self.error(code: 100, message: problem) }
        if let url = fields["image_url"] {
            if let problem = Self.imageProblem(url) { return Self.error(code: 9004, subcode: 2_207_052, message: problem) }
        } else if platform.kind == "instagram" || fields["media_type"] != "TEXT" {
            return Self.error(code: 100, message: "The parameter image_url is required.")
        }
        return lock.withLock {
            let id = String(17_900_000_000_000_000 + containers.count)
            containers[id] = Container(id: id, fields: fields, status: "IN_PROGRESS", polls: 0, publishRequests: 0)
            order.append(id)
            return .json(200, "{\"id\":\"\(id)\"}")
        }
    }

    /// What the service says of a caption it refuses, nil when it takes it.
    private func textProblem(_ text: String, fields: [String: String]) -> String? {
        let links = try! NSRegularExpression(pattern: "https?://[^\\s]+").numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text))
        func marks(_ mark: String) -> Int {
            try! NSRegularExpression(pattern: "(^|\\s)\(mark)[\\p{L}\\p{N}_]").numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text))
        }
        if platform.kind == "instagram" {
            if text.utf16.count > 2200 { return "The caption is longer than 2200 characters." }
            if marks("#") > 30 { return "The caption has more than 30 hashtags." }
            if marks("@") > 20 { return "The caption has more than 20 mentions." }
        } else {
            guard ["IMAGE", "TEXT"].contains(fields["media_type"] ?? "") else { return "The parameter media_type is required." }
            if fields["auto_publish_text"] != nil { return "auto_publish_text is not expected here." }
            if text.utf8.count > 500 { return "The text is longer than 500 bytes." }
            if links > 5 { return "The text has more than 5 links." }
        }
        return nil
    }

    /// Fetches the image as the service does and checks it: a JPEG, 4:5 to 1.91:1, at most 8 MB.
    public static func imageProblem(_ url: String) -> String? {
        var request = HTTPRequest(method: "GET", url: url, timeout: 5)
        request.maximumBody = 9 << 20
        // On the server's own thread, never waiting for Swift concurrency's: the tests that
        // run the binary hold those threads.
        let result = CurlHTTPClient(userAgent: "facebookexternalhit/1.1").sendBlocking(request)
        guard case .success(let response) = result, response.status == 200, response.bodyComplete else {
            return "The media could not be fetched from this URI: \(url)"
        }
        let bytes = response.body
        guard bytes.count <= 8 << 20 else { return "The image is larger than 8 MB." }
        guard ImageType.of(bytes) == "image/jpeg" else { return "Only JPEG images are supported." }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("fake-meta-\(UUID().uuidString).jpg").path
        defer { unlink(file) }
        guard FileManager.default.createFile(atPath: file, contents: bytes), let image = try? VImage.open(file), image.height > 0 else {
            return "The image could not be decoded."
        }
        let ratio = Double(image.width) / Double(image.height)
        guard ratio >= 0.8 - 0.001, ratio <= 1.91 + 0.001 else {
            return "The submitted image with aspect ratio ('\(image.width):\(image.height)') cannot be published."
        }
        return nil
    }

    private func publish(_ id: String) -> FakeResponse {
        lock.withLock {
            guard var container = containers[id] else { return Self.error(code: 100, message: "Invalid parameter: creation_id") }
            container.publishRequests += 1
            defer { containers[id] = container }
            switch container.status {
            case "PUBLISHED":
                return Self.error(code: 9007, subcode: 2_207_020, message: "The media has already been published.")
            case "FINISHED":
                guard quotaUsed < quotaTotal else {
                    return Self.error(code: 4, subcode: 2_207_042, message: "You have reached the maximum number of posts allowed to be published.")
                }
                container.status = "PUBLISHED"
                quotaUsed += 1
                let mediaID = String(18_000_000_000_000_000 + media.count)
                media.append((mediaID, id, now ?? Date()))
                let answer = FakeResponse.json(200, "{\"id\":\"\(mediaID)\"}")
                if let hold = publishTimesOutAfterTakingEffect {
                    publishTimesOutAfterTakingEffect = nil
                    return FakeResponse.json(200, "{\"id\":\"\(mediaID)\"}", delay: hold)
                }
                return answer
            default:
                return Self.error(code: 9007, subcode: 2_207_027, message: "Media ID is not available")
            }
        }
    }

    /// `GET /{id}`: a container's status, or a published post's permalink.
    private func read(_ id: String, fields: String) -> FakeResponse {
        lock.withLock {
            if let index = media.firstIndex(where: { $0.id == id }), !deleted.contains(id) {
                return .json(200, "{\"id\":\"\(id)\",\"permalink\":\"\(permalink(index: index))\"}")
            }
            guard var container = containers[id] else {
                return Self.error(code: 100, subcode: 33, message: "Unsupported get request. Object with ID '\(id)' does not exist.",
                                  type: "GraphMethodException")
            }
            if container.status == "IN_PROGRESS" {
                container.polls += 1
                if container.polls > processingPolls { container.status = "FINISHED" }
                containers[id] = container
            }
            guard fields.split(separator: ",").contains(Substring(platform.statusField)) else {
                return .json(200, "{\"id\":\"\(id)\"}")
            }
            return .json(200, "{\"id\":\"\(id)\",\"\(platform.statusField)\":\"\(container.status)\"}")
        }
    }

    /// `GET /{user_id}/{containerEdge}?fields=…&limit=N`: the posts published and not deleted,
    /// newest first, at most `limit` (default 25, at most 100), each with the fields asked for
    /// (`id` always), in Meta's shape: `{"data": [...], "paging": {"cursors": {...}}}`, the
    /// `timestamp` written like `2025-03-11T13:30:00+0000`. A field the service does not have
    /// is refused as it refuses it.
    private func recentPosts(fields: String, limit: String?) -> FakeResponse {
        let asked = fields.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let unknown = asked.first(where: { !platform.postFields.contains($0) }) {
            return Self.error(code: 100, message: "(#100) Tried accessing nonexisting field (\(unknown)) on node type (\(platform.kind == "instagram" ? "IGMedia" : "ThreadsMedia"))",
                              type: "OAuthException")
        }
        let count: Int
        if let limit {
            guard let value = Int(limit), value > 0 else { return Self.error(code: 100, message: "(#100) The parameter limit must be a positive integer.") }
            count = min(value, 100)
        } else {
            count = 25
        }
        return lock.withLock {
            if recentPostsFail {
                return .json(500, "{\"error\":{\"message\":\"An unexpected error has occurred. Please retry your request later.\",\"type\":\"OAuthException\",\"is_transient\":true,\"code\":2,\"fbtrace_id\":\"AbCdEfGh\"}}")
            }
            let stamp = DateFormatter()
            stamp.locale = Locale(identifier: "en_US_POSIX")
            stamp.timeZone = TimeZone(identifier: "UTC")
            stamp.dateFormat = "yyyy-MM-dd'T'HH:mm:ssZ"
            let posts = media.enumerated().filter { !deleted.contains($0.element.id) }
                .sorted { $0.element.timestamp != $1.element.timestamp ? $0.element.timestamp > $1.element.timestamp : $0.offset > $1.offset }
            let page = posts.prefix(count).map { index, post -> [String: Any] in
                var entry: [String: Any] = ["id": post.id]
                for field in asked {
                    switch field {
                    case platform.textField: entry[field] = containers[post.container]?.fields[platform.textField]
                    case "permalink": entry[field] = permalink(index: index)
                    case "timestamp": entry[field] = stamp.string(from: post.timestamp)
                    case "media_type": entry[field] = platform.kind == "threads" && containers[post.container]?.fields["media_type"] == "TEXT" ? "TEXT_POST" : "IMAGE"
                    case "username": entry[field] = "critic"
                    default: break
                    }
                }
                return entry
            }
            var answer: [String: Any] = ["data": page]
            if let first = page.first?["id"] as? String, let last = page.last?["id"] as? String {
                var paging: [String: Any] = ["cursors": ["before": Data(first.utf8).base64EncodedString(), "after": Data(last.utf8).base64EncodedString()]]
                if posts.count > page.count {
                    paging["next"] = "\(baseURL)/\(userID)/\(platform.containerEdge)?fields=\(asked.joined(separator: ","))&limit=\(count)&after=\(Data(last.utf8).base64EncodedString())"
                }
                answer["paging"] = paging
            }
            let body = (try? JSONSerialization.data(withJSONObject: answer, options: [.sortedKeys])) ?? Data("{}".utf8)
            return FakeResponse(status: 200, headers: [("Content-Type", "application/json; charset=UTF-8")], body: body)
        }
    }

    /// Marks a container as Meta does when it cannot be used (`ERROR`, `EXPIRED`).
    public func setStatus(_ status: String, ofContainer id: String) {
        lock.withLock { containers[id]?.status = status }
    }
}

/// The Instagram API with Instagram Login (`graph.instagram.com`).
public final class FakeInstagram: FakeMetaGraph, @unchecked Sendable {
    public init(userID: String = "17841400000000001", token: String) throws {
        try super.init(platform: Platform(kind: "instagram", containerEdge: "media", publishEdge: "media_publish", statusField: "status_code",
                                          quotaEdge: "content_publishing_limit", refreshGrant: "ig_refresh_token", textField: "caption",
                                          postFields: ["id", "caption", "permalink", "timestamp", "media_type", "username"],
                                          permalinkHost: "www.instagram.com"),
                       userID: userID, token: token, quotaTotal: 100)
    }
}

/// The Threads API (`graph.threads.net`).
public final class FakeThreads: FakeMetaGraph, @unchecked Sendable {
    public init(userID: String = "26000000000000001", token: String) throws {
        try super.init(platform: Platform(kind: "threads", containerEdge: "threads", publishEdge: "threads_publish", statusField: "status",
                                          quotaEdge: "threads_publishing_limit", refreshGrant: "th_refresh_token", textField: "text",
                                          postFields: ["id", "text", "permalink", "timestamp", "media_type", "username"],
                                          permalinkHost: "www.threads.net"),
                       userID: userID, token: token, quotaTotal: 250)
    }
}

/// A site's web server: the files under `root` (the built feeds, with the cards), as they
/// would be published; what the Meta fakes fetch `image_url` from. `root` may be set after
/// the server starts, since the site's config names the server's URL.
public final class FakeWebServer: @unchecked Sendable {
    private let lock = NSLock()
    private var folder: URL?
    public private(set) var server: FakeServer!

    public init(root: URL? = nil) throws {
        folder = root
        server = try FakeServer { [weak self] request, _ in
            let path = request.path.removingPercentEncoding ?? request.path
            guard request.method == "GET", !path.split(separator: "/").contains(".."), let root = self?.root,
                  let data = FileManager.default.contents(atPath: root.path + path) else { return .text(404, "not found") }
            return FakeResponse(status: 200, headers: [("Content-Type", path.hasSuffix(".jpg") ? "image/jpeg" : "application/octet-stream")],
                                body: data)
        }
    }

    public var root: URL? {
        get { lock.withLock { folder } }
        set { lock.withLock { folder = newValue } }
    }

    public var baseURL: String { server.baseURL }
}
