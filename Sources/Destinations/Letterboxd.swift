import Foundation
import HTTP
import Posting
import Reviews
import ReviewSources

/// `letterboxd` (docs/SPEC.md §8; Letterboxd API v0: auth/token, me, films, log-entries).
///
/// A review already logged for the film is adopted, not doubled: every attempt first asks
/// for the member's log entries of that film, so resending is always safe.
public struct LetterboxdDestination: DestinationKind {
    public static let kindName = "letterboxd"
    public static let credentialKeys = ["username", "password", "client_id", "client_secret"]
    public static let baseURLRule = BaseURLRule.defaulted("https://api.letterboxd.com/api/v0")

    /// `content`: `summary` (the template) or `full` (the whole review as plain text).
    public static func options(_ table: inout ConfigTable) -> String {
        table.choice("content", of: ["summary", "full"]) ?? "summary"
    }

    public let name: String
    public let deduplicates = true
    private let baseURL: String
    private let credentials: (username: String, password: String, clientID: String, clientSecret: String)
    private let content: String
    private let template: PostTemplate
    private let tokens: PrivateFile<Token>
    private let siteDirectory: URL
    private let http: any HTTPClient
    private let timeout: Double
    private let clock: @Sendable () -> Date
    /// Told every token, so that a server quoting one back never gets it logged.
    private let secrets: Credentials

    public init(_ context: DestinationContext, options content: String) {
        name = context.name
        baseURL = context.baseURL ?? ""
        credentials = (context.secret("username"), context.secret("password"), context.secret("client_id"), context.secret("client_secret"))
        self.content = content
        template = context.template(fallback: "{{summary}}\n\n{{url}}", rule: .unlimited)
        siteDirectory = context.site.directory
        tokens = PrivateFile(url: siteDirectory.appendingPathComponent(".syndicate/letterboxd-\(context.name).token.json"))
        http = context.http
        timeout = context.timeout
        clock = context.clock
        secrets = context.credentials
    }

    struct Payload: Codable {
        var slug: String
        /// The permalink, by which an entry this adapter made is recognised.
        var url: String
        var ids: IDs
        var diaryDate: String
        var text: String
        var containsSpoilers: Bool
        var rating: Double?
        var tags: [String]
        /// The film's title and release year, to search by when the review has no film id
        /// (a WordPress or feed review). Absent from payloads stored before they were sent.
        var title: String?
        var year: Int?
        struct IDs: Codable { var letterboxd: String?; var tmdb: Int?; var imdb: String? }
    }

    public func compose(_ review: Review, site: Site) throws -> ComposedPost {
        var text = try template.compose(review, site: site)
        if content == "full" {
            // The whole review as plain text, then the link: a remote review's sanitised HTML,
            // else the file's Markdown read again.
            let body: String
            if let html = review.html {
                body = HTMLText.paragraphs(html)
            } else {
                let data = FileManager.default.contents(atPath: site.directory.appendingPathComponent(review.source).path) ?? Data()
                body = (try? ReviewFile.split(data, path: review.source).body).map(Markdown.plainText) ?? review.summary
            }
            let full = body + "\n\n" + site.permalink(review)
            text = ComposedText(text: full, count: full.count, limit: nil, unit: "characters", shortened: false)
        }
        let diary = Self.day(review.date, in: site.config.site.timeZone)
        let payload = Payload(slug: review.slug, url: site.permalink(review), ids: .init(letterboxd: review.ids.letterboxd, tmdb: review.ids.tmdb, imdb: review.ids.imdb),
                              diaryDate: diary, text: text.text, containsSpoilers: review.spoilers, rating: review.rating, tags: review.tags,
                              title: review.title, year: review.year)
        return ComposedPost(text: text, payload: try JSONCoding.encode(payload))
    }

    static func day(_ date: Date, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    // MARK: Sending

    /// A token and the member id from `/me`.
    public func verify() async -> Verification {
        switch await token(forceRefresh: false) {
        case .success(let token): return .ok("signed in as member \(token.memberID)")
        case .failure(let failure):
            switch failure.result {
            case .permanent(let message, _), .retryable(let message, _, _, _), .unknown(let message, _): return .failed(message)
            case .posted: return .failed("unexpected")
            }
        }
    }

    public func send(_ delivery: OutgoingDelivery) async -> SendResult {
        guard let payload = try? JSONDecoder().decode(Payload.self, from: delivery.payload) else {
            return .permanent(message: "the stored post is unreadable", httpStatus: nil)
        }
        var retriedAuth = false
        while true {
            let session: Token
            switch await token(forceRefresh: retriedAuth) {
            case .success(let token): session = token
            case .failure(let failure): return failure.result
            }
            let result = await post(payload, token: session)
            if case .permanent(_, let status) = result, status == 401, !retriedAuth {
                retriedAuth = true
                continue
            }
            return result
        }
    }

    private func post(_ payload: Payload, token: Token) async -> SendResult {
        let auth: HTTPHeaders = ["Authorization": "Bearer \(token.accessToken)"]
        // The film: the LID as given, else a lookup by TMDB or IMDb id, else a search by
        // title and year.
        var filmID = payload.ids.letterboxd
        if filmID == nil, let query = payload.ids.tmdb.map({ "tmdb:\($0)" }) ?? payload.ids.imdb.map({ "imdb:\($0)" }) {
            switch await get("/films?filmId=\(query)", headers: auth) {
            case .failure(let failure): return failure.result
            case .success(let object):
                guard let film = (object["items"] as? [[String: Any]])?.first, let id = film["id"] as? String else {
                    return .permanent(message: "Letterboxd knows no film with \(query): check the review's ids", httpStatus: nil)
                }
                filmID = id
            }
        } else if filmID == nil {
            switch await search(title: payload.title, year: payload.year, headers: auth) {
            case .failure(let failure): return failure.result
            case .success(let id): filmID = id
            }
        }
        guard let filmID else { return .permanent(message: "no film id", httpStatus: nil) }
        // Already logged with this review (by a run that got no answer, or by hand with the
        // link): adopt it. Other entries of the film (a diary log, an older review) are not it.
        switch await get("/log-entries?member=\(token.memberID)&film=\(filmID)", headers: auth) {
        case .failure(let failure): return failure.result
        case .success(let object):
            let entries = object["items"] as? [[String: Any]] ?? []
            if let entry = entries.first(where: { (($0["review"] as? [String: Any])?["text"] as? String)?.contains(payload.url) == true }),
               let id = entry["id"] as? String {
                return .posted(remoteID: id, remoteURL: Self.link(entry) ?? "https://boxd.it/\(id)", httpStatus: 200)
            }
        }
        var body: [String: Any] = [
            "filmId": filmID,
            "diaryDetails": ["diaryDate": payload.diaryDate],
            "review": ["text": payload.text, "containsSpoilers": payload.containsSpoilers],
            "tags": payload.tags,
        ]
        if let rating = payload.rating { body["rating"] = rating }
        guard let data = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return .permanent(message: "cannot encode the log entry", httpStatus: nil)
        }
        var request = HTTPRequest(method: "POST", url: baseURL + "/log-entries", headers: auth, body: data, timeout: timeout)
        request.headers["Content-Type"] = "application/json"
        do {
            let response = try await http.send(request)
            guard response.isSuccess else { return ResponseClassifier.classifyFailure(response, now: clock()) }
            let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
            let id = object?["id"] as? String
            return .posted(remoteID: id, remoteURL: object.flatMap(Self.link) ?? id.map { "https://boxd.it/\($0)" }, httpStatus: response.status)
        } catch {
            return ResponseClassifier.classify(error)
        }
    }

    private func get(_ path: String, headers: HTTPHeaders) async -> Result<[String: Any], FailureResult> {
        do {
            let response = try await http.send(HTTPRequest(method: "GET", url: baseURL + path, headers: headers, timeout: timeout))
            guard response.isSuccess else { return .failure(FailureResult(result: ResponseClassifier.classifyFailure(response, now: clock()))) }
            return .success((try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:])
        } catch {
            // A lookup that got no answer changed nothing: it is safe to try again.
            return .failure(FailureResult(result: .retryable(message: "\(error)", httpStatus: nil, notBefore: nil, errorClass: "not_sent")))
        }
    }

    /// The one film whose name and release year match the review's title and year, case and
    /// accents folded (`GET /search`); none or several is a message naming what to add.
    private func search(title: String?, year: Int?, headers: HTTPHeaders) async -> Result<String, FailureResult> {
        let addIDs = "add ids.letterboxd, ids.tmdb or ids.imdb to the review's front matter"
        guard let title, !title.isEmpty, let year else {
            return .failure(FailureResult(result: .permanent(
                message: "no film id: \(addIDs) (or, to find the film by its title, its year: `year`, or a \"Year Released:\" line in a WordPress post)",
                httpStatus: nil)))
        }
        let input = title.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let object: [String: Any]
        switch await get("/search?input=\(input)&include=FilmSearchItem&perPage=10", headers: headers) {
        case .failure(let failure): return .failure(failure)
        case .success(let found): object = found
        }
        let wanted = Self.folded(title)
        let matches = (object["items"] as? [[String: Any]] ?? []).compactMap { item -> String? in
            guard let film = item["film"] as? [String: Any], let name = film["name"] as? String, let id = film["id"] as? String,
                  Self.folded(name) == wanted, (film["releaseYear"] as? NSNumber)?.intValue == year else { return nil }
            return id
        }
        guard matches.count == 1, let id = matches.first else {
            let found = matches.isEmpty ? "no film" : "\(matches.count) films"
            return .failure(FailureResult(result: .permanent(
                message: "Letterboxd has \(found) named \"\(title)\" from \(year): \(addIDs)", httpStatus: nil)))
        }
        return .success(id)
    }

    /// A title compared as people read it: case, accents and runs of spaces ignored.
    static func folded(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static func link(_ entry: [String: Any]) -> String? {
        (entry["links"] as? [[String: Any]])?.first { $0["type"] as? String == "letterboxd" }?["url"] as? String
    }

    struct FailureResult: Error { var result: SendResult }

    // MARK: Tokens

    struct Token: Codable, Sendable {
        var accessToken: String
        var refreshToken: String?
        var expiresAt: Double
        var memberID: String
    }

    /// The cached token while it is valid, else a refreshed one, else a new one (password
    /// grant), with the member id from `/me`.
    private func token(forceRefresh: Bool) async -> Result<Token, FailureResult> {
        let cached = tokens.load()
        if let cached { learn(cached.accessToken, cached.refreshToken) }
        if let cached, !forceRefresh, cached.expiresAt > clock().timeIntervalSince1970 + 60 { return .success(cached) }
        var fields = [("client_id", credentials.clientID), ("client_secret", credentials.clientSecret)]
        if let refresh = cached?.refreshToken {
            fields += [("grant_type", "refresh_token"), ("refresh_token", refresh)]
            if case .success(let token) = await grant(fields, memberID: cached?.memberID) { return .success(token) }
            fields = [("client_id", credentials.clientID), ("client_secret", credentials.clientSecret)]
        }
        fields += [("grant_type", "password"), ("username", credentials.username), ("password", credentials.password)]
        return await grant(fields, memberID: nil)
    }

    private func grant(_ fields: [(String, String)], memberID: String?) async -> Result<Token, FailureResult> {
        let request = HTTPRequest.form("POST", baseURL + "/auth/token", fields, timeout: timeout)
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            return .failure(FailureResult(result: .retryable(message: "auth/token: \(error)", httpStatus: nil, notBefore: nil, errorClass: "not_sent")))
        }
        guard response.isSuccess, let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let access = object["access_token"] as? String else {
            return .failure(FailureResult(result: ResponseClassifier.classifyFailure(response, now: clock())))
        }
        learn(access, object["refresh_token"] as? String)
        var member = memberID
        if member == nil {
            switch await get("/me", headers: ["Authorization": "Bearer \(access)"]) {
            case .failure(let failure): return .failure(failure)
            case .success(let me):
                member = (me["member"] as? [String: Any])?["id"] as? String
            }
        }
        guard let member else { return .failure(FailureResult(result: .permanent(message: "/me gave no member id", httpStatus: nil))) }
        let expires = (object["expires_in"] as? NSNumber)?.doubleValue ?? 3600
        let token = Token(accessToken: access, refreshToken: object["refresh_token"] as? String,
                          expiresAt: clock().timeIntervalSince1970 + expires, memberID: member)
        tokens.save(token)
        return .success(token)
    }

    /// Tokens are secrets from the moment they exist (`/me` may quote one back).
    private func learn(_ access: String, _ refresh: String?) {
        secrets.learn(access)
        if let refresh { secrets.learn(refresh) }
    }
}
