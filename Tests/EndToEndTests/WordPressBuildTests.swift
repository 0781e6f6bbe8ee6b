import Foundation
import SyndicateTesting
import Testing

/// `syndicate build` on `[source] kind = "wordpress"`, against the fake WordPress.
@Suite("syndicate build on a WordPress source, end to end")
struct WordPressBuildTests {
    let binary = syndicateBinary()
    let pinned = ["SYNDICATE_NOW": TemporarySite.sampleBuildDate, "NO_COLOR": "1"]
    static let now = Date(timeIntervalSince1970: 1_764_072_000)  // 2026-11-25T12:00:00Z

    static func post(_ id: Int, film: String, daysAgo: Double) -> FakeWordPress.Post {
        FakeWordPress.Post(
            id: id, slug: "review-\(id)", title: "Headline for \(film) &amp; more",
            content: """
                <p>MOVIE REVIEW</p>
                <p>\(film)</p>
                <p>–</p>
                <p>Genre: Crime, Documentary<br>Year Released: 2025<br>Runtime: 1h 31m<br>Director(s): Ana Rivera<br>Where To Watch: in cinemas<br>Rating: 3.5/5</p>
                <p>The review of \(film) proper starts here, in a paragraph of its own that says what it thinks.</p>
                """,
            date: now.addingTimeInterval(-daysAgo * 86_400), categories: ["Movie Reviews"],
            image: (url: "/wp-content/uploads/\(id).jpg", alt: "A still", caption: "<p>photo courtesy of the studio</p>"))
    }

    /// The site keeps TemporarySite's empty `reviews/`: the posting session that `build`
    /// opens to ping a hub still asks for that folder until the posting commands read through
    /// the source (issue 13, the core part).
    func site(_ fake: FakeWordPress) throws -> TemporarySite {
        try TemporarySite(config: TemporarySite.config(extra: """
            [source]
            kind = "wordpress"
            url = "\(fake.homeURL)"
            """))
    }

    @Test func buildsTheFeedsFromThePostsWithTheirFactsThenReadsOnlyWhatChanged() throws {
        let fake = try FakeWordPress(posts: [Self.post(1, film: "Quiet Harbour", daysAgo: 3), Self.post(2, film: "Salt Roads", daysAgo: 9)])
        let site = try site(fake)
        let first = try run(binary, ["build", "--site", site.directory.path], environment: pinned)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("with 2 reviews"), "\(first.stderr)")
        let rss = try #require(site.read("feeds/feed.xml"))
        #expect(rss.contains("<title>Quiet Harbour</title>") && rss.contains("<title>Salt Roads</title>"))
        #expect(rss.contains("\(fake.linkBase)/review-1/"))
        #expect(rss.contains("Headline for Quiet Harbour &amp;amp; more") || rss.contains("Headline for Quiet Harbour &amp; more"))
        #expect(rss.contains("Directed by Ana Rivera") && rss.contains("1h 31m") && rss.contains("Crime, Documentary"))
        #expect(rss.contains("The review of Quiet Harbour proper starts here"))
        #expect(!rss.contains("Year Released:"), "the facts block is shown once, by the feed")
        let json = try #require(site.read("feeds/feed.json"))
        #expect(json.contains("\(fake.linkBase)/wp-content/uploads/1.jpg"))
        #expect(site.exists("feeds/genres/documentary.atom.xml"))

        let before = fake.requests.count
        let second = try run(binary, ["build", "--site", site.directory.path], environment: pinned)
        #expect(second.status == 0, "\(second.stderr)")
        // The source is read once; the review cards' fetches of the posts' images (which this
        // fake does not serve, so each build tries them again) are not reads of the source.
        let later = fake.requests.dropFirst(before).filter { !$0.path.contains("/wp-content/uploads/") }
        #expect(later.count == 1 && later.first?.query.contains("modified_after") == true)
        #expect(site.read("feeds/feed.xml") == rss)
    }

    @Test func anUnreachableSiteBuildsFromTheLastGoodCopyAndExitsOne() throws {
        let fake = try FakeWordPress(posts: [Self.post(1, film: "Quiet Harbour", daysAgo: 3)])
        let site = try site(fake)
        #expect(try run(binary, ["build", "--site", site.directory.path], environment: pinned).status == 0)
        fake.fault { _ in .text(503, "down for maintenance") }
        let result = try run(binary, ["build", "--site", site.directory.path], environment: pinned)
        #expect(result.status == 1)
        #expect(result.stderr.contains("HTTP status 503; built from the last good copy"), "\(result.stderr)")
        #expect(site.read("feeds/feed.xml")?.contains("<title>Quiet Harbour</title>") == true)
    }

    @Test func anUnreachableSiteWithNoCopyWritesNothingAndExitsTwo() throws {
        let fake = try FakeWordPress(posts: [Self.post(1, film: "Quiet Harbour", daysAgo: 3)])
        fake.fault { _ in .text(200, "<html>not WordPress</html>") }
        let site = try site(fake)
        let result = try run(binary, ["build", "--site", site.directory.path], environment: pinned)
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(fake.homeURL):1: source: "), "\(result.stderr)")
        #expect(result.stderr.contains("not WordPress's list of posts"), "\(result.stderr)")
        #expect(!site.exists("feeds"))
    }
}
