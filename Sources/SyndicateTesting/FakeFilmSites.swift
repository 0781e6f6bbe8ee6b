import Foundation
import HTTP

// MARK: Letterboxd

/// A strict fake of Letterboxd's API v0: OAuth password and refresh grants, `/me`, film
/// lookup by `tmdb:`/`imdb:`, film search by title (`/search`, `FilmSearchItem`s), log entries (listed per member and film, created with a rating
/// in range and on the half step).
public final class FakeLetterboxd: @unchecked Sendable {
    public let username, password, clientID, clientSecret: String
    public let memberID = "m1Qx"
    /// tmdb:ID / imdb:ID → film LID; any other id gets a LID made from it, except these.
    public var films: [String: String] = ["tmdb:840430": "hTha", "imdb:tt14849194": "hTha"]
    public var unknownFilms: Set<String> = []
    /// What `/search` finds: every film whose name contains the input (case and accents
    /// folded), as Letterboxd's search returns near misses too.
    public var searchableFilms: [(id: String, name: String, year: Int)] = [
        ("hTha", "The Holdovers", 2023), ("lGht", "The Lighthouse", 2019), ("lGh1", "The Lighthouse", 2016),
    ]
    private let lock = NSLock()
    private var tokens: Set<String> = []
    private var refreshTokens: Set<String> = []
    private var entries: [(id: String, film: String, body: [String: Any])] = []
    public private(set) var passwordGrants = 0
    public private(set) var server: FakeServer!

    public init(username: String, password: String, clientID: String, clientSecret: String) throws {
        self.username = username
        self.password = password
        self.clientID = clientID
        self.clientSecret = clientSecret
        server = try FakeServer { [unowned self] request, _ in self.handle(request) }
    }

    public var baseURL: String { server.baseURL }
    public var logEntries: [[String: Any]] { lock.withLock { entries.map(\.body) } }

    /// Adds an entry as if the member had logged the film by hand, with a review text or none.
    public func addExistingEntry(film: String, reviewText: String? = nil) {
        lock.withLock {
            var body: [String: Any] = ["filmId": film]
            if let reviewText { body["review"] = ["text": reviewText, "containsSpoilers": false] }
            entries.append(("existing\(entries.count)", film, body))
        }
    }

    public func revokeTokens() { lock.withLock { tokens.removeAll() } }

    private func error(_ status: Int, _ code: String, _ message: String) -> FakeResponse {
        .json(status, "{\"type\":\"Error\",\"code\":\"\(code)\",\"message\":\"\(message)\"}")
    }

    private func handle(_ request: RecordedRequest) -> FakeResponse {
        lock.withLock {
            if request.path == "/auth/token" {
                guard request.header("Content-Type")?.hasPrefix("application/x-www-form-urlencoded") == true else {
                    return error(400, "invalid_request", "form encoding required")
                }
                let form = Dictionary(FormEncoding.decode(request.text), uniquingKeysWith: { first, _ in first })
                guard form["client_id"] == clientID, form["client_secret"] == clientSecret else {
                    return .json(401, "{\"error\":\"invalid_client\",\"error_description\":\"Invalid client credentials\"}")
                }
                switch form["grant_type"] {
                case "password":
                    passwordGrants += 1
                    guard form["username"] == username, form["password"] == password else {
                        return .json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Incorrect username or password\"}")
                    }
                case "refresh_token":
                    guard let refresh = form["refresh_token"], refreshTokens.contains(refresh) else {
                        return .json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid refresh token\"}")
                    }
                default:
                    return .json(400, "{\"error\":\"unsupported_grant_type\"}")
                }
                let access = "lb-access-\(UUID().uuidString)", refresh = "lb-refresh-\(UUID().uuidString)"
                tokens.insert(access)
                refreshTokens.insert(refresh)
                return .json(200, "{\"access_token\":\"\(access)\",\"token_type\":\"bearer\",\"refresh_token\":\"\(refresh)\",\"expires_in\":3600}")
            }
            guard let bearer = request.header("Authorization")?.replacingOccurrences(of: "Bearer ", with: ""), tokens.contains(bearer) else {
                return error(401, "Unauthorized", "Access token is invalid or expired")
            }
            let query = Dictionary(FormEncoding.decode(request.query), uniquingKeysWith: { first, _ in first })
            switch (request.method, request.path) {
            case ("GET", "/me"):
                return .json(200, "{\"member\":{\"id\":\"\(memberID)\",\"username\":\"\(username)\"}}")
            case ("GET", "/films"):
                guard let key = query["filmId"], key.hasPrefix("tmdb:") || key.hasPrefix("imdb:"), !unknownFilms.contains(key) else {
                    return .json(200, "{\"items\":[]}")
                }
                let film = films[key] ?? "f" + String(key.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) % 1_000_000 }, radix: 36)
                return .json(200, "{\"items\":[{\"id\":\"\(film)\",\"name\":\"A film\"}]}")
            case ("GET", "/search"):
                guard query["include"] == "FilmSearchItem", let input = query["input"], !input.isEmpty,
                      let perPage = Int(query["perPage"] ?? "20"), (1...100).contains(perPage) else {
                    return error(400, "BadRequest", "input, include=FilmSearchItem and perPage 1-100")
                }
                let fold = { (text: String) in text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil) }
                let found = searchableFilms.filter { fold($0.name).contains(fold(input)) }.prefix(perPage).map {
                    "{\"type\":\"FilmSearchItem\",\"film\":{\"id\":\"\($0.id)\",\"name\":\"\($0.name)\",\"releaseYear\":\($0.year)}}"
                }
                return .json(200, "{\"items\":[\(found.joined(separator: ","))]}")
            case ("GET", "/log-entries"):
                guard query["member"] == memberID, let film = query["film"] else { return error(400, "BadRequest", "member and film") }
                let found = entries.filter { $0.film == film }.map { entry -> String in
                    var item: [String: Any] = ["id": entry.id, "links": [["type": "letterboxd", "url": "https://boxd.it/\(entry.id)"]]]
                    if let review = entry.body["review"] { item["review"] = review }
                    return String(decoding: try! JSONSerialization.data(withJSONObject: item, options: [.sortedKeys]), as: UTF8.self)
                }
                return .json(200, "{\"items\":[\(found.joined(separator: ","))]}")
            case ("POST", "/log-entries"):
                guard let body = request.json, let film = body["filmId"] as? String, !film.isEmpty else {
                    return error(400, "InvalidFilm", "Unknown film")
                }
                guard let diary = (body["diaryDetails"] as? [String: Any])?["diaryDate"] as? String,
                      diary.range(of: "^\\d{4}-\\d{2}-\\d{2}$", options: .regularExpression) != nil else {
                    return error(400, "InvalidDiaryDate", "diaryDate must be YYYY-MM-DD")
                }
                if let rating = body["rating"] {
                    guard let value = (rating as? NSNumber)?.doubleValue, (0.5...5).contains(value), (value * 2).rounded() == value * 2 else {
                        return error(400, "InvalidRating", "Rating must be between 0.5 and 5.0 in steps of 0.5")
                    }
                }
                guard let review = body["review"] as? [String: Any], review["text"] is String, review["containsSpoilers"] is Bool else {
                    return error(400, "InvalidReview", "review.text and review.containsSpoilers are required")
                }
                let id = "le\(entries.count + 1)"
                entries.append((id, film, body))
                return .json(201, "{\"id\":\"\(id)\",\"links\":[{\"type\":\"letterboxd\",\"url\":\"https://boxd.it/\(id)\"}]}")
            default:
                return error(404, "NotFound", "Not found")
            }
        }
    }
}

// MARK: Link hub

/// A strict link hub: `PUT /links/{id}` upserts (position must be 0), `DELETE` removes,
/// both with the bearer token.
public final class FakeLinkHub: @unchecked Sendable {
    public let token: String
    private let lock = NSLock()
    private var stored: [String: [String: Any]] = [:]
    public private(set) var server: FakeServer!

    public init(token: String) throws {
        self.token = token
        server = try FakeServer { [unowned self] request, _ in self.handle(request) }
    }

    public var baseURL: String { server.baseURL }
    public var links: [String: [String: Any]] { lock.withLock { stored } }

    /// A link put there by hand.
    public func addManualLink(_ id: String) { lock.withLock { stored[id] = ["title": "manual", "url": "https://elsewhere.test/", "position": 0] } }

    private func handle(_ request: RecordedRequest) -> FakeResponse {
        lock.withLock {
            guard request.header("Authorization") == "Bearer \(token)" else { return .json(401, "{\"error\":\"unauthorized\"}") }
            guard request.path.hasPrefix("/links/"), request.path.count > 7 else { return .json(404, "{\"error\":\"not found\"}") }
            let id = String(request.path.dropFirst(7)).removingPercentEncoding ?? ""
            switch request.method {
            case "PUT":
                guard let body = request.json, body["title"] is String, (body["url"] as? String)?.hasPrefix("https://") == true,
                      body["position"] as? Int == 0 else { return .json(422, "{\"error\":\"title, url and position 0 are required\"}") }
                let existed = stored[id] != nil
                stored[id] = body
                return .json(existed ? 200 : 201, "{\"id\":\"\(id)\"}")
            case "DELETE":
                guard stored.removeValue(forKey: id) != nil else { return .json(404, "{\"error\":\"not found\"}") }
                return FakeResponse(status: 204)
            default:
                return .json(405, "{\"error\":\"method not allowed\"}")
            }
        }
    }
}

// MARK: Micropub

/// A Micropub endpoint (W3C Micropub §3.3): form-encoded `h=entry` only, arrays as `name[]`,
/// the bearer token; answers 201 with `Location`. `GET /` is the site's home page, which
/// names the endpoint with `rel="micropub"`.
public final class FakeMicropub: @unchecked Sendable {
    public let token: String
    private let lock = NSLock()
    private var entries: [[(String, String)]] = []
    public private(set) var server: FakeServer!

    public init(token: String) throws {
        self.token = token
        server = try FakeServer { [unowned self] request, _ in self.handle(request) }
    }

    public var homeURL: String { server.baseURL + "/" }
    public var endpoint: String { server.baseURL + "/micropub" }
    public var posted: [[(String, String)]] { lock.withLock { entries } }

    private func handle(_ request: RecordedRequest) -> FakeResponse {
        lock.withLock {
            if request.method == "GET", request.path == "/" {
                return FakeResponse(status: 200, headers: [("Content-Type", "text/html")], body: Data("""
                <!doctype html><html><head><link rel="authorization_endpoint" href="/auth"><link rel="micropub" href="/micropub"></head><body>Hi</body></html>
                """.utf8))
            }
            guard request.path == "/micropub" else { return .text(404, "not found") }
            guard request.header("Authorization") == "Bearer \(token)" else {
                return .json(401, "{\"error\":\"unauthorized\",\"error_description\":\"No valid access token\"}")
            }
            if request.method == "GET", request.query == "q=config" { return .json(200, "{\"media-endpoint\":null}") }
            guard request.method == "POST" else { return .text(405, "method not allowed") }
            guard request.header("Content-Type")?.hasPrefix("application/x-www-form-urlencoded") == true else {
                return .json(400, "{\"error\":\"invalid_request\",\"error_description\":\"form-encoded only\"}")
            }
            let fields = FormEncoding.decode(request.text)
            guard fields.contains(where: { $0 == ("h", "entry") }), fields.contains(where: { $0.0 == "content" && !$0.1.isEmpty }) else {
                return .json(400, "{\"error\":\"invalid_request\",\"error_description\":\"h=entry and content are required\"}")
            }
            if fields.contains(where: { $0.0 == "category" }) {
                return .json(400, "{\"error\":\"invalid_request\",\"error_description\":\"several categories must be sent as category[]\"}")
            }
            entries.append(fields)
            return FakeResponse(status: 201, headers: [("Location", server.baseURL + "/entries/\(entries.count)")])
        }
    }
}
