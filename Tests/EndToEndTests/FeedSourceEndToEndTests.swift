import Foundation
import SyndicateTesting
import Testing

/// `[source] kind = "feed"` with the real binary against the strict fake blog (docs/SPEC.md §9).
@Suite("A feed as the source, end to end")
struct FeedSourceEndToEndTests {
    let binary = syndicateBinary()
    let pinned = ["SYNDICATE_NOW": "2025-06-01T12:00:00Z", "NO_COLOR": "1"]
    static let day: TimeInterval = 86400
    static let start = Date(timeIntervalSince1970: 1_741_600_000) // 2025-03-10

    static func blog() throws -> FakeFeedSite {
        let blog = try FakeFeedSite()
        blog.add(
            FakeFeedSite.Post(id: 101, slug: "last-take-review", title: "Unveiling the Human Story Behind on-Set Tragedy",
                              date: start, body: """
                              <p><strong>Last Take: Rust and the Story of Halyna</strong></p>
                              <p>Genre: Crime, Documentary<br>Year Released: 2025<br>Runtime: 1h 31m<br>Director(s): Rachel Mason<br>Rating: 4/5</p>
                              <p>A tribute to a cinematographer that also sits in judgement over her death.</p>
                              """, categories: ["Reviews"], image: "https://cdn.test/halyna.jpg"),
            FakeFeedSite.Post(id: 102, slug: "a-quiet-film", title: "A Quiet Film", date: start.addingTimeInterval(day),
                              body: "<p>Genre: Drama</p><p>Slow, patient and worth it.</p><script>alert(1)</script>",
                              categories: ["Reviews"]),
            FakeFeedSite.Post(id: 103, slug: "site-news", title: "Site news", date: start.addingTimeInterval(2 * day),
                              body: "<p>We moved servers.</p>", categories: ["News"]))
        return blog
    }

    func site(_ url: String) throws -> TemporarySite {
        try TemporarySite(config: TemporarySite.config(extra: "[source]\nkind = \"feed\"\nurl = \"\(url)\"\nonly = [\"Reviews\"]\n"))
    }

    @Test func buildReadsTheFeedThenAsksOnlyIfItChanged() throws {
        let blog = try Self.blog()
        let site = try site(blog.rssURL)
        let first = try run(binary, ["build", "--site", site.directory.path], environment: pinned)
        #expect(first.status == 0, "\(first.stderr)")
        let rss = try #require(site.read("feeds/feed.xml"))
        #expect(rss.contains("<title>Last Take: Rust and the Story of Halyna</title>"), "the film's title from the body")
        #expect(rss.contains("\(blog.baseURL)/2025/03/10/last-take-review/"), "the item's own permalink")
        #expect(rss.contains("<letterboxd:memberRating>4</letterboxd:memberRating>"), "the facts read from the body")
        #expect(rss.contains("<letterboxd:filmYear>2025</letterboxd:filmYear>"))
        #expect(rss.contains("https://cdn.test/halyna.jpg"), "media:content as the image")
        #expect(rss.contains("A Quiet Film"))
        #expect(!rss.contains("Site news"), "only = [\"Reviews\"]")
        #expect(!rss.contains("alert(1)"), "the body is sanitised")
        #expect(site.exists(".syndicate/cache/source/feed.json"))

        let second = try run(binary, ["build", "--site", site.directory.path], environment: pinned)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("0 written"), "\(second.stderr)")
        #expect(blog.requests.count == 2)
        #expect(blog.requests[1].header("If-None-Match") != nil, "the second read is conditional")
    }

    @Test func aFeedThatCannotBeReadBuildsFromTheLastGoodCopyOrNotAtAll() throws {
        let blog = try Self.blog()
        let site = try site(blog.rssURL)
        #expect(try run(binary, ["build", "--site", site.directory.path], environment: pinned).status == 0)
        blog.override(.text(500, "database error"))
        let failed = try run(binary, ["build", "--site", site.directory.path], environment: pinned)
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("\(blog.rssURL):1: feed: HTTP 500; built from the last good copy"), "\(failed.stderr)")
        #expect(try #require(site.read("feeds/feed.xml")).contains("A Quiet Film"))

        let fresh = try self.site("http://127.0.0.1:1/feed/")
        let nothing = try run(binary, ["build", "--site", fresh.directory.path], environment: pinned)
        #expect(nothing.status == 2)
        #expect(nothing.stderr.contains("http://127.0.0.1:1/feed/:1: feed: cannot read the feed: not sent"), "\(nothing.stderr)")
        #expect(!fresh.exists("feeds"))
    }

    @Test func aFeedSourceNeedsAURL() throws {
        let site = try TemporarySite(config: TemporarySite.config(extra: "[source]\nkind = \"feed\"\nurl = \"ftp://x\"\nfolder = \"x\"\n"))
        let result = try run(binary, ["build", "--site", site.directory.path], environment: pinned)
        #expect(result.status == 2)
        #expect(result.stderr.contains("source.url: \"ftp://x\" is not an absolute http(s) URL"), "\(result.stderr)")
        #expect(result.stderr.contains("source.folder: unknown key"), "\(result.stderr)")
    }
}
