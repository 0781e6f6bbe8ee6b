import Foundation
import HTTP

/// A strict fake of a WordPress site's public REST API, shaped like WordPress 6's answers:
///
/// - `GET /` is the home page, with `Link: <…/wp-json/>; rel="https://api.w.org/"` (or
///   `<…/?rest_route=/>` with plain permalinks, `plainPermalinks`), and a 304 when
///   `If-None-Match` names its ETag;
/// - `GET /wp-json/wp/v2/posts` (or `/?rest_route=/wp/v2/posts`) takes `status=publish` only
///   (anything else is a 400 `rest_invalid_param` for a visitor), `per_page` 1…100, `page` ≥ 1
///   (past the last page: 400 `rest_post_invalid_page_number`), `modified_after` as RFC 3339
///   (else 400), `_embed`; answers newest first with `X-WP-Total` and `X-WP-TotalPages`, and
///   embeds `wp:term` (categories, then tags) and `wp:featuredmedia` only when `_embed` asks;
/// - links use `linkBase`, which `move(to:)` changes as a host move does (ids stay);
///   `edit` changes a post and its `modified_gmt`; `fault` answers instead, for failures.
public final class FakeWordPress: @unchecked Sendable {
    public struct Post: Sendable {
        public var id: Int
        public var slug: String
        /// `title.rendered`: HTML, entities as WordPress writes them (`&#8217;`).
        public var title: String
        public var content: String
        /// An excerpt the author wrote; nil makes WordPress's own (the first words + `[&hellip;]`).
        public var excerpt: String?
        public var date: Date
        public var modified: Date
        public var status: String
        public var categories: [String]
        public var tags: [String]
        public var image: (url: String, alt: String, caption: String)?

        public init(id: Int, slug: String, title: String, content: String, excerpt: String? = nil, date: Date,
                    status: String = "publish", categories: [String] = ["Uncategorized"], tags: [String] = [],
                    image: (url: String, alt: String, caption: String)? = nil) {
            self.id = id
            self.slug = slug
            self.title = title
            self.content = content
            self.excerpt = excerpt
            self.date = date
            self.modified = date
            self.status = status
            self.categories = categories
            self.tags = tags
            self.image = image
        }
    }

    private let lock = NSLock()
    private var stored: [Int: Post] = [:]
    private var base: String?
    private var plain = false
    private var injected: (@Sendable (RecordedRequest) -> FakeResponse?)?
    public private(set) var server: FakeServer!

    public init(posts: [Post] = []) throws {
        for post in posts { stored[post.id] = post }
        server = try FakeServer { [unowned self] request, _ in self.handle(request) }
    }

    /// The home page, as `[source] url` names it.
    public var homeURL: String { server.baseURL + "/" }
    /// Where post links point: the server itself unless `move(to:)` said otherwise.
    public var linkBase: String { lock.withLock { base ?? server.baseURL } }
    public var requests: [RecordedRequest] { server.requests }
    /// The posts requests received (not the home page).
    public var postsRequests: [RecordedRequest] {
        requests.filter { $0.path.hasSuffix("/wp/v2/posts") || $0.query.contains("rest_route=%2Fwp%2Fv2%2Fposts") || $0.query.contains("rest_route=/wp/v2/posts") }
    }

    public var plainPermalinks: Bool {
        get { lock.withLock { plain } }
        set { lock.withLock { plain = newValue } }
    }

    /// Answers with `response` instead, while it gives one (a fault, a 503, a wrong body).
    public func fault(_ response: (@Sendable (RecordedRequest) -> FakeResponse?)?) { lock.withLock { injected = response } }

    public func add(_ post: Post) { lock.withLock { stored[post.id] = post } }

    /// Changes a post as saving it in the editor does: `modified` becomes `at`.
    public func edit(_ id: Int, at: Date, _ change: (inout Post) -> Void) {
        lock.withLock {
            guard var post = stored[id] else { return }
            change(&post)
            post.modified = at
            stored[id] = post
        }
    }

    /// Deletes a post for good (emptying the trash).
    public func delete(_ id: Int) { lock.withLock { _ = stored.removeValue(forKey: id) } }

    /// The site answers as if moved to `linkBase` (`update_option('home', …)`): links change,
    /// ids and modified dates do not.
    public func move(to linkBase: String) { lock.withLock { base = linkBase } }

    // MARK: Answers

    private func handle(_ request: RecordedRequest) -> FakeResponse {
        // A fault runs outside the lock, so a slow one (a page that takes its time) delays only
        // its own request, as on a real server answering several at once.
        if let injected = lock.withLock({ injected }), let response = injected(request) { return response }
        return lock.withLock {
            let query = Dictionary(FormEncoding.decode(request.query), uniquingKeysWith: { first, _ in first })
            let links = base ?? server.baseURL
            if request.path == "/wp-json/wp/v2/posts" || (request.path == "/" && query["rest_route"] == "/wp/v2/posts") {
                return posts(query, links: links)
            }
            if request.path == "/", query["rest_route"] == nil {
                let api = plain ? server.baseURL + "/?rest_route=/" : server.baseURL + "/wp-json/"
                let etag = "\"home-\(stored.count)\""
                if request.header("If-None-Match") == etag { return FakeResponse(status: 304, headers: [("ETag", etag)]) }
                return FakeResponse(status: 200, headers: [("Content-Type", "text/html; charset=UTF-8"), ("ETag", etag),
                                                           ("Link", "<\(api)>; rel=\"https://api.w.org/\"")],
                                    body: Data("<!doctype html><html><head><title>Reviews</title></head><body><h1>Reviews</h1></body></html>".utf8))
            }
            return .json(404, #"{"code":"rest_no_route","message":"No route was found matching the URL and request method.","data":{"status":404}}"#)
        }
    }

    private func invalid(_ parameter: String, _ message: String) -> FakeResponse {
        .json(400, #"{"code":"rest_invalid_param","message":"Invalid parameter(s): \#(parameter)","data":{"status":400,"params":{"\#(parameter)":"\#(message)"}}}"#)
    }

    private func posts(_ query: [String: String], links: String) -> FakeResponse {
        if let status = query["status"], status != "publish" {
            return invalid("status", "Status is forbidden.")
        }
        let perPage = query["per_page"].map { Int($0) ?? -1 } ?? 10
        guard (1...100).contains(perPage) else { return invalid("per_page", "per_page must be between 1 (inclusive) and 100 (inclusive)") }
        let page = query["page"].map { Int($0) ?? -1 } ?? 1
        guard page >= 1 else { return invalid("page", "page must be greater than or equal to 1") }
        var modifiedAfter: Date?
        if let text = query["modified_after"] {
            guard let date = try? Date.ISO8601FormatStyle().parse(text) else { return invalid("modified_after", "Invalid date.") }
            modifiedAfter = date
        }
        let embed = query["_embed"].map { $0.isEmpty ? ["wp:term", "wp:featuredmedia"] : $0.components(separatedBy: ",") } ?? []
        let matching = stored.values
            .filter { post in post.status == "publish" && (modifiedAfter.map { post.modified > $0 } ?? true) }
            .sorted { $0.date != $1.date ? $0.date > $1.date : $0.id > $1.id }
        let total = matching.count
        let pages = (total + perPage - 1) / perPage
        if page > max(pages, 1) {
            return .json(400, #"{"code":"rest_post_invalid_page_number","message":"The page number requested is larger than the number of pages available.","data":{"status":400}}"#)
        }
        let slice = matching.dropFirst((page - 1) * perPage).prefix(perPage)
        let json = slice.map { render($0, links: links, embed: embed) }
        let body = try! JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .withoutEscapingSlashes])
        return FakeResponse(status: 200, headers: [("Content-Type", "application/json; charset=UTF-8"),
                                                   ("X-WP-Total", String(total)), ("X-WP-TotalPages", String(pages))], body: body)
    }

    private static func gmt(_ date: Date) -> String {
        String(date.formatted(Date.ISO8601FormatStyle()).dropLast())  // WordPress's `_gmt` fields carry no `Z`
    }

    private func render(_ post: Post, links: String, embed: [String]) -> [String: Any] {
        let link = "\(links)/\(post.slug)/"
        let excerpt = post.excerpt ?? "<p>" + Self.words(post.content, 55) + " [&hellip;]</p>\n"
        var json: [String: Any] = [
            "id": post.id, "slug": post.slug, "status": post.status, "type": "post", "link": link,
            "date": Self.gmt(post.date), "date_gmt": Self.gmt(post.date),
            "modified": Self.gmt(post.modified), "modified_gmt": Self.gmt(post.modified),
            "guid": ["rendered": "\(links)/?p=\(post.id)"],
            "title": ["rendered": post.title],
            "content": ["rendered": post.content, "protected": false],
            "excerpt": ["rendered": excerpt, "protected": false],
            "author": 1, "featured_media": post.image == nil ? 0 : 1000 + post.id,
            "categories": post.categories.indices.map { $0 + 1 }, "tags": post.tags.indices.map { $0 + 100 },
        ]
        var embedded: [String: Any] = [:]
        if embed.contains("wp:term") {
            let categories = post.categories.enumerated().map { ["id": $0.offset + 1, "name": $0.element, "taxonomy": "category", "link": "\(links)/category/\($0.offset)/"] as [String: Any] }
            let tags = post.tags.enumerated().map { ["id": $0.offset + 100, "name": $0.element, "taxonomy": "post_tag", "link": "\(links)/tag/\($0.offset)/"] as [String: Any] }
            embedded["wp:term"] = [categories, tags]
        }
        if embed.contains("wp:featuredmedia"), let image = post.image {
            embedded["wp:featuredmedia"] = [["id": 1000 + post.id, "source_url": image.url, "alt_text": image.alt,
                                             "caption": ["rendered": image.caption], "media_type": "image"] as [String: Any]]
        }
        if !embedded.isEmpty { json["_embedded"] = embedded }
        return json
    }

    /// The first `count` words of `html`'s text, as WordPress's generated excerpt has them.
    private static func words(_ html: String, _ count: Int) -> String {
        let text = html.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
        return text.split(whereSeparator: \.isWhitespace).prefix(count).joined(separator: " ")
    }
}
