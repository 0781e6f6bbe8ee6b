import COpenSSL
import Foundation

/// Strict fakes of the social services, built on `FakeServer`: each rejects what the real
/// service rejects (a missing or wrong token, over-limit text, facets that do not slice their
/// text, a bad OAuth signature) with the real service's status and error body, and records
/// what it accepted.

// MARK: Mastodon

public final class FakeMastodon: @unchecked Sendable {
    public let token: String
    public let maxCharacters: Int
    private let lock = NSLock()
    private var statuses: [(key: String?, id: String, body: [String: Any])] = []
    /// Answers to use instead of the normal behaviour, in order (for rate limits and faults).
    public var scripted: [FakeResponse] = []
    /// The same for `POST /api/v2/media`.
    public var mediaScripted: [FakeResponse] = []
    /// How many times `GET /api/v1/media/{id}` answers 206 (still processing) before 200.
    public var processingPolls = 1
    /// Uploaded images by id, as the multipart form gave them.
    private var media: [String: (upload: MediaUpload, polls: Int)] = [:]
    public private(set) var server: FakeServer!

    /// One image received by `POST /api/v2/media`.
    public struct MediaUpload: Sendable {
        public var id: String
        public var description: String
        public var contentType: String
        public var bytes: Data
    }

    public init(token: String, maxCharacters: Int = 500) throws {
        self.token = token
        self.maxCharacters = maxCharacters
        server = try FakeServer { [unowned self] request, _ in self.handle(request) }
    }

    public var baseURL: String { server.baseURL }

    /// The statuses created, oldest first.
    public var posted: [[String: Any]] { lock.withLock { statuses.map(\.body) } }

    /// Every image uploaded, in order.
    public var uploads: [MediaUpload] { lock.withLock { media.values.map(\.upload).sorted { $0.id < $1.id } } }

    /// `POST /api/v2/media` (multipart `file` and `description`, checked like the real one) and
    /// `GET /api/v1/media/{id}` (206 while processing, then 200).
    private func handleMedia(_ request: RecordedRequest) -> FakeResponse? {
        if request.method == "POST", request.path == "/api/v2/media" {
            if let next = lock.withLock({ mediaScripted.isEmpty ? nil : mediaScripted.removeFirst() }) { return next }
            guard request.header("Authorization") == "Bearer \(token)" else { return .json(401, "{\"error\":\"The access token is invalid\"}") }
            guard let type = request.header("Content-Type"), type.hasPrefix("multipart/form-data; boundary="),
                  let parts = Self.multipart(request.body, boundary: String(type.dropFirst("multipart/form-data; boundary=".count))),
                  let file = parts["file"], file.filename != nil else {
                return .json(422, "{\"error\":\"Validation failed: File can't be blank\"}")
            }
            guard ["image/jpeg", "image/png", "image/gif", "image/webp"].contains(file.contentType ?? ""),
                  file.data.starts(with: [0xFF, 0xD8]) || file.data.starts(with: [0x89, 0x50]) else {
                return .json(422, "{\"error\":\"Validation failed: File content type is invalid\"}")
            }
            guard file.data.count <= 16 << 20 else { return .json(422, "{\"error\":\"Validation failed: File file size must be less than 16 MB\"}") }
            return lock.withLock {
                let id = String(500_000 + media.count)
                let description = parts["description"].map { String(decoding: $0.data, as: UTF8.self) } ?? ""
                media[id] = (MediaUpload(id: id, description: description, contentType: file.contentType ?? "", bytes: file.data), 0)
                return .json(202, "{\"id\":\"\(id)\",\"type\":\"image\",\"url\":null,\"description\":null}")
            }
        }
        if request.method == "GET", request.path.hasPrefix("/api/v1/media/") {
            guard request.header("Authorization") == "Bearer \(token)" else { return .json(401, "{\"error\":\"The access token is invalid\"}") }
            let id = String(request.path.dropFirst("/api/v1/media/".count))
            return lock.withLock {
                guard let entry = media[id] else { return .json(404, "{\"error\":\"Record not found\"}") }
                media[id]!.polls += 1
                if entry.polls < processingPolls { return .json(206, "{\"id\":\"\(id)\",\"url\":null}") }
                return .json(200, "{\"id\":\"\(id)\",\"type\":\"image\",\"url\":\"\(server.baseURL)/media/\(id).jpg\"}")
            }
        }
        return nil
    }

    /// The parts of a `multipart/form-data` body by name; nil when it is malformed.
    static func multipart(_ body: Data, boundary: String) -> [String: (filename: String?, contentType: String?, data: Data)]? {
        let delimiter = Data("--\(boundary)".utf8)
        var parts: [String: (filename: String?, contentType: String?, data: Data)] = [:]
        var cursor = body.startIndex
        guard let first = body.range(of: delimiter, in: cursor..<body.endIndex), first.lowerBound == body.startIndex else { return nil }
        cursor = first.upperBound
        while true {
            if body[cursor...].starts(with: Data("--".utf8)) { return parts }
            guard body[cursor...].starts(with: Data("\r\n".utf8)) else { return nil }
            cursor += 2
            guard let headerEnd = body.range(of: Data("\r\n\r\n".utf8), in: cursor..<body.endIndex),
                  let next = body.range(of: Data("\r\n".utf8) + delimiter, in: headerEnd.upperBound..<body.endIndex) else { return nil }
            let headers = String(decoding: body[cursor..<headerEnd.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
            let disposition = headers.first { $0.lowercased().hasPrefix("content-disposition:") } ?? ""
            func attribute(_ name: String) -> String? {
                guard let range = disposition.range(of: "\(name)=\"") else { return nil }
                return String(disposition[range.upperBound...].prefix { $0 != "\"" })
            }
            guard let name = attribute("name") else { return nil }
            let type = headers.first { $0.lowercased().hasPrefix("content-type:") }.map { $0.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces) }
            parts[name] = (attribute("filename"), type, Data(body[headerEnd.upperBound..<next.lowerBound]))
            cursor = next.upperBound
        }
    }

    private func handle(_ request: RecordedRequest) -> FakeResponse {
        if let answer = handleMedia(request) { return answer }
        if request.method == "GET", request.path == "/api/v2/instance" {
            return .json(200, """
            {"domain":"fake.test","configuration":{"statuses":{"max_characters":\(maxCharacters),"max_media_attachments":4,"characters_reserved_per_url":23}}}
            """)
        }
        if request.method == "GET", request.path == "/api/v1/accounts/verify_credentials" {
            guard request.header("Authorization") == "Bearer \(token)" else { return .json(401, "{\"error\":\"The access token is invalid\"}") }
            return .json(200, "{\"id\":\"1\",\"username\":\"critic\",\"acct\":\"critic\"}")
        }
        if let next = lock.withLock({ scripted.isEmpty ? nil : scripted.removeFirst() }) { return next }
        guard request.method == "POST", request.path == "/api/v1/statuses" else { return .json(404, "{\"error\":\"Record not found\"}") }
        guard request.header("Authorization") == "Bearer \(token)" else { return .json(401, "{\"error\":\"The access token is invalid\"}") }
        guard let body = request.json, let status = body["status"] as? String, !status.isEmpty else {
            return .json(422, "{\"error\":\"Validation failed: Text can't be blank\"}")
        }
        let spoiler = body["spoiler_text"] as? String ?? ""
        if let ids = body["media_ids"] as? [String] {
            let ready = lock.withLock { ids.allSatisfy { id in media[id].map { $0.polls >= processingPolls } ?? false } }
            guard ready, ids.count <= 4 else { return .json(422, "{\"error\":\"Validation failed: media not found or still processing\"}") }
        }
        if body["media"] != nil { return .json(422, "{\"error\":\"Validation failed: unknown parameter media\"}") }
        if spoiler.count + Self.length(status) > maxCharacters {
            return .json(422, "{\"error\":\"Validation failed: Text character limit of \(maxCharacters) exceeded\"}")
        }
        let key = request.header("Idempotency-Key")
        return lock.withLock {
            if let key, let existing = statuses.first(where: { $0.key == key }) {
                return .json(200, "{\"id\":\"\(existing.id)\",\"url\":\"\(server.baseURL)/@critic/\(existing.id)\"}")
            }
            let id = String(100_000 + statuses.count)
            statuses.append((key, id, body))
            return .json(200, "{\"id\":\"\(id)\",\"uri\":\"\(server.baseURL)/users/critic/statuses/\(id)\",\"url\":\"\(server.baseURL)/@critic/\(id)\",\"created_at\":\"2025-11-24T16:00:00.000Z\"}")
        }
    }

    /// Grapheme clusters, every http(s) link as 23 (docs.joinmastodon.org/user/posting).
    static func length(_ text: String) -> Int {
        let pattern = try! NSRegularExpression(pattern: "https?://[^\\s]+")
        let replaced = pattern.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: String(repeating: "x", count: 23))
        return replaced.count
    }
}

// MARK: Bluesky

public final class FakeBluesky: @unchecked Sendable {
    public let identifier: String
    public let password: String
    public let did = "did:plc:fakecritic"
    private let lock = NSLock()
    private var accessToken = ""
    private var refreshToken = ""
    private var expiredAccessTokens: Set<String> = []
    private var records: [String: Data] = [:]
    private var blobs: Set<String> = []
    /// Every blob uploaded: its content type and bytes.
    public private(set) var blobUploads: [(type: String, bytes: Data)] = []
    public private(set) var createSessionCalls = 0
    public private(set) var refreshSessionCalls = 0
    public var scripted: [FakeResponse] = []
    public private(set) var server: FakeServer!

    public init(identifier: String, password: String) throws {
        self.identifier = identifier
        self.password = password
        server = try FakeServer { [unowned self] request, _ in self.handle(request) }
    }

    public var baseURL: String { server.baseURL }

    /// Records by record key.
    public var posts: [String: [String: Any]] {
        lock.withLock { records.compactMapValues { (try? JSONSerialization.jsonObject(with: $0)) as? [String: Any] } }
    }

    /// Makes the current access token expire, as it does after a couple of hours.
    public func expireAccessToken() { lock.withLock { _ = expiredAccessTokens.insert(accessToken) } }

    private func error(_ status: Int, _ name: String, _ message: String) -> FakeResponse {
        .json(status, "{\"error\":\"\(name)\",\"message\":\"\(message)\"}")
    }

    private func issueTokens() -> FakeResponse {
        accessToken = "access-\(UUID().uuidString)"
        refreshToken = "refresh-\(UUID().uuidString)"
        return .json(200, "{\"accessJwt\":\"\(accessToken)\",\"refreshJwt\":\"\(refreshToken)\",\"did\":\"\(did)\",\"handle\":\"critic.test\"}")
    }

    private func handle(_ request: RecordedRequest) -> FakeResponse {
        lock.withLock {
            let bearer = request.header("Authorization")?.replacingOccurrences(of: "Bearer ", with: "")
            switch request.path {
            case "/xrpc/com.atproto.server.createSession":
                createSessionCalls += 1
                guard let body = request.json, body["identifier"] as? String == identifier, body["password"] as? String == password else {
                    return error(401, "AuthenticationRequired", "Invalid identifier or password")
                }
                return issueTokens()
            case "/xrpc/com.atproto.server.refreshSession":
                refreshSessionCalls += 1
                guard bearer == refreshToken, !refreshToken.isEmpty else { return error(400, "ExpiredToken", "Token has expired") }
                return issueTokens()
            default:
                break
            }
            if !scripted.isEmpty { return scripted.removeFirst() }
            guard let bearer else { return error(401, "AuthMissing", "Authentication Required") }
            if expiredAccessTokens.contains(bearer) { return error(400, "ExpiredToken", "Token has expired") }
            guard bearer == accessToken else { return error(400, "InvalidToken", "Token could not be verified") }
            switch request.path {
            case "/xrpc/com.atproto.repo.uploadBlob":
                guard let type = request.header("Content-Type"), type.hasPrefix("image/") else { return error(400, "InvalidRequest", "not an image") }
                guard request.body.count <= 1_000_000 else { return error(400, "BlobTooLarge", "This file is too large") }
                let link = "bafkrei" + String(request.body.count) + String(request.body.hashValue & 0xFFFFFF, radix: 36)
                blobs.insert(link)
                blobUploads.append((type, request.body))
                return .json(200, "{\"blob\":{\"$type\":\"blob\",\"ref\":{\"$link\":\"\(link)\"},\"mimeType\":\"\(type)\",\"size\":\(request.body.count)}}")
            case "/xrpc/com.atproto.repo.getRecord":
                let query = Dictionary(uniqueKeysWithValues: request.query.split(separator: "&").map { pair -> (String, String) in
                    let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                    return (parts[0], parts.count > 1 ? parts[1] : "")
                })
                guard let rkey = query["rkey"], let record = records[rkey] else {
                    return error(400, "RecordNotFound", "Could not locate record: at://\(did)/app.bsky.feed.post/\(query["rkey"] ?? "")")
                }
                return .json(200, "{\"uri\":\"at://\(did)/app.bsky.feed.post/\(rkey)\",\"value\":\(String(decoding: record, as: UTF8.self))}")
            case "/xrpc/com.atproto.repo.putRecord":
                guard let body = request.json, body["repo"] as? String == did, body["collection"] as? String == "app.bsky.feed.post",
                      let rkey = body["rkey"] as? String, let record = body["record"] as? [String: Any] else {
                    return error(400, "InvalidRequest", "Input must have the properties repo, collection, rkey, record")
                }
                guard Self.isTID(rkey) else { return error(400, "InvalidRequest", "Invalid record key") }
                if let problem = validate(record) { return error(400, "InvalidRequest", problem) }
                let data = try! JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
                records[rkey] = data
                return .json(200, "{\"uri\":\"at://\(did)/app.bsky.feed.post/\(rkey)\",\"cid\":\"bafyrei\(rkey)\"}")
            default:
                return error(404, "MethodNotImplemented", "Method Not Implemented")
            }
        }
    }

    /// app.bsky.feed.post's lexicon rules, and facets that slice exactly what they claim.
    private func validate(_ record: [String: Any]) -> String? {
        guard record["$type"] as? String == "app.bsky.feed.post" else { return "Invalid $type" }
        guard let text = record["text"] as? String else { return "Record must have the property \"text\"" }
        if text.count > 300 { return "Record/text must not be longer than 300 graphemes" }
        if text.utf8.count > 3000 { return "Record/text must not be longer than 3000 characters" }
        guard record["createdAt"] is String else { return "Record must have the property \"createdAt\"" }
        let bytes = Array(text.utf8)
        for facet in record["facets"] as? [[String: Any]] ?? [] {
            guard let index = facet["index"] as? [String: Any], let start = index["byteStart"] as? Int, let end = index["byteEnd"] as? Int,
                  start >= 0, end <= bytes.count, start < end,
                  let feature = (facet["features"] as? [[String: Any]])?.first else { return "Record/facets has an invalid index" }
            let slice = String(decoding: bytes[start..<end], as: UTF8.self)
            switch feature["$type"] as? String {
            case "app.bsky.richtext.facet#link":
                if slice != feature["uri"] as? String { return "link facet [\(start),\(end)) slices \"\(slice)\", not its uri" }
            case "app.bsky.richtext.facet#tag":
                guard let tag = feature["tag"] as? String, slice == "#" + tag, tag.count <= 64 else { return "tag facet slices \"\(slice)\"" }
            default:
                return "unknown facet feature"
            }
        }
        if let external = (record["embed"] as? [String: Any])?["external"] as? [String: Any] {
            guard external["uri"] is String, external["title"] is String, external["description"] is String else {
                return "Record/embed/external must have uri, title and description"
            }
            if let thumb = external["thumb"] as? [String: Any] {
                guard let link = (thumb["ref"] as? [String: Any])?["$link"] as? String, blobs.contains(link) else { return "Could not find blob" }
            }
        }
        return nil
    }

    static func isTID(_ key: String) -> Bool {
        key.range(of: "^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$", options: .regularExpression) != nil
    }
}

// MARK: X

public final class FakeX: @unchecked Sendable {
    public let consumerKey, consumerSecret, token, tokenSecret: String
    private let lock = NSLock()
    private var tweets: [String] = []
    public var scripted: [FakeResponse] = []
    public private(set) var server: FakeServer!

    public init(consumerKey: String, consumerSecret: String, token: String, tokenSecret: String) throws {
        self.consumerKey = consumerKey
        self.consumerSecret = consumerSecret
        self.token = token
        self.tokenSecret = tokenSecret
        server = try FakeServer { [unowned self] request, _ in self.handle(request) }
    }

    public var baseURL: String { server.baseURL }
    public var posted: [String] { lock.withLock { tweets } }

    private func problem(_ status: Int, _ title: String, _ detail: String) -> FakeResponse {
        .json(status, "{\"title\":\"\(title)\",\"detail\":\"\(detail)\",\"type\":\"about:blank\",\"status\":\(status)}")
    }

    private func handle(_ request: RecordedRequest) -> FakeResponse {
        lock.withLock {
            if request.method == "GET", request.path == "/2/users/me" {
                guard verify(request) else { return problem(401, "Unauthorized", "Unauthorized") }
                return .json(200, "{\"data\":{\"id\":\"2244994945\",\"name\":\"Critic\",\"username\":\"critic\"}}")
            }
            if !scripted.isEmpty { return scripted.removeFirst() }
            guard request.method == "POST", request.path == "/2/tweets" else { return problem(404, "Not Found Error", "Not found") }
            guard verify(request) else { return problem(401, "Unauthorized", "Unauthorized") }
            guard request.header("Content-Type") == "application/json", let text = request.json?["text"] as? String else {
                return problem(400, "Invalid Request", "One or more parameters to your request was invalid.")
            }
            if Self.weightedLength(text) > 280 { return problem(400, "Invalid Request", "Your Tweet text is too long.") }
            if tweets.contains(text) { return problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.") }
            tweets.append(text)
            return .json(201, "{\"data\":{\"id\":\"\(1_445_880_548_472_328_192 + tweets.count)\",\"text\":\(String(decoding: try! JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes]), as: UTF8.self).dropFirst().dropLast())}}")
        }
    }

    /// Recomputes the OAuth 1.0a HMAC-SHA1 signature from the request itself (RFC 5849).
    private func verify(_ request: RecordedRequest) -> Bool {
        guard let header = request.header("Authorization"), header.hasPrefix("OAuth ") else { return false }
        var fields: [String: String] = [:]
        for part in header.dropFirst(6).components(separatedBy: ", ") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { return false }
            fields[pair[0]] = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")).removingPercentEncoding
        }
        guard fields["oauth_consumer_key"] == consumerKey, fields["oauth_token"] == token,
              fields["oauth_signature_method"] == "HMAC-SHA1", fields["oauth_version"] == "1.0",
              let signature = fields.removeValue(forKey: "oauth_signature") else { return false }
        func encode(_ s: String) -> String {
            s.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? s
        }
        let parameters = fields.map { (encode($0.key), encode($0.value)) }.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let base = request.method + "&" + encode(server.baseURL + request.path) + "&" + encode(parameters)
        let key = Array((encode(consumerSecret) + "&" + encode(tokenSecret)).utf8)
        var digest = [UInt8](repeating: 0, count: 20)
        let data = Array(base.utf8)
        guard syn_hmac_sha1(key, Int32(key.count), data, data.count, &digest) == 1 else { return false }
        return Data(digest).base64EncodedString() == signature
    }

    /// twitter-text v3, written again here so the fake does not trust the code under test.
    static func weightedLength(_ text: String) -> Int {
        let normalized = text.precomposedStringWithCanonicalMapping
        let pattern = try! NSRegularExpression(pattern: "https?://[^\\s]+")
        let withoutURLs = pattern.stringByReplacingMatches(in: normalized, range: NSRange(normalized.startIndex..., in: normalized), withTemplate: "")
        let urls = pattern.numberOfMatches(in: normalized, range: NSRange(normalized.startIndex..., in: normalized))
        var weight = urls * 23
        for character in withoutURLs {
            if character.unicodeScalars.contains(where: { $0.properties.isEmojiPresentation }) { weight += 2; continue }
            for scalar in character.unicodeScalars {
                let v = scalar.value
                weight += (v <= 4351 || (8192...8205).contains(v) || (8208...8223).contains(v) || (8242...8247).contains(v)) ? 1 : 2
            }
        }
        return weight
    }
}
