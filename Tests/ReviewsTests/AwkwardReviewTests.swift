import Foundation
import Reviews
import SyndicateTesting
import Testing

@Suite("Awkward but valid reviews")
struct AwkwardReviewTests {
    private func load(_ name: String, _ bytes: Data) throws -> Review {
        let site = try TemporarySite()
        try site.write("reviews/\(name)", bytes)
        let loaded = try Site.load(site.directory)
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
        return try #require(loaded.reviews.first)
    }

    private func load(_ name: String, _ text: String) throws -> Review { try load(name, Data(text.utf8)) }

    @Test func byteOrderMarkAndCRLF() throws {
        let text = "---\r\ntitle: Crlf\r\ndate: 2025-01-02\r\n---\r\nFirst line\r\nsame paragraph.\r\n\r\nSecond.\r\n"
        let review = try load("2025-01-02-crlf.md", Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8))
        #expect(review.title == "Crlf")
        #expect(review.slug == "crlf")
        #expect(review.summary == "First line same paragraph.")
    }

    @Test func everyKeyAndItsAliases() throws {
        let review = try load("2025-03-11-last-take.md", """
        ---
        title: "Last Take: Rust and the Story of Halyna"
        date: 2025-03-11
        last_modified_at: 2025-03-12T08:00:00Z
        headline: A headline
        kind: documentary
        categories: [Crime, Documentary]
        year: 2025
        runtime: "1h 31m"
        directors: [Rachel Mason]
        where_to_watch: "Hulu, from March 11, 2025"
        rating: 3.5
        verdict: Worth it.
        image: /images/last-take.jpg
        image_alt: A camera
        image_credit: Hulu
        spoilers: true
        tags: [rust, documentary]
        ids: {tmdb: 1234, imdb: tt1234567, letterboxd: aB3x}
        syndicate:
          skip: [x]
          text:
            mastodon: Custom text
        layout: post
        ---
        The *first* paragraph, with [a link](/x/) and `code`.

        Second paragraph.
        """)
        #expect(review.slug == "last-take")
        #expect(review.kind == "documentary")
        #expect(review.genres == ["Crime", "Documentary"])
        #expect(review.year == 2025)
        #expect(review.runtimeMinutes == 91)
        #expect(review.directors == ["Rachel Mason"])
        #expect(review.rating == 3.5)
        #expect(review.spoilers)
        #expect(review.ids == FilmIDs(tmdb: 1234, imdb: "tt1234567", letterboxd: "aB3x"))
        #expect(review.syndication == SyndicationOverrides(skip: ["x"], text: ["mastodon": "Custom text"]))
        #expect(review.summary == "The first paragraph, with a link and code.")
        // Midnight in America/New_York (EDT, UTC-4).
        #expect(review.date == Date(timeIntervalSince1970: 1_741_665_600))
        #expect(review.updated == Date(timeIntervalSince1970: 1_741_766_400))
    }

    @Test(arguments: [
        ("2025-03-11", 1_741_665_600.0), // EDT began on March 9
        ("2025-03-11T09:30:00-04:00", 1_741_699_800),
        ("2025-03-11T13:30:00Z", 1_741_699_800),
        ("2025-03-11 09:30:00 -0400", 1_741_699_800),
        ("2025-03-11T13:30:00.250Z", 1_741_699_800.25),
        ("2025-07-04", 1_751_601_600), // EDT, UTC-4
        ("2025-03-11T09:30", 1_741_699_800), // local, in the site's zone
    ])
    func dates(_ text: String, _ epoch: Double) throws {
        let zone = TimeZone(identifier: "America/New_York")!
        #expect(SiteDate.parse(text, timeZone: zone) == Date(timeIntervalSince1970: epoch))
    }

    @Test(arguments: [("91", 91), ("1h 31m", 91), ("1h31m", 91), ("2h", 120), ("45m", 45), ("45 min", 45), ("1 hour 5 minutes", 65)])
    func runtimes(_ text: String, _ minutes: Int) {
        #expect(RuntimeParser.minutes(text) == minutes)
    }

    @Test func numericTitleAndSingleGenreAreText() throws {
        let review = try load("1984.md", "---\ntitle: 1984\ndate: 2025-01-02\ngenres: Drama\n---\nBody\n")
        #expect(review.title == "1984")
        #expect(review.genres == ["Drama"])
        #expect(review.slug == "1984")
    }

    @Test func hugeBodyLoads() throws {
        let paragraph = String(repeating: "word ", count: 200) + "\n\n"
        let body = String(repeating: paragraph, count: 5 * 1024 * 1024 / paragraph.utf8.count + 1)
        let review = try load("2025-01-02-huge.md", "---\ntitle: Huge\ndate: 2025-01-02\n---\n" + body)
        #expect(review.summary.hasPrefix("word word"))
        #expect(review.summary.count < 1100)
    }

    @Test func unicodeEverywhere() throws {
        let review = try load("2025-01-02-unicode.md", """
        ---
        title: 「万引き家族」
        date: 2025-01-02
        directors: [Hirokazu Kore-eda, Pedro Almodóvar]
        ---
        Emoji 🎬👩‍👩‍👧 and עברית and العربية and “quotes” — dashes.
        """)
        #expect(review.title == "「万引き家族」")
        #expect(review.directors[1] == "Pedro Almodóvar")
        #expect(review.summary.contains("👩‍👩‍👧"))
        #expect(review.summary.contains("עברית"))
    }

    @Test(arguments: [
        ("2025-03-11-last-take.md", "last-take"),
        ("last-take.md", "last-take"),
        ("2025-03-11.md", "2025-03-11"),
        ("2025-3-11-x.md", "2025-3-11-x"),
        ("2025-03-11-the-film.markdown", "the-film"),
        // As Hugo makes a URL of such a name (the case is kept: slugs are ledger identities).
        ("ml_roc display in  Excel.md", "ml_roc-display-in-Excel"),
    ])
    func defaultSlug(_ file: String, _ slug: String) {
        #expect(FrontMatterParser.defaultSlug(fileName: file) == slug)
    }

    @Test func draftsAndFutureReviewsAreNotPublished() throws {
        let site = try TemporarySite()
        try site.review("a.md", "title: A\ndate: 2025-01-01")
        try site.review("b.md", "title: B\ndate: 2025-01-02\ndraft: true")
        try site.review("c.md", "title: C\ndate: 2030-01-01")
        let loaded = try Site.load(site.directory)
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        #expect(loaded.published(at: now).map(\.title) == ["A"])
        #expect(loaded.reviews.count == 3)
    }
}
