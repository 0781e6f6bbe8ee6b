import Foundation
import HTTP

/// A strict fake of a review blog's feeds on 127.0.0.1, shaped like WordPress's: `/feed/`
/// (RSS 2.0, `guid isPermaLink="false"` = `HOME/?p=ID`, `content:encoded`, `category`,
/// `media:content`), `/feed/atom/` (Atom 1.0) and `/feed.json` (JSON Feed 1.1), newest
/// first, `perPage` items a page, older pages at `?paged=N` and a 404 past the last, as
/// WordPress answers. Each answer carries an `ETag` and a `Last-Modified`, and a request
/// whose `If-None-Match` or `If-Modified-Since` matches them exactly gets a 304.
///
/// Tests change the blog as a reviewer would (`add`, `edit`), move it (`linkHost`: the
/// links change, the guids do not, as on WordPress), or break it (`override`: any answer,
/// faults included, for the next requests).
public final class FakeFeedSite: @unchecked Sendable {
    public struct Post: Sendable {
        public var id: Int
        public var slug: String
        public var title: String
        public var date: Date
        public var modified: Date
        /// HTML.
        public var body: String
        public var categories: [String]
        public var image: String?

        public init(id: Int, slug: String, title: String, date: Date, modified: Date? = nil, body: String,
                    categories: [String] = ["Reviews"], image: String? = nil) {
            self.id = id
            self.slug = slug
            self.title = title
            self.date = date
            self.modified = modified ?? date
            self.body = body
            self.categories = categories
            self.image = image
        }
    }

    private let lock = NSLock()
    private var posts: [Post] = []
    private var overrides: [FakeResponse] = []
    private var host: String?
    public let perPage: Int
    public private(set) var server: FakeServer!

    public init(perPage: Int = 10) throws {
        self.perPage = perPage
        server = try FakeServer { [unowned self] request, _ in self.handle(request) }
    }

    public var baseURL: String { server.baseURL }
    public var rssURL: String { baseURL + "/feed/" }
    public var atomURL: String { baseURL + "/feed/atom/" }
    public var jsonURL: String { baseURL + "/feed.json" }
    public var requests: [RecordedRequest] { server.requests }

    /// Publishes posts (any order; the feeds list them newest first).
    public func add(_ new: Post...) { lock.withLock { posts += new } }

    /// Edits a post as a reviewer would: new text, a new modified time; same id and date.
    public func edit(_ id: Int, title: String? = nil, body: String? = nil, at time: Date) {
        lock.withLock {
            guard let index = posts.firstIndex(where: { $0.id == id }) else { return }
            if let title { posts[index].title = title }
            if let body { posts[index].body = body }
            posts[index].modified = time
        }
    }

    /// Removes a post from the feeds (deleted, or unpublished).
    public func remove(_ id: Int) { lock.withLock { posts.removeAll { $0.id == id } } }

    /// The host the posts' links name from now on (`https://HOST/…`): a blog that moved. The
    /// guids keep naming the old home, as WordPress's do.
    public func moveLinks(to host: String) { lock.withLock { self.host = host } }

    /// The next requests get these answers, in order, whatever they ask.
    public func override(_ responses: FakeResponse...) { lock.withLock { overrides += responses } }

    // MARK: Serving

    private func handle(_ request: RecordedRequest) -> FakeResponse {
        lock.withLock {
            if !overrides.isEmpty { return overrides.removeFirst() }
            guard request.method == "GET" else { return .text(405, "method not allowed") }
            let query = Dictionary(FormEncoding.decode(request.query), uniquingKeysWith: { first, _ in first })
            let page = query["paged"].map { Int($0) ?? 0 } ?? 1
            let sorted = posts.sorted { ($0.date, $0.id) > ($1.date, $1.id) }
            let pages = max(1, (sorted.count + perPage - 1) / perPage)
            guard page >= 1, page <= pages else { return .text(404, "<html><body>Page not found</body></html>") }
            let slice = Array(sorted.dropFirst((page - 1) * perPage).prefix(perPage))
            let body: String, type: String
            switch request.path {
            case "/feed/": (body, type) = (rss(slice), "application/rss+xml; charset=UTF-8")
            case "/feed/atom/": (body, type) = (atom(slice), "application/atom+xml; charset=UTF-8")
            case "/feed.json": (body, type) = (json(slice), "application/feed+json")
            default: return .text(404, "not found")
            }
            // FNV-1a of the body: the same body, the same tag, in any process.
            let etag = "\"" + String(body.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }, radix: 16) + "\""
            let lastModified = Self.httpDate(slice.map(\.modified).max() ?? Date(timeIntervalSince1970: 0))
            if request.header("If-None-Match") == etag || (request.header("If-None-Match") == nil && request.header("If-Modified-Since") == lastModified) {
                return FakeResponse(status: 304, headers: [("ETag", etag), ("Last-Modified", lastModified)])
            }
            return FakeResponse(status: 200, headers: [("Content-Type", type), ("ETag", etag), ("Last-Modified", lastModified)],
                                body: Data(body.utf8))
        }
    }

    private var home: String { baseURL }
    private func link(_ post: Post) -> String {
        let components = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: post.date)
        let root = host.map { "https://\($0)" } ?? home
        return root + String(format: "/%04d/%02d/%02d/", components.year!, components.month!, components.day!) + post.slug + "/"
    }

    private func rss(_ posts: [Post]) -> String {
        let items = posts.map { post in
            """
                <item>
                    <title>\(Self.escape(post.title))</title>
                    <link>\(Self.escape(link(post)))</link>
                    <dc:creator><![CDATA[A Critic]]></dc:creator>
                    <pubDate>\(Self.httpDate(post.date).replacingOccurrences(of: "GMT", with: "+0000"))</pubDate>
            \(post.categories.map { "        <category><![CDATA[\($0)]]></category>" }.joined(separator: "\n"))
                    <guid isPermaLink="false">\(home)/?p=\(post.id)</guid>
                    <description><![CDATA[\(Self.excerpt(post.body)) [&#8230;]]]></description>
                    <content:encoded><![CDATA[\(post.body)]]></content:encoded>
            \(post.image.map { "        <media:content url=\"\(Self.escape($0))\" medium=\"image\"/>" } ?? "")
                </item>
            """
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
            <channel>
                <title>A Fake Review Blog</title>
                <atom:link href="\(home)/feed/" rel="self" type="application/rss+xml"/>
                <link>\(home)</link>
                <description>Reviews</description>
            \(items.joined(separator: "\n"))
            </channel>
            </rss>

            """
    }

    private func atom(_ posts: [Post]) -> String {
        let entries = posts.map { post in
            """
                <entry>
                    <title type="html">\(Self.escape(post.title))</title>
                    <link rel="alternate" type="text/html" href="\(Self.escape(link(post)))"/>
                    <id>\(home)/?p=\(post.id)</id>
                    <published>\(Self.isoDate(post.date))</published>
                    <updated>\(Self.isoDate(post.modified))</updated>
            \(post.categories.map { "        <category term=\"\(Self.escape($0))\"/>" }.joined(separator: "\n"))
                    <content type="html">\(Self.escape(post.body))</content>
                </entry>
            """
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
                <title>A Fake Review Blog</title>
                <id>\(home)/</id>
                <updated>\(Self.isoDate(posts.map(\.modified).max() ?? Date(timeIntervalSince1970: 0)))</updated>
            \(entries.joined(separator: "\n"))
            </feed>

            """
    }

    private func json(_ posts: [Post]) -> String {
        let items: [[String: Any]] = posts.map { post in
            var item: [String: Any] = ["id": "\(home)/?p=\(post.id)", "url": link(post), "title": post.title,
                                       "content_html": post.body, "date_published": Self.isoDate(post.date),
                                       "date_modified": Self.isoDate(post.modified), "tags": post.categories]
            if let image = post.image { item["image"] = image }
            return item
        }
        let document: [String: Any] = ["version": "https://jsonfeed.org/version/1.1", "title": "A Fake Review Blog",
                                       "home_page_url": home, "items": items]
        let data = try! JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    private static func excerpt(_ html: String) -> String {
        let text = html.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
        return text.split(separator: " ").prefix(20).joined(separator: " ")
    }

    public static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// IMF-fixdate (`Tue, 11 Mar 2025 13:30:00 GMT`).
    public static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    public static func isoDate(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
