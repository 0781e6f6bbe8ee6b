import Foundation
import HTTP
import Reviews

/// `kind = "wordpress"`: the published posts of a WordPress site, through its REST API
/// (docs/SPEC.md §9, README "WordPress facts").
///
/// The first read asks for every published post, 100 a page; later reads ask only for the
/// posts modified since the last read (less an hour, for clocks and slow saves) and merge
/// them into the last good copy, so a run with nothing new costs one small request. A read
/// that fails, whole or part way, changes nothing that was read before: the copy stands in
/// for it and the command says so. Identity is the post id, so a host move or a new
/// permalink pattern changes links, never identities.
public struct WordPressSource: SourceKind {
    public struct Options: Sendable {
        /// The site's home page.
        public var url = ""
        /// Keep only posts with one of these categories, tags or genres; empty keeps all.
        public var only: [String] = []
    }

    public static let kindName = "wordpress"

    public static func options(_ table: inout ConfigTable) -> Options {
        var options = Options()
        options.url = table.httpURL("url", required: true) ?? ""
        options.only = RemoteItem.onlyNames(&table)
        return options
    }

    /// Seconds between whole reads.
    static let wholeReadInterval: TimeInterval = 86_400
    /// Seconds the later reads reach back before the last one began.
    static let overlap: TimeInterval = 3600
    /// The most pages read (100 posts each): a bound on a server that never stops paging.
    static let maximumPages = 2000
    /// The most of a page kept: 100 long reviews with their embeds.
    static let maximumPage = 20 << 20

    private let context: SourceContext
    private let options: Options

    public init(_ context: SourceContext, options: Options) {
        self.context = context
        self.options = options
    }

    /// The last good copy: every post read so far, with when it was first seen.
    struct Copy: Codable {
        struct Entry: Codable {
            var item: RemoteItem
            var firstSeen: Date
        }
        /// The `url` it was read from: a copy of another site is no base for a later read.
        var home: String
        /// The REST API root found on the home page.
        var api: String
        /// When the last complete read began; nil before the first.
        var readAt: Date?
        /// When the last complete read of every post began: the one kind of read that shows
        /// which posts are gone (deleted or unpublished).
        var wholeReadAt: Date?
        var entries: [Entry]
    }

    var copyURL: URL { context.cacheDirectory.appendingPathComponent("wordpress.json") }

    public func read() async throws -> SourceReading {
        let started = context.clock()
        let stored = CacheFile.load(Copy.self, from: copyURL)
        // A copy of the same site is the base of this read; a copy of another `url` (the same
        // blog moved, most likely) still stands in when this read fails, and keeps first-seen
        // times, but this read is a whole one.
        let sameSite = stored?.home == options.url
        var copy = Copy(home: options.url, api: sameSite ? stored?.api ?? "" : "", readAt: sameSite ? stored?.readAt : nil,
                        wholeReadAt: sameSite ? stored?.wholeReadAt : nil, entries: stored?.entries ?? [])
        var entries: [String: Copy.Entry] = [:]
        for entry in copy.entries { entries[entry.item.id] = entry }
        var seen = Set<String>()
        func take(_ posts: [RemoteItem]) {
            for post in posts {
                entries[post.id] = Copy.Entry(item: post, firstSeen: entries[post.id]?.firstSeen ?? started)
                seen.insert(post.id)
            }
        }
        // Once a day the read is a whole one, so that deleted and unpublished posts leave.
        var whole = copy.readAt == nil || copy.wholeReadAt.map { started.timeIntervalSince($0) >= Self.wholeReadInterval } ?? true
        var failure: String?
        do {
            let apiWasKnown = !copy.api.isEmpty
            if !apiWasKnown { copy.api = try await discover() }
            var pagesRead = 0
            var total: Int?
            do {
                let since = whole ? nil : copy.readAt.map { $0.addingTimeInterval(-Self.overlap) }
                total = try await readPosts(api: copy.api, since: since) { pagesRead += 1; take($0) }
            } catch let error as ReadFailure where apiWasKnown && pagesRead == 0 {
                // The API may have moved (a new host, permalinks switched on or off): look
                // again once, from the home page. Every link may have changed with it, and no
                // post's modified date did: a whole read.
                let api = try await discover()
                guard api != copy.api else { throw error }
                copy.api = api
                whole = true
                total = try await readPosts(api: api, since: nil) { take($0) }
            }
            copy.readAt = started
            // A whole read that saw every post WordPress counted tells which are gone; one that
            // saw fewer (posts moved between pages while it read) tells nothing, and the next
            // run reads whole again. One that saw none at all, when there were posts, is taken
            // for a site answering wrongly (a plugin, a cache), not a blog emptied overnight.
            if whole, let total, seen.count >= total, !seen.isEmpty || entries.isEmpty {
                entries = entries.filter { seen.contains($0.key) }
                copy.wholeReadAt = started
            }
        } catch let error as ReadFailure {
            failure = error.message
        }
        copy.entries = entries.values.sorted { $0.item.id < $1.item.id }
        if let failure, stored == nil {
            throw Diagnostics([Diagnostic(file: options.url, line: 1, key: "source",
                                          message: failure + " (and there is no copy from an earlier read)")])
        }
        // Posts read before a failure part way are kept; the next read starts from the same
        // time again, so nothing after them is skipped.
        CacheFile.store(copy, at: copyURL)
        var reading = reviews(from: copy.entries)
        reading.fallback = failure
        return reading
    }

    /// Every entry mapped: reviews newest first, problems in identity order.
    func reviews(from entries: [Copy.Entry]) -> SourceReading {
        var reviews: [Review] = []
        var diagnostics: [Diagnostic] = []
        // Each post is mapped on its own (HTML parsed, facts read, body sanitised): on every
        // core, as review files are read (bench/source: a cold read of 2,000 posts).
        let (config, only) = (context.config, options.only)
        let mapped = ParallelMap.map(entries) { entry in entry.item.review(site: config, only: only, firstSeen: entry.firstSeen) }
        for result in mapped {
            switch result {
            case .review(let review): reviews.append(review)
            case .excluded: break
            case .problem(let problem): diagnostics.append(problem)
            }
        }
        reviews.sort { $0.date != $1.date ? $0.date > $1.date : $0.slug < $1.slug }
        return SourceReading(reviews: reviews, diagnostics: diagnostics)
    }

    // MARK: The REST API

    /// Why a read failed, naming the URL.
    struct ReadFailure: Error {
        var message: String
        init(_ url: String, _ reason: String) { message = "\(url): \(reason)" }
    }

    /// The REST API root: the home page's `Link: <…>; rel="https://api.w.org/"` header, else
    /// the same link in its HTML, else `?rest_route=/` (plain permalinks). Redirects from the
    /// home page are followed (a site that moved host).
    func discover() async throws -> String {
        var url = options.url
        for _ in 0..<5 {
            let response = try await get(url, maximumBody: HTTPResponse.maximumBody, acceptingRedirects: true)
            if (300..<400).contains(response.status), let location = response.headers["Location"] {
                let next = URLResolver.absolute(location, base: URL(string: url)!)
                guard ConfigTable.isHTTPURL(next) else { throw ReadFailure(url, "redirected to \"\(location)\", which is not an http(s) URL") }
                url = next
                continue
            }
            if let link = Self.apiLink(response.headers) ?? Self.apiLink(html: response.text) {
                let api = URLResolver.absolute(link, base: URL(string: url)!)
                if ConfigTable.isHTTPURL(api) { return api }
            }
            let home = url.split(separator: "?", maxSplits: 1)[0]
            return (home.hasSuffix("/") ? String(home) : home + "/") + "?rest_route=/"
        }
        throw ReadFailure(options.url, "too many redirects")
    }

    /// The API root named by `Link` header fields.
    static func apiLink(_ headers: HTTPHeaders) -> String? {
        for field in headers where field.name.lowercased() == "link" {
            for link in field.value.split(separator: ",") {
                let parts = link.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                guard let target = parts.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
                if parts.dropFirst().contains(where: { $0.replacingOccurrences(of: "\"", with: "") == "rel=https://api.w.org/" }) {
                    return String(target.dropFirst().dropLast())
                }
            }
        }
        return nil
    }

    /// The API root named by `<link rel="https://api.w.org/" href="…">` in a page.
    static func apiLink(html: String) -> String? {
        let document = HTMLDocument(html)
        // The tree's nodes live as long as the document: keep it to the end of the scope.
        defer { withExtendedLifetime(document) {} }
        return document.elements(named: "link").first { element in
            HTMLDocument.attributes(element).contains { $0.name == "rel" && $0.value == "https://api.w.org/" }
        }.flatMap { element in HTMLDocument.attributes(element).first { $0.name == "href" }?.value }
    }

    /// The posts URL for one page, on either form of API root (`/wp-json/` or `?rest_route=/`).
    static func postsURL(api: String, page: Int, since: Date?) -> String {
        var parameters = ["status=publish", "per_page=100", "page=\(page)", "_embed=wp:term,wp:featuredmedia"]
        if let since {
            parameters.append("modified_after=" + since.formatted(Date.ISO8601FormatStyle()))
        }
        if let range = api.range(of: "rest_route=") {
            let tail = api[range.upperBound...]
            let route = tail.prefix { $0 != "&" }
            let base = api[..<range.upperBound] + (route.hasSuffix("/") ? route : route + "/") + "wp/v2/posts" + tail.dropFirst(route.count)
            return base + "&" + parameters.joined(separator: "&")
        }
        return (api.hasSuffix("/") ? api : api + "/") + "wp/v2/posts?" + parameters.joined(separator: "&")
    }

    /// Pages asked for at once after the first. A real WordPress takes a good part of a second
    /// to make a page of 100 posts with their terms and images: four at a time cut a cold read
    /// of a large blog (2,000 posts, 20 pages) about fourfold, without pressing a small host.
    static let pagesAtOnce = 4

    /// Reads every page, handing each page's posts over in page order: the first alone (its
    /// `X-WP-TotalPages` says how many follow), then the rest up to `pagesAtOnce` at a time.
    /// A failure hands over the pages before it, then throws.
    /// - Returns: how many posts WordPress counted (`X-WP-Total` of the first page), if it said.
    func readPosts(api: String, since: Date?, _ take: ([RemoteItem]) -> Void) async throws -> Int? {
        let first = try await readPage(api: api, page: 1, since: since)
        take(first.items)
        guard let count = first.headers["X-WP-TotalPages"].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), count >= 0 else {
            throw ReadFailure(Self.postsURL(api: api, page: 1, since: since), "no X-WP-TotalPages header: this is not WordPress's REST API")
        }
        let pages = min(count, Self.maximumPages)
        let total = first.headers["X-WP-Total"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard pages >= 2 else { return total }
        try await withThrowingTaskGroup(of: (page: Int, items: Result<[RemoteItem], ReadFailure>).self) { group in
            var next = 2
            func ask() {
                let page = next
                next += 1
                group.addTask {
                    do {
                        return (page, .success(try await readPage(api: api, page: page, since: since).items))
                    } catch let failure as ReadFailure {
                        return (page, .failure(failure))
                    }
                }
            }
            while next <= pages, next - 2 < Self.pagesAtOnce { ask() }
            var arrived: [Int: Result<[RemoteItem], ReadFailure>] = [:]
            var handedOver = 1
            while let (page, items) = try await group.next() {
                arrived[page] = items
                while let ready = arrived.removeValue(forKey: handedOver + 1) {
                    take(try ready.get())
                    handedOver += 1
                }
                if next <= pages { ask() }
            }
        }
        return total
    }

    /// One page of posts, decoded.
    private func readPage(api: String, page: Int, since: Date?) async throws(ReadFailure) -> (items: [RemoteItem], headers: HTTPHeaders) {
        let url = Self.postsURL(api: api, page: page, since: since)
        let response = try await get(url, maximumBody: Self.maximumPage, acceptingRedirects: false)
        guard response.bodyComplete else { throw ReadFailure(url, "the answer was cut short") }
        guard let posts = try? JSONDecoder().decode([Lenient<WordPressPost>].self, from: response.body) else {
            throw ReadFailure(url, "the answer is not WordPress's list of posts (JSON)")
        }
        guard posts.allSatisfy({ $0.value != nil }) else { throw ReadFailure(url, "the answer holds something that is not a WordPress post") }
        return (posts.compactMap { $0.value?.item }, response.headers)
    }

    private func get(_ url: String, maximumBody: Int, acceptingRedirects: Bool) async throws(ReadFailure) -> HTTPResponse {
        var request = HTTPRequest(method: "GET", url: url, headers: ["Accept": acceptingRedirects ? "text/html" : "application/json"])
        request.maximumBody = maximumBody
        let response: HTTPResponse
        do {
            response = try await context.http.send(request)
        } catch {
            throw ReadFailure(url, "\(error)")
        }
        if acceptingRedirects, (300..<400).contains(response.status) { return response }
        guard response.isSuccess else { throw ReadFailure(url, "HTTP status \(response.status)") }
        return response
    }
}
