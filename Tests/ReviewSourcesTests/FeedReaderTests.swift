import Foundation
import HTTP
import Reviews
@testable import ReviewSources
import SyndicateTesting
import Testing

/// Reading a feed over HTTP (docs/SPEC.md §9 "feed" and "Remote sources in general"), against
/// the strict fake blog.
@Suite struct FeedReaderTests {
    static let day: TimeInterval = 86400
    static let start = Date(timeIntervalSince1970: 1_741_600_000) // 2025-03-10

    let cache = FileManager.default.temporaryDirectory.appendingPathComponent("feed-cache-\(UUID().uuidString)/feed.json")

    func reader(_ url: String, now: Date = start.addingTimeInterval(100 * day), since: Date? = nil) -> FeedReader {
        FeedReader(url: url, http: CurlHTTPClient(userAgent: "test"), cacheFile: cache, now: now, since: since, timeout: 10)
    }

    static func post(_ id: Int, daysAgo: Double = 0, categories: [String] = ["Reviews"]) -> FakeFeedSite.Post {
        FakeFeedSite.Post(id: id, slug: "film-\(id)", title: "Film \(id)", date: start.addingTimeInterval(Double(id) * day),
                          body: "<p>Review of film \(id).</p>", categories: categories)
    }

    func blog(posts: Int, perPage: Int = 10) throws -> FakeFeedSite {
        let blog = try FakeFeedSite(perPage: perPage)
        for id in 1...posts { blog.add(Self.post(id)) }
        return blog
    }

    @Test(arguments: ["/feed/", "/feed/atom/", "/feed.json"])
    func aSecondReadIsConditionalAndA304KeepsTheItems(_ path: String) async throws {
        let blog = try blog(posts: 3)
        let first = try await reader(blog.baseURL + path).read()
        #expect(first.items.map(\.id) == ["wordpress:3", "wordpress:2", "wordpress:1"])
        #expect(first.fallback == nil && first.problems.isEmpty)
        let etag = try #require(CacheFile.load(FeedCache.self, from: cache)?.etag)

        let second = try await reader(blog.baseURL + path).read()
        #expect(second.items == first.items)
        let conditional = try #require(blog.requests.last)
        #expect(conditional.header("If-None-Match") == etag, "the validator exactly as the server sent it")
        #expect(conditional.header("If-Modified-Since") != nil)
        #expect(blog.requests.count == 2, "one request per read")
    }

    @Test func aFailedReadUsesTheLastGoodCopyAndWithoutOneNamesTheURL() async throws {
        let blog = try blog(posts: 2)
        blog.override(.text(503, "down"))
        await #expect(throws: Diagnostics.self) { try await reader(blog.rssURL).read() }
        do {
            _ = try await reader(blog.rssURL).read()
        } catch {
            Issue.record("the second read should succeed: \(error)")
        }
        for fault in [FakeResponse.text(500, "oops"), .text(404, "gone"), .fault(.reset), .fault(.truncatedBody),
                      .text(200, "<html>maintenance</html>")] {
            blog.override(fault)
            let read = try await reader(blog.rssURL).read()
            #expect(read.items.map(\.id) == ["wordpress:2", "wordpress:1"], "a failed read never deletes")
            let fallback = try #require(read.fallback)
            #expect(fallback.hasPrefix(blog.rssURL + ":"), "\(fallback)")
        }
    }

    @Test func anUnreachableFeedWithNoCopyIsOneErrorNamingTheURL() async throws {
        do {
            _ = try await reader("http://127.0.0.1:1/feed/").read()
            Issue.record("read from nowhere")
        } catch {
            #expect(error.items.count == 1)
            #expect(error.description.hasPrefix("http://127.0.0.1:1/feed/:1: feed: cannot read the feed: not sent:"), "\(error)")
        }
    }

    @Test func itemsGoneFromTheFeedAreKeptAndEditsReplaceTheirCopy() async throws {
        let blog = try blog(posts: 12)
        let first = try await reader(blog.rssURL).read()
        #expect(first.items.count == 10, "WordPress shows the newest 10")
        blog.add(Self.post(13))
        blog.remove(12)
        blog.edit(11, title: "Film 11, revised", at: Self.start.addingTimeInterval(50 * Self.day))
        let second = try await reader(blog.rssURL).read()
        #expect(second.items.count == 11, "12 fell off or was deleted: still known; 13 is new")
        #expect(second.items.first { $0.id == "wordpress:11" }?.title == "Film 11, revised")
        #expect(Set(second.items.map(\.id)).count == second.items.count, "an edit is the same item, never a second one")
    }

    @Test func aHostMoveKeepsEveryIdentity() async throws {
        let blog = try blog(posts: 3)
        let before = try await reader(blog.rssURL).read()
        blog.moveLinks(to: "reviews.example")
        let after = try await reader(blog.rssURL).read()
        #expect(after.items.map(\.id) == before.items.map(\.id))
        #expect(after.items.allSatisfy { $0.link.hasPrefix("https://reviews.example/") })

        // A feed whose guids are its permalinks: a host move and a new scheme change no identity.
        let old = "<rss version=\"2.0\"><channel><item><title>A</title><guid>http://old.test/2025/03/a/</guid></item></channel></rss>"
        let new = "<rss version=\"2.0\"><channel><item><title>A</title><guid>https://new.test/2025/03/a</guid></item></channel></rss>"
        try FileManager.default.removeItem(at: cache)
        let server = try FakeServer(responses: [.text(200, old), .text(200, new)])
        let one = try await reader(server.baseURL + "/x").read()
        let two = try await reader(server.baseURL + "/x").read()
        #expect(one.items.map(\.id) == ["feed:/2025/03/a"] && two.items.map(\.id) == ["feed:/2025/03/a"])
        #expect(two.items.map(\.link) == ["https://new.test/2025/03/a"])
    }

    @Test func anItemWithNoDateKeepsTheTimeItWasFirstSeen() async throws {
        let feed = "<rss version=\"2.0\"><channel><item><title>A</title><link>https://blog.test/a/</link><pubDate>someday</pubDate></item></channel></rss>"
        let server = try FakeServer(responses: [.text(200, feed)])
        let seen = Self.start
        let first = try await reader(server.baseURL + "/feed", now: seen).read()
        let later = try await reader(server.baseURL + "/feed", now: seen.addingTimeInterval(Self.day)).read()
        #expect(first.items.map(\.published) == [seen])
        #expect(later.items.map(\.published) == [seen])
    }

    @Test func aMovedFeedIsFollowed() async throws {
        let blog = try blog(posts: 1)
        blog.override(FakeResponse(status: 301, headers: [("Location", "/feed/")]))
        let read = try await reader(blog.baseURL + "/old-feed").read()
        #expect(read.items.map(\.id) == ["wordpress:1"])
        #expect(blog.requests.map(\.path) == ["/old-feed", "/feed/"])
    }

    @Test func aBackfillReadsOlderPagesUntilPastSinceOnce() async throws {
        let blog = try blog(posts: 25)
        // Post 8 is dated start + 8 days: pages 1 (25…16) and 2 (15…6) reach it.
        let since = Self.start.addingTimeInterval(8 * Self.day)
        let read = try await reader(blog.rssURL, since: since).read()
        #expect(read.items.count == 20)
        #expect(blog.requests.map(\.query) == ["", "paged=2"])

        // Asking for everything: to the last page and its 404, once.
        let all = try await reader(blog.rssURL, since: Self.start).read()
        #expect(all.items.count == 25 && all.fallback == nil)
        #expect(blog.requests.map(\.query).suffix(3) == ["paged=2", "paged=3", "paged=4"], "re-reading from page 2, to the 404")
        #expect(blog.requests.filter { $0.query == "paged=4" }.count == 1)
        let quiet = blog.requests.count
        _ = try await reader(blog.rssURL, since: Self.start).read()
        #expect(blog.requests.count == quiet + 1, "the backfill is done: one conditional read")
    }

    @Test func aBackfillThatFailsKeepsWhatItReadAndTriesAgain() async throws {
        let blog = try blog(posts: 25)
        _ = try await reader(blog.rssURL).read()
        blog.override(FakeResponse(status: 304), .text(500, "oops"))
        let partial = try await reader(blog.rssURL, since: Self.start).read()
        #expect(partial.items.count == 10)
        #expect(partial.fallback?.hasPrefix(blog.rssURL + "?paged=2:1: feed: HTTP 500") == true, "\(partial.fallback ?? "")")
        let again = try await reader(blog.rssURL, since: Self.start).read()
        #expect(again.items.count == 25 && again.fallback == nil)
    }

    @Test func aServerThatIgnoresPagedEndsTheBackfill() async throws {
        let page = "<rss version=\"2.0\"><channel><item><title>A</title><link>https://blog.test/a/</link><pubDate>Tue, 11 Mar 2025 09:30:00 GMT</pubDate></item></channel></rss>"
        let server = try FakeServer(responses: [.text(200, page)])
        let read = try await reader(server.baseURL + "/feed", since: Self.start).read()
        #expect(read.items.count == 1 && read.fallback == nil)
        #expect(server.requests.map(\.query) == ["", "paged=2"])
    }
}
