import Foundation
import HTTP
import Reviews

extension SiteInitializer {
    /// The site at a URL (README "Sources"): a WordPress site when the page names its REST API
    /// (`Link: <…>; rel="https://api.w.org/"`, or that `<link>` in it) and that root reads (`[site]` from its
    /// `name`, `description`, `home` and `timezone_string`); else a feed: the URL itself when
    /// it is one, else the first feed the page links to with `<link rel="alternate">`
    /// (`[site]` from the feed's title, link and language). Redirects are followed, up to 5,
    /// and the URL they end at is the one kept.
    /// - Throws: `SiteInitError` naming the URL when it cannot be read or has no feed.
    public static func sketch(url: String, http: any HTTPClient) async throws(SiteInitError) -> SiteSketch {
        guard ConfigTable.isHTTPURL(url) else { throw SiteInitError("\(url): not an absolute http(s) URL") }
        let page = try await fetch(url, http)
        var notes: [String] = []
        if let api = apiRoot(page) {
            switch await wordpress(api: api, page: page, http) {
            case .success(let sketch): return sketch
            case .failure(let problem): notes.append(problem.description + ": read as a feed instead")
            }
        }
        var sketch = SiteSketch(shape: .feed, sourceKind: "feed")
        let head: SiteMarkup.FeedHead
        var pageURL: String?
        if let found = feedHead(page) {
            head = found
            sketch.sourceURL = page.url
        } else {
            let (feeds, title) = SiteMarkup.alternates(html: page.response.body, base: URL(string: page.url)!)
            guard let feedURL = feeds.first else {
                if page.response.body.starts(with: Data("<?xml".utf8)) {
                    throw SiteInitError("\(page.url): XML, but no RSS or Atom feed libxml2 can read")
                }
                throw SiteInitError("\(page.url): no WordPress REST API (Link rel=\"https://api.w.org/\") and no feed "
                                    + "(<link rel=\"alternate\"> to RSS, Atom or JSON Feed) found")
            }
            let feed = try await fetch(feedURL, http)
            guard var found = feedHead(feed) else {
                throw SiteInitError("\(feed.url): linked from \(page.url) as a feed, but not an RSS, Atom or JSON Feed")
            }
            if found.title == nil { found.title = title }
            head = found
            sketch.sourceURL = feed.url
            pageURL = page.url
        }
        sketch.origin = "the feed"
        sketch.notes = notes
        sketch.title = head.title.map(HTMLText.plain)
        let link = head.link.flatMap { URLResolver.absoluteHTTP($0, base: URL(string: sketch.sourceURL!)!) }
        sketch.url = (link ?? pageURL ?? origin(of: sketch.sourceURL!)).map(ConfigLoader.withoutTrailingSlash)
        sketch.language = head.language
        fillPlaceholders(&sketch, fallbackTitle: URL(string: sketch.sourceURL!)?.host ?? "Reviews")
        return sketch
    }

    /// A page as fetched: the URL its redirects ended at, and the answer.
    struct Fetched {
        var url: String
        var response: HTTPResponse

        /// The `charset` of its `Content-Type`, for the parser.
        var charset: String? {
            guard let type = response.headers["Content-Type"] else { return nil }
            for parameter in type.split(separator: ";").dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if pair.count == 2, pair[0].lowercased() == "charset" { return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"'")) }
            }
            return nil
        }
    }

    /// `GET url`, following up to 5 redirects; a 2xx answer or an error naming the URL.
    static func fetch(_ url: String, _ http: any HTTPClient, accept: String = "text/html, application/rss+xml, application/atom+xml, "
                      + "application/feed+json, application/json;q=0.9, */*;q=0.8") async throws(SiteInitError) -> Fetched {
        var current = url
        for _ in 0...5 {
            var headers = HTTPHeaders()
            headers["Accept"] = accept
            let response: HTTPResponse
            do {
                response = try await http.send(HTTPRequest(method: "GET", url: current, headers: headers, timeout: 30))
            } catch {
                throw SiteInitError("\(current): cannot be read (\(error))")
            }
            if [301, 302, 303, 307, 308].contains(response.status), let location = response.headers["Location"],
               let next = URL(string: current).flatMap({ URLResolver.absoluteHTTP(location, base: $0) }) {
                current = next
                continue
            }
            guard response.isSuccess else { throw SiteInitError("\(current): HTTP \(response.status)") }
            return Fetched(url: current, response: response)
        }
        throw SiteInitError("\(url): more than 5 redirects")
    }

    /// The REST API root a WordPress page names, found as the WordPress source finds it: its
    /// `Link` header, else the same link in its HTML (a cache in front of the site may drop
    /// the header).
    static func apiRoot(_ page: Fetched) -> String? {
        guard let link = WordPressSource.apiLink(page.response.headers) ?? WordPressSource.apiLink(html: page.response.text) else { return nil }
        return URLResolver.absoluteHTTP(link, base: URL(string: page.url)!)
    }

    /// The sketch of a WordPress site from its REST API root, or why it could not be read.
    private static func wordpress(api: String, page: Fetched, _ http: any HTTPClient) async -> Result<SiteSketch, SiteInitError> {
        let root: Fetched
        do {
            root = try await fetch(api, http, accept: "application/json")
        } catch {
            return .failure(SiteInitError("\(api): the WordPress REST API cannot be read (\(error.description))"))
        }
        guard let index = try? JSONDecoder().decode(WordPressIndex.self, from: root.response.body), index.namespaces?.contains("wp/v2") ?? true else {
            return .failure(SiteInitError("\(api): not a WordPress REST API root"))
        }
        var sketch = SiteSketch(shape: .wordpress, sourceKind: "wordpress")
        let home = [index.home, index.url].compactMap { $0 }.first(where: ConfigTable.isHTTPURL) ?? origin(of: page.url) ?? page.url
        sketch.sourceURL = home
        sketch.url = ConfigLoader.withoutTrailingSlash(home)
        sketch.origin = "the REST API root"
        sketch.title = index.name.map(HTMLText.plain)
        sketch.description = index.description.map(HTMLText.plain).flatMap { $0.isEmpty ? nil : $0 }
        if let zone = index.timezone_string, !zone.isEmpty {
            sketch.timezone = zone
        } else if let offset = index.gmt_offset?.value {
            // WordPress set to a UTC offset rather than a city: the IANA Etc zones name whole
            // hours, with the sign reversed (UTC-5 is Etc/GMT+5).
            if offset == 0 {
                sketch.timezone = "UTC"
            } else if offset == offset.rounded(), abs(offset) <= 14 {
                sketch.timezone = "Etc/GMT\(offset > 0 ? "-" : "+")\(Int(abs(offset)))"
            } else {
                sketch.notes.append("the site's time zone is UTC\(offset > 0 ? "+" : "")\(offset), which has no IANA name: UTC is used")
            }
        }
        fillPlaceholders(&sketch, fallbackTitle: URL(string: home)?.host ?? "Reviews")
        return .success(sketch)
    }

    /// `scheme://host[:port]` of a URL, as the remote sources take it.
    private static func origin(of url: String) -> String? {
        URL(string: url).map(RemoteItem.origin).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The feed a fetched page is, if it is one.
    private static func feedHead(_ page: Fetched) -> SiteMarkup.FeedHead? {
        let body = page.response.body
        let first = body.first { !(" \t\r\n".utf8.contains($0)) }
        if first == UInt8(ascii: "{") { return SiteMarkup.jsonFeedHead(body) }
        return SiteMarkup.feedHead(xml: body, charset: page.charset)
    }
}

/// What `init` reads of a WordPress REST API root (`GET /wp-json/`).
private struct WordPressIndex: Decodable {
    var name: String?
    var description: String?
    var url: String?
    var home: String?
    var timezone_string: String?
    var gmt_offset: Offset?
    var namespaces: [String]?

    /// `gmt_offset` is a number, or a string of one, depending on how it was saved.
    struct Offset: Decodable {
        var value: Double?

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            value = (try? container.decode(Double.self)) ?? (try? container.decode(String.self)).flatMap(Double.init)
        }
    }
}
