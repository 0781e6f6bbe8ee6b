import Feeds
import Foundation
import Reviews
import SyndicateTesting
import Testing

private let now = Date(timeIntervalSince1970: 1_764_000_000) // 2025-11-24

private func build(_ site: TemporarySite) throws -> BuildReport {
    try FeedBuilder(site: Site.load(site.directory), now: now).build()
}

private func parse(_ site: TemporarySite, _ path: String) throws -> ParsedXML {
    try #require(ParsedXML(path: site.directory.appendingPathComponent("feeds/\(path)").path), "\(path) is not well-formed")
}

@Suite("Feed structure")
struct FeedStructureTests {
    private func sampleSite() throws -> TemporarySite {
        let site = try TemporarySite()
        try site.review("2025-03-11-last-take.md", """
        title: "Last Take: Rust and the Story of Halyna"
        date: 2025-03-11T09:30:00-04:00
        updated: 2025-03-12
        headline: A memorial that asks hard questions
        genres: [Crime, Documentary]
        year: 2025
        runtime: 1h 31m
        directors: [Rachel Mason]
        rating: 3.5
        image: /images/last-take.jpg
        image_alt: A camera on a desert set
        image_credit: Hulu
        ids: {tmdb: 1372341, imdb: tt33080359}
        """, body: "First *paragraph* with [a link](/reviews/other/) and ![still](img/still.jpg).\n\nSecond.\n")
        try site.review("2025-01-05-older.md", "title: Older\ndate: 2025-01-05\ngenres: [Drama, Crime]\nsummary: Short summary.")
        try site.review("2025-02-01-draft.md", "title: Draft\ndate: 2025-02-01\ndraft: true")
        try site.review("2030-01-01-future.md", "title: Future\ndate: 2030-01-01")
        return site
    }

    @Test func rssCarriesEveryElementTheSpecNames() throws {
        let site = try sampleSite()
        _ = try build(site)
        let rss = try parse(site, "feed.xml")
        #expect(rss.strings("/rss/channel/item/title") == ["Last Take: Rust and the Story of Halyna", "Older"])
        #expect(rss.string("/rss/channel/atom:link[@rel='self']/@href") == "https://reviews.test/feeds/feed.xml")
        #expect(rss.string("/rss/channel/pubDate") == "Tue, 11 Mar 2025 13:30:00 +0000")
        #expect(rss.string("/rss/channel/lastBuildDate") == "Wed, 12 Mar 2025 04:00:00 +0000")
        let item = "/rss/channel/item[1]"
        #expect(rss.string("\(item)/guid") == "https://reviews.test/reviews/last-take/")
        #expect(rss.string("\(item)/guid/@isPermaLink") == "true")
        #expect(rss.string("\(item)/pubDate") == "Tue, 11 Mar 2025 13:30:00 +0000")
        #expect(rss.string("\(item)/dc:creator") == "Tester")
        #expect(rss.strings("\(item)/category") == ["Crime", "Documentary"])
        #expect(rss.string("\(item)/media:content/@url") == "https://reviews.test/images/last-take.jpg")
        #expect(rss.string("\(item)/media:content/media:description") == "A camera on a desert set")
        #expect(rss.string("\(item)/letterboxd:filmTitle") == "Last Take: Rust and the Story of Halyna")
        #expect(rss.string("\(item)/letterboxd:filmYear") == "2025")
        #expect(rss.string("\(item)/letterboxd:memberRating") == "3.5")
        #expect(rss.string("\(item)/tmdb:movieId") == "1372341")
        let content = try #require(rss.string("\(item)/content:encoded"))
        #expect(content.contains("<a href=\"https://reviews.test/reviews/other/\">a link</a>"))
        #expect(content.contains("src=\"https://reviews.test/reviews/last-take/img/still.jpg\""))
        #expect(content.contains("Rating: ★★★½"))
        #expect(rss.string("\(item)/description") == "First paragraph with a link and still.")
        #expect(rss.string("/rss/channel/item[2]/description") == "Short summary.")
    }

    @Test func atomHasStableIdsDatesAndLinks() throws {
        let site = try TemporarySite(config: TemporarySite.config(extra: ""))
        try site.write("syndicate.toml", TemporarySite.config().replacingOccurrences(of: "by_genre = true", with: "by_genre = true\nhub = \"https://hub.test/\""))
        try site.review("2025-03-11-a.md", "title: A & B <C>\ndate: 2025-03-11\nupdated: 2025-04-01T10:00:00Z\ngenres: [Drama]")
        _ = try build(site)
        let atom = try parse(site, "atom.xml")
        #expect(atom.string("/atom:feed/atom:id") == "https://reviews.test/feeds/atom.xml")
        #expect(atom.string("/atom:feed/atom:updated") == "2025-04-01T10:00:00Z")
        #expect(atom.string("/atom:feed/atom:link[@rel='hub']/@href") == "https://hub.test/")
        #expect(atom.string("/atom:feed/atom:link[@rel='self']/@href") == "https://reviews.test/feeds/atom.xml")
        #expect(atom.string("/atom:feed/atom:author/atom:name") == "Tester")
        let entry = "/atom:feed/atom:entry[1]"
        #expect(atom.string("\(entry)/atom:title") == "A & B <C>")
        #expect(atom.string("\(entry)/atom:id") == "https://reviews.test/reviews/a/")
        #expect(atom.string("\(entry)/atom:published") == "2025-03-11T04:00:00Z")
        #expect(atom.string("\(entry)/atom:updated") == "2025-04-01T10:00:00Z")
        #expect(atom.string("\(entry)/atom:link[@rel='alternate']/@href") == "https://reviews.test/reviews/a/")
        #expect(atom.string("\(entry)/atom:content/@type") == "html")
        #expect(atom.string("\(entry)/atom:category/@term") == "Drama")
        let rss = try parse(site, "feed.xml")
        #expect(rss.string("/rss/channel/atom:link[@rel='hub']/@href") == "https://hub.test/")
    }

    @Test func jsonFeedIsVersionOnePointOne() throws {
        let site = try sampleSite()
        _ = try build(site)
        let data = try #require(FileManager.default.contents(atPath: site.directory.appendingPathComponent("feeds/feed.json").path))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["version"] as? String == "https://jsonfeed.org/version/1.1")
        #expect(json["feed_url"] as? String == "https://reviews.test/feeds/feed.json")
        let items = try #require(json["items"] as? [[String: Any]])
        #expect(items.map { $0["title"] as? String } == ["Last Take: Rust and the Story of Halyna", "Older"])
        #expect(items[0]["date_published"] as? String == "2025-03-11T13:30:00Z")
        #expect((items[0]["content_html"] as? String)?.contains("https://reviews.test/reviews/other/") == true)
        let film = try #require(items[0]["_film"] as? [String: Any])
        #expect(film["runtime_minutes"] as? Int == 91)
        #expect(film["tmdb"] as? Int == 1372341)
    }

    @Test func genreFeedsHoldOnlyTheirGenreAndStaleOnesGo() throws {
        let site = try sampleSite()
        let report = try build(site)
        #expect(report.outputs.sorted() == ["atom.xml", "feed.json", "feed.xml", "genres/crime.atom.xml", "genres/crime.xml",
                                             "genres/documentary.atom.xml", "genres/documentary.xml", "genres/drama.atom.xml", "genres/drama.xml"])
        #expect(try parse(site, "genres/drama.xml").strings("/rss/channel/item/title") == ["Older"])
        #expect(try parse(site, "genres/crime.atom.xml").count("/atom:feed/atom:entry") == 2)
        #expect(try parse(site, "genres/crime.xml").string("/rss/channel/title") == "Test Reviews: Crime")

        try site.review("2025-01-05-older.md", "title: Older\ndate: 2025-01-05\ngenres: [Crime]")
        let second = try build(site)
        #expect(second.removed == ["genres/drama.atom.xml", "genres/drama.xml"])
        #expect(!site.exists("feeds/genres/drama.xml"))
    }

    @Test func itemsLimitKeepsTheNewest() throws {
        let site = try TemporarySite(config: TemporarySite.config(items: 2))
        for day in 1...5 { try site.review("2025-01-0\(day)-r\(day).md", "title: R\(day)\ndate: 2025-01-0\(day)\ngenres: [Drama]") }
        _ = try build(site)
        #expect(try parse(site, "feed.xml").strings("//item/title") == ["R5", "R4"])
        #expect(try parse(site, "genres/drama.atom.xml").strings("//atom:entry/atom:title") == ["R5", "R4"])
    }

    /// A genre keeps only its newest `items` reviews, but every genre gets its feed, however
    /// old its reviews are.
    @Test func aGenreOfOldReviewsStillHasItsFeed() throws {
        let site = try TemporarySite(config: TemporarySite.config(items: 2))
        try site.review("2024-06-01-old.md", "title: Old\ndate: 2024-06-01\ngenres: [Western, Drama]")
        for day in 1...4 { try site.review("2025-01-0\(day)-r\(day).md", "title: R\(day)\ndate: 2025-01-0\(day)\ngenres: [Drama]") }
        let report = try build(site)
        #expect(report.outputs.contains("genres/western.xml"))
        #expect(try parse(site, "genres/western.xml").strings("//item/title") == ["Old"])
        #expect(try parse(site, "genres/drama.xml").strings("//item/title") == ["R4", "R3"])
    }

    @Test func summaryOnlyFeedsHaveNoContent() throws {
        let site = try TemporarySite(config: TemporarySite.config(fullContent: false))
        try site.review("a.md", "title: A\ndate: 2025-01-01", body: "Just the summary.\n\nAnd more.\n")
        _ = try build(site)
        let rss = try parse(site, "feed.xml")
        #expect(rss.count("//content:encoded") == 0)
        #expect(rss.string("//item/description") == "Just the summary.")
    }
}
