import Foundation
import Reviews
import ReviewSources
import Testing

/// The film facts reader over the HTML shapes reviewers write (docs/SPEC.md §9), through the
/// one mapping every remote source uses. The bodies are in the shape of a real WordPress post
/// (a kicker, the film's title, a separator, labelled lines, the review), in our own words.
@Suite struct HTMLFactsTests {
    static let site = SiteConfig(site: SiteSettings(title: "T", url: "https://reviews.example.org"))

    static func map(_ html: String, title: String = "A Lighthouse Keeper Loses His Grip", excerpt: String? = nil,
                    categories: [String] = [], only: [String] = []) -> Review? {
        let item = RemoteItem(id: "wordpress:7", link: "https://reviews.example.org/2025/03/11/the-lighthouse/",
                              slug: "the-lighthouse", title: title, published: Date(timeIntervalSince1970: 1_741_680_000),
                              html: html, excerptHTML: excerpt, categories: categories)
        guard case .review(let review) = item.review(site: site, only: only, firstSeen: nil) else { return nil }
        return review
    }

    static let review = "<p>Two men on a rock in the sea slowly come apart, and the film never lets the audience stand on dry land.</p>"

    struct Shape: CustomTestStringConvertible, Sendable {
        var name: String
        var html: String
        var testDescription: String { name }
    }

    /// The same facts written every way they are written.
    static let shapes: [Shape] = [
        Shape(name: "a paragraph each", html: """
            <p>MOVIE REVIEW</p>
            <p>The Lighthouse</p>
            <p>–</p>
            <p>Genre: Horror, Drama</p>
            <p>Year Released: 2019</p>
            <p>Runtime: 1h 49m</p>
            <p>Director(s): Robert Eggers</p>
            <p>Where To Watch: rent it on most stores</p>
            <p>Rating: 4/5</p>
            \(review)
            """),
        Shape(name: "br lines of one paragraph, bold labels", html: """
            <h2>The Lighthouse</h2>
            <p><strong>Genre:</strong> Horror, Drama<br>
            <strong>Year:</strong> 2019<br />
            <strong>Runtime:</strong> 109 min<br>
            <strong>Director:</strong> Robert Eggers<br>
            <strong>Where To Watch:</strong> rent it on most stores<br>
            <strong>Rating:</strong> ★★★★</p>
            \(review)
            """),
        Shape(name: "the whole block bold, colons inside the bold", html: """
            <p><b>The Lighthouse</b></p>
            <p><b>Genre: Horror / Drama<br>Year Released: 2019<br>Runtime: 1h 49m<br>Directors: Robert Eggers<br>Where To Watch: rent it on most stores<br>Rating: 4 stars</b></p>
            \(review)
            """),
        Shape(name: "a bulleted list under a bold title", html: """
            <p><strong>The Lighthouse</strong></p>
            <ul>
            <li>Genre: Horror, Drama</li>
            <li>Year Released: 2019</li>
            <li>Runtime: 1h 49m</li>
            <li>Director: Robert Eggers</li>
            <li>Where To Watch: rent it on most stores</li>
            <li>Rating: 4 out of 5</li>
            </ul>
            \(review)
            """),
        Shape(name: "WordPress blocks with spans and nbsp", html: """
            <div class="entry"><p class="has-text-align-center"><span style="font-size:2em">The Lighthouse</span></p>
            <p>&nbsp;</p>
            <p><span>Genre&nbsp;:</span> Horror, Drama</p><p>Year Released: 2019</p><p>Runtime: 109 minutes</p>
            <p>Director(s): Robert Eggers</p><p>Where To Watch: rent it on most stores</p><p>Rating: 8/10</p>
            \(review)</div>
            """),
    ]

    @Test(arguments: shapes) func factsAreReadFromEveryShape(_ shape: Shape) throws {
        let review = try #require(Self.map(shape.html))
        #expect(review.title == "The Lighthouse")
        #expect(review.headline == "A Lighthouse Keeper Loses His Grip")
        #expect(review.genres == ["Horror", "Drama"])
        #expect(review.year == 2019)
        #expect(review.runtimeMinutes == 109)
        #expect(review.directors == ["Robert Eggers"])
        #expect(review.whereToWatch == "rent it on most stores")
        #expect(review.rating == 4)
        #expect(review.summary.hasPrefix("Two men on a rock"))
        let html = try #require(review.html)
        #expect(!html.contains("Genre") && !html.contains("Runtime") && !html.contains(">The Lighthouse<"))
        #expect(!html.contains("MOVIE REVIEW"), "the kicker above the title goes with it")
        #expect(html.contains("Two men on a rock"))
    }

    struct Rating: Sendable, CustomTestStringConvertible {
        var text: String
        var value: Double?
        var testDescription: String { text }
    }

    @Test(arguments: [
        Rating(text: "4/5", value: 4), Rating(text: "3.5/5", value: 3.5), Rating(text: "★★★½", value: 3.5),
        Rating(text: "4 stars", value: 4), Rating(text: "4.5 stars", value: 4.5), Rating(text: "7/10", value: 3.5),
        Rating(text: "3 out of 5", value: 3), Rating(text: "½", value: 0.5), Rating(text: "B+", value: nil),
        Rating(text: "9/5", value: nil), Rating(text: "", value: nil),
    ])
    func ratingsAsWritten(_ rating: Rating) throws {
        let review = try #require(Self.map("<p>Genre: Drama</p><p>Rating: \(rating.text)</p>\(Self.review)"))
        #expect(review.rating == rating.value)
    }

    @Test(arguments: [("1h 31m", 91), ("91 min", 91), ("91 minutes", 91), ("2h", 120), ("1 hr 5 min", 65), ("long", nil)] as [(String, Int?)])
    func runtimesAsWritten(_ text: String, _ minutes: Int?) throws {
        let review = try #require(Self.map("<p>Runtime: \(text)</p><p>Genre: Drama</p>\(Self.review)"))
        #expect(review.runtimeMinutes == minutes)
    }

    @Test func withoutATitleLineThePostTitleIsTheFilmsAndThereIsNoHeadline() throws {
        let review = try #require(Self.map("<p>Genre: Drama<br>Year: 2019</p>\(Self.review)", title: "The Lighthouse"))
        #expect(review.title == "The Lighthouse")
        #expect(review.headline == nil)
        #expect(review.year == 2019)
    }

    @Test func aBodyWithoutFactsHasNoneAndItsFirstParagraphIsTheSummary() throws {
        let review = try #require(Self.map("<h2>Why it works</h2>\(Self.review)<p>More.</p>", title: "The Lighthouse"))
        #expect(review.title == "The Lighthouse")
        #expect(review.headline == nil)
        #expect(review.genres.isEmpty && review.year == nil && review.rating == nil && review.directors.isEmpty)
        #expect(review.summary.hasPrefix("Two men on a rock"))
        #expect(review.html?.contains("<h2>Why it works</h2>") == true)
    }

    @Test func aClosingRatingLineIsReadButTakesNoTitleAndLeavesTheSummaryAlone() throws {
        let review = try #require(Self.map("\(Self.review)<h3>Verdict</h3><p>Rating: 3.5/5</p>", title: "The Lighthouse"))
        #expect(review.rating == 3.5)
        #expect(review.title == "The Lighthouse")
        #expect(review.summary.hasPrefix("Two men on a rock"))
        #expect(review.html?.contains("Verdict") == true)
    }

    @Test func theAuthorsExcerptIsTheSummaryAsText() throws {
        let review = try #require(Self.map("<p>Genre: Drama</p>\(Self.review)", excerpt: "<p>Salt, wind &amp; <em>madness</em>.</p>"))
        #expect(review.summary == "Salt, wind & madness.")
    }

    @Test func unreadableValuesAreAbsentNotErrors() throws {
        let review = try #require(Self.map("<p>The Lighthouse</p><p>Genre:</p><p>Year: soon</p><p>Runtime: long</p><p>Rating: great</p>\(Self.review)"))
        #expect(review.title == "The Lighthouse")
        #expect(review.genres.isEmpty && review.year == nil && review.runtimeMinutes == nil && review.rating == nil)
    }

    @Test func genresComeFromCategoriesLessUncategorizedAndOnlyWhenTheBodyNamesNone() throws {
        let review = try #require(Self.map(Self.review, categories: ["Movie Reviews", "Uncategorized", "Horror", "horror"], only: ["movie reviews"]))
        #expect(review.genres == ["Horror"])
        let withFact = try #require(Self.map("<p>Genre: Drama</p>\(Self.review)", categories: ["Horror"]))
        #expect(withFact.genres == ["Drama"])
    }

    @Test func onlyLeavesOutItemsWithNoneOfItsNames() {
        #expect(Self.map(Self.review, categories: ["Books"], only: ["Movie Reviews"]) == nil)
        #expect(Self.map(Self.review, categories: ["Movie Reviews"], only: ["movie reviews"]) != nil)
        #expect(Self.map("<p>Genre: Horror</p>" + Self.review, only: ["Horror"]) != nil)
    }
}
