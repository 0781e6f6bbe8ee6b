import Destinations
import Foundation
import HTTP
import Posting
import Reviews
import SyndicateTesting
import Testing

/// Letterboxd's film search by title and year (docs/SPEC.md §8), for reviews with no film id
/// (every WordPress or feed review), and `content = "full"` from a remote review's HTML.
@Suite("Letterboxd search by title and year", .serialized)
struct LetterboxdSearchTests {
    static let start = Date(timeIntervalSince1970: 1_764_000_000)

    func fake() throws -> FakeLetterboxd {
        try FakeLetterboxd(username: "critic", password: "lb-pass", clientID: "cid", clientSecret: "csecret")
    }

    func site(_ fake: FakeLetterboxd) throws -> TemporarySite {
        try TemporarySite.posting(reviews: 0, destinations: """
        [[destination]]
        name = "lb"
        kind = "letterboxd"
        base_url = "\(fake.baseURL)"
        """, credentials: """
        [lb]
        username = "\(fake.username)"
        password = "\(fake.password)"
        client_id = "\(fake.clientID)"
        client_secret = "\(fake.clientSecret)"
        """)
    }

    func post(_ site: TemporarySite) async throws -> [Delivery] {
        let clock = TestClock(Self.start)
        let session = try PostingSession.open(siteDirectory: site.directory, clock: { clock.now })
        _ = try await session.poster.post(index: try await session.readReviews())
        return try Ledger(siteDirectory: site.directory).deliveries()
    }

    @Test func theOneFilmWithTheTitleAndYearIsLoggedCaseAndAccentsFolded() async throws {
        let lb = try fake()
        let site = try site(lb)
        try site.review("a.md", "title: the  LIGHTHOUSE\ndate: 2025-02-01\nyear: 2019")
        try site.review("b.md", "title: Thé Holdovers\ndate: 2025-02-02\nyear: 2023")
        let deliveries = try await post(site)
        #expect(deliveries.allSatisfy { $0.lastError == nil }, "\(deliveries.map(\.lastError))")
        #expect(Set(lb.logEntries.compactMap { $0["filmId"] as? String }) == ["lGht", "hTha"])
        let search = try #require(lb.server.requests.first { $0.path == "/search" })
        let query = Dictionary(FormEncoding.decode(search.query), uniquingKeysWith: { a, _ in a })
        #expect(query["include"] == "FilmSearchItem" && query["perPage"] == "10")
        #expect(!lb.server.requests.contains { $0.path == "/films" })
    }

    @Test func noneOrSeveralMatchingFilmsIsDeadWithWhatToAdd() async throws {
        let lb = try fake()
        lb.searchableFilms.append((id: "dUp1", name: "The Holdovers", year: 2023))
        let site = try site(lb)
        try site.review("a.md", "title: The Lighthouse\ndate: 2025-02-01\nyear: 2020")
        try site.review("b.md", "title: The Holdovers\ndate: 2025-02-02\nyear: 2023")
        try site.review("c.md", "title: Yearless\ndate: 2025-02-03")
        let errors = try await post(site).sorted { $0.review < $1.review }.map(\.lastError)
        #expect(errors == [
            "Letterboxd has no film named \"The Lighthouse\" from 2020: add ids.letterboxd, ids.tmdb or ids.imdb to the review's front matter",
            "Letterboxd has 2 films named \"The Holdovers\" from 2023: add ids.letterboxd, ids.tmdb or ids.imdb to the review's front matter",
            "no film id: add ids.letterboxd, ids.tmdb or ids.imdb to the review's front matter (or, to find the film by its title, its year: `year`, or a \"Year Released:\" line in a WordPress post)",
        ])
        #expect(lb.logEntries.isEmpty)
    }

    @Test func fullContentOfARemoteReviewIsItsHTMLAsPlainText() throws {
        let table = ConfigTable(name: "destination.lb", line: 1, values: ["content": ConfigValue(.string("full"), line: 1)])
        let config = SiteConfig(site: SiteSettings(title: "T", url: "https://reviews.test"))
        let site = Site(directory: FileManager.default.temporaryDirectory, config: config, reviews: [])
        let context = DestinationContext(config: DestinationConfig(name: "lb", kind: "letterboxd", enabled: true, template: nil, table: table),
                                         baseURL: "https://api.letterboxd.test", site: site, http: CurlHTTPClient(userAgent: "test"),
                                         timeout: 5, clock: { Self.start }, credentials: Credentials(tables: [:]))
        var review = Review(source: "https://blog.example/2025/x/", title: "Film", date: Self.start, slug: "x", summary: "Short.")
        review.permalink = "https://blog.example/2025/x/"
        review.html = "<p>First <em>para</em>.</p>\n<ul><li>one</li><li>two</li></ul><p>Line<br>break &amp; more</p>"
        let composed = try LetterboxdDestination(context, options: "full").compose(review, site: site)
        #expect(composed.text.text == "First para.\n\n• one\n\n• two\n\nLine\nbreak & more\n\nhttps://blog.example/2025/x/")
    }
}
