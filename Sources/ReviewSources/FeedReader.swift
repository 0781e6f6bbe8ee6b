import Foundation
import HTTP
import Reviews

/// What one read of a feed source gave.
struct FeedRead: Sendable {
    /// Every item known: this read's, over the last good copy's (a feed shows only its newest
    /// items, and a failed or partial read never deletes one), newest first. Each has a
    /// `published` date: an item without a readable one has the time it was first seen.
    var items: [RemoteItem]
    /// Items the feed gave that were left out, one line each, naming the URL and line.
    var problems: [Diagnostic]
    /// Why the read failed or stopped short, when the last good copy stood in (docs/SPEC.md
    /// §9 "Remote sources in general"); nil when it succeeded.
    var fallback: String?
}

/// The last good copy of a feed source (`.syndicate/cache/source/feed.json`).
struct FeedCache: Codable, Sendable {
    /// The URL read (a new `url` keeps the items, not the validators).
    var url: String
    /// The validators of the last 200 answer, exactly as the server sent them.
    var etag: String?
    var lastModified: String?
    /// Every item seen, `published` filled in.
    var items: [RemoteItem]
    /// The `post.since` a backfill has reached (or found nothing older than): no later run
    /// reads older pages again for it.
    var backfilled: Date?
}

/// Reads a feed over HTTP (docs/SPEC.md §9 "feed"): a conditional GET from the last answer's
/// validators, the answer merged over the last good copy, and older pages (`?paged=N`, as
/// WordPress feeds have) read when `post.since` asks for items older than any known.
struct FeedReader: Sendable {
    var url: String
    var http: any HTTPClient
    /// Where the last good copy is kept.
    var cacheFile: URL
    var now: Date
    /// `post.since`: a backfill reads older pages until it is passed.
    var since: Date?
    /// Seconds per request (`post.timeout`).
    var timeout: Double

    /// Redirects followed per request: a feed that moved still reads, however it was moved.
    static let maximumRedirects = 5
    /// Older pages read at most in one backfill.
    static let maximumPages = 1000

    /// - Throws: `Diagnostics` naming the URL when the feed cannot be read and there is no
    ///   last good copy.
    func read() async throws(Diagnostics) -> FeedRead {
        let cached = CacheFile.load(FeedCache.self, from: cacheFile)
        var cache = cached ?? FeedCache(url: url, items: [])
        let validators = cached?.url == url ? cached : nil
        var problems: [Diagnostic] = []
        var firstPage = cache.items.map(\.id)
        do throws(FeedFailure) {
            switch try await get(url, etag: validators?.etag, lastModified: validators?.lastModified) {
            case .notModified:
                guard validators != nil else { throw FeedFailure(url: url, message: "HTTP 304 to a request that was not conditional") }
            case .feed(let parsed, let etag, let lastModified):
                cache.url = url
                cache.etag = etag
                cache.lastModified = lastModified
                merge(parsed.items, into: &cache)
                firstPage = parsed.items.map(\.id)
                problems += parsed.problems.map { Diagnostic(file: url, line: $0.line, key: "item", message: $0.message) }
            }
        } catch {
            guard let cached else { throw Diagnostics([error.diagnostic]) }
            return FeedRead(items: cached.items, problems: [], fallback: error.diagnostic.description)
        }
        let fallback = await backfill(&cache, firstPage: firstPage, problems: &problems)
        CacheFile.store(cache, at: cacheFile)
        return FeedRead(items: cache.items, problems: problems, fallback: fallback)
    }

    /// Reads older pages while `since` is older than every item known.
    /// - Returns: why the backfill stopped short, if it did (it tries again next run).
    /// - Parameter firstPage: the identities the feed's own URL gave (or the last good copy's,
    ///   after a 304).
    private func backfill(_ cache: inout FeedCache, firstPage: [String], problems: inout [Diagnostic]) async -> String? {
        guard let since, cache.backfilled.map({ $0 > since }) ?? true else { return nil }
        var page = 2
        var previous = firstPage
        while page <= Self.maximumPages, let oldest = cache.items.compactMap(\.published).min(), oldest > since {
            let pageURL = Self.paged(url, page)
            do throws(FeedFailure) {
                guard case .feed(let parsed, _, _) = try await get(pageURL, etag: nil, lastModified: nil) else { break }
                // A server that ignores `paged` answers the same page again: that ends it.
                let ids = parsed.items.map(\.id)
                guard !ids.isEmpty, ids != previous else { break }
                previous = ids
                merge(parsed.items, into: &cache)
                problems += parsed.problems.map { Diagnostic(file: pageURL, line: $0.line, key: "item", message: $0.message) }
            } catch where error.endOfPages {
                break
            } catch {
                return error.diagnostic.description + "; older items will be read on the next run"
            }
            page += 1
        }
        cache.backfilled = since
        return nil
    }

    /// This read's items over the known ones: an item seen again replaces its old copy (an
    /// edit), keeping its first-seen date when it still has no date of its own.
    private func merge(_ items: [RemoteItem], into cache: inout FeedCache) {
        var byID = Dictionary(cache.items.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for var item in items {
            item.published = item.published ?? byID[item.id]?.published ?? now
            byID[item.id] = item
        }
        cache.items = byID.values.sorted { ($0.published ?? now, $1.id) > ($1.published ?? now, $0.id) }
    }

    /// `url` with `paged=N` added to its query.
    static func paged(_ url: String, _ page: Int) -> String {
        guard var components = URLComponents(string: url) else { return url }
        var items = (components.queryItems ?? []).filter { $0.name != "paged" }
        items.append(URLQueryItem(name: "paged", value: String(page)))
        components.queryItems = items
        return components.string ?? url
    }

    // MARK: One GET

    private enum Answer {
        case notModified
        case feed(ParsedFeed, etag: String?, lastModified: String?)
    }

    private func get(_ start: String, etag: String?, lastModified: String?) async throws(FeedFailure) -> Answer {
        var target = start
        for _ in 0...Self.maximumRedirects {
            var request = HTTPRequest(method: "GET", url: target, timeout: timeout)
            request.headers["Accept"] = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
            if let etag { request.headers["If-None-Match"] = etag }
            if let lastModified { request.headers["If-Modified-Since"] = lastModified }
            // One byte over the cap: a body that long was too long.
            request.maximumBody = FeedParser.maximumSize + 1
            let response: HTTPResponse
            do {
                response = try await http.send(request)
            } catch {
                throw FeedFailure(url: target, message: "cannot read the feed: \(error)")
            }
            switch response.status {
            case 304:
                return .notModified
            case 301, 302, 303, 307, 308:
                guard let location = response.headers["Location"], let next = FeedParser.absoluteLink(location, base: URL(string: target)) else {
                    throw FeedFailure(url: target, message: "HTTP \(response.status) without a usable Location")
                }
                target = next
                continue
            case 200..<300:
                guard response.body.count <= FeedParser.maximumSize else { throw FeedFailure(url: target, message: "larger than 20 MB; not read") }
                guard response.bodyComplete else {
                    throw FeedFailure(url: target, message: "the answer broke off after \(response.body.count) bytes (truncated)")
                }
                do throws(FeedParseError) {
                    let parsed = try FeedParser.parse(response.body, charset: Self.charset(response.headers["Content-Type"]), url: target)
                    return .feed(parsed, etag: response.headers["ETag"], lastModified: response.headers["Last-Modified"])
                } catch {
                    throw FeedFailure(url: target, line: error.line, message: error.message, endOfPages: true)
                }
            default:
                throw FeedFailure(url: target, message: "HTTP \(response.status)", endOfPages: response.status == 404 || response.status == 410)
            }
        }
        throw FeedFailure(url: start, message: "more than \(Self.maximumRedirects) redirects")
    }

    /// The `charset` parameter of a `Content-Type`, unquoted.
    static func charset(_ contentType: String?) -> String? {
        guard let contentType else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let parts = parameter.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "charset" else { continue }
            let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: " \t\""))
            return value.isEmpty ? nil : value
        }
        return nil
    }
}

/// Why a feed (or one page of it) could not be read.
struct FeedFailure: Error {
    var url: String
    var line = 1
    var message: String
    /// A 404 or a document that is no feed: a backfill's last page, not a failure.
    var endOfPages = false

    /// `URL:LINE: feed: message`.
    var diagnostic: Diagnostic { Diagnostic(file: url, line: line, key: "feed", message: message) }
}
