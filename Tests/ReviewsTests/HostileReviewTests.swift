import Foundation
import Reviews
import SyndicateTesting
import Testing

/// One malformed review and the exact diagnostic it must produce.
struct MalformedCase: CustomTestStringConvertible, Sendable {
    var name: String
    var bytes: Data
    /// `reviews/NAME:LINE: KEY: ` — the full prefix, which must match exactly.
    var line: Int
    var key: String
    /// The message, or its start when `exact` is false.
    var message: String
    var exact = true

    init(_ name: String, _ text: String, line: Int, key: String, _ message: String, exact: Bool = true) {
        self.init(name, Data(text.utf8), line: line, key: key, message, exact: exact)
    }

    init(_ name: String, _ bytes: Data, line: Int, key: String, _ message: String, exact: Bool = true) {
        self.name = name
        self.bytes = bytes
        self.line = line
        self.key = key
        self.message = message
        self.exact = exact
    }

    var testDescription: String { name }
}

private func fm(_ lines: String, body: String = "Body.\n") -> String { "---\n\(lines)\n---\n\(body)" }

let malformedCases: [MalformedCase] = [
    .init("bad-yaml.md", fm("title: [unclosed\ndate: 2025-01-02"), line: 3, key: "front matter", "invalid YAML:", exact: false),
    .init("bad-indent.md", fm("title: A\n  date: 2025-01-02\n bad"), line: 3, key: "front matter", "invalid YAML:", exact: false),
    .init("no-front-matter.md", "# Just Markdown\n\nNo front matter here.\n", line: 1, key: "front matter",
          "missing: a review starts with a line \"---\", then YAML, then another \"---\" (or TOML between \"+++\" lines)"),
    .init("unclosed.md", "---\ntitle: A\ndate: 2025-01-02\n\nBody\n", line: 1, key: "front matter",
          "not closed: no line \"---\" after the opening one"),
    .init("empty-front-matter.md", "---\n---\nBody\n", line: 1, key: "front matter", "empty: title and date are required"),
    .init("list-front-matter.md", fm("- title\n- date"), line: 1, key: "front matter", "must be a mapping of keys to values"),
    .init("missing-title.md", fm("date: 2025-01-02"), line: 1, key: "title", "required"),
    .init("empty-title.md", fm("title: \"  \"\ndate: 2025-01-02"), line: 2, key: "title", "must not be empty"),
    .init("list-title.md", fm("title: [A, B]\ndate: 2025-01-02"), line: 2, key: "title", "expected text, found a list"),
    .init("missing-date.md", fm("title: A"), line: 1, key: "date", "required (or a file name starting with the date, like 2025-03-11-title.md)"),
    .init("bad-month.md", fm("title: A\ndate: 2025-13-01"), line: 3, key: "date",
          "\"2025-13-01\" is not a date: use YYYY-MM-DD or RFC 3339 like 2025-03-11T09:30:00-04:00"),
    .init("feb-30.md", fm("title: A\ndate: 2025-02-30"), line: 3, key: "date",
          "\"2025-02-30\" is not a date: use YYYY-MM-DD or RFC 3339 like 2025-03-11T09:30:00-04:00"),
    .init("word-date.md", fm("title: A\ndate: yesterday"), line: 3, key: "date",
          "\"yesterday\" is not a date: use YYYY-MM-DD or RFC 3339 like 2025-03-11T09:30:00-04:00"),
    .init("bad-offset.md", fm("title: A\ndate: 2025-01-02T10:00:00+25:00"), line: 3, key: "date",
          "\"2025-01-02T10:00:00+25:00\" is not a date: use YYYY-MM-DD or RFC 3339 like 2025-03-11T09:30:00-04:00"),
    .init("bad-updated.md", fm("title: A\ndate: 2025-01-02\nlastmod: soon"), line: 4, key: "lastmod",
          "\"soon\" is not a date: use YYYY-MM-DD or RFC 3339 like 2025-03-11T09:30:00-04:00"),
    .init("rating-high.md", fm("title: A\ndate: 2025-01-02\nrating: 6"), line: 4, key: "rating",
          "6 is out of range: ratings go from 0.5 to 5"),
    .init("rating-zero.md", fm("title: A\ndate: 2025-01-02\nrating: 0"), line: 4, key: "rating",
          "0 is out of range: ratings go from 0.5 to 5"),
    .init("rating-step.md", fm("title: A\ndate: 2025-01-02\nrating: 3.3"), line: 4, key: "rating",
          "3.3 is not a half step: use 0.5, 1, 1.5, … 5 (Letterboxd's scale)"),
    .init("rating-text.md", fm("title: A\ndate: 2025-01-02\nrating: four"), line: 4, key: "rating",
          "expected a number from 0.5 to 5, found a string"),
    .init("runtime-words.md", fm("title: A\ndate: 2025-01-02\nruntime: about two hours"), line: 4, key: "runtime",
          "\"about two hours\" is not a running time: use minutes (91) or \"1h 31m\""),
    .init("runtime-negative.md", fm("title: A\ndate: 2025-01-02\nruntime: -5"), line: 4, key: "runtime",
          "-5 is not a running time in minutes"),
    .init("year-quoted.md", fm("title: A\ndate: 2025-01-02\nyear: \"2025\""), line: 4, key: "year",
          "expected a whole number, found a string"),
    .init("year-implausible.md", fm("title: A\ndate: 2025-01-02\nyear: 1500"), line: 4, key: "year",
          "1500 is not a plausible release year"),
    .init("draft-text.md", fm("title: A\ndate: 2025-01-02\ndraft: \"yes\""), line: 4, key: "draft",
          "expected true or false, found a string"),
    .init("genres-table.md", fm("title: A\ndate: 2025-01-02\ngenres: {a: b}"), line: 4, key: "genres",
          "expected a list of text, found a table"),
    .init("imdb-bad.md", fm("title: A\ndate: 2025-01-02\nids:\n  imdb: \"12345\""), line: 5, key: "ids.imdb",
          "\"12345\" is not an IMDb title id like \"tt0068646\""),
    .init("tmdb-text.md", fm("title: A\ndate: 2025-01-02\nids:\n  tmdb: abc"), line: 5, key: "ids.tmdb",
          "expected a whole number, found a string"),
    .init("ids-unknown.md", fm("title: A\ndate: 2025-01-02\nids:\n  tvdb: 5"), line: 5, key: "ids.tvdb",
          "unknown key (known: tmdb, imdb, letterboxd)"),
    .init("syndicate-unknown.md", fm("title: A\ndate: 2025-01-02\nsyndicate:\n  skipp: [x]"), line: 5, key: "syndicate.skipp",
          "unknown key (known: skip, text)"),
    .init("slug-space.md", fm("title: A\ndate: 2025-01-02\nslug: has space"), line: 4, key: "slug",
          "\"has space\" is not a usable slug: use letters, digits and \"-\", with no spaces, \"/\", \"?\" or \"#\""),
    .init("invalid-utf8.md", Data("---\ntitle: A\ndate: 2025-01-02\n---\nCaf".utf8) + Data([0xE9]) + Data(" au lait\n".utf8),
          line: 5, key: "file", "invalid UTF-8 (byte 0xE9 at offset 37)"),
    .init("overlong-utf8.md", Data("---\ntitle: ".utf8) + Data([0xC0, 0xAF]) + Data("\ndate: 2025-01-02\n---\n".utf8),
          line: 2, key: "file", "invalid UTF-8 (byte 0xC0 at offset 11)"),
    .init("nul-byte.md", Data("---\ntitle: A\ndate: 2025-01-02\n---\nBody\n".utf8) + Data([0]) + Data("more\n".utf8),
          line: 6, key: "file", "contains a NUL byte: this is not a text file"),
    .init("duplicate-key.md", fm("title: A\ntitle: B\ndate: 2025-01-02"), line: 2, key: "title", "key appears more than once", exact: false),
]

@Suite("Hostile reviews")
struct HostileReviewTests {
    /// Loads one malformed file beside a valid one: the malformed gives exactly its error,
    /// the valid one is still loaded.
    @Test(arguments: malformedCases)
    func malformedReviewGivesItsExactError(_ testCase: MalformedCase) throws {
        let site = try TemporarySite()
        try site.write("reviews/\(testCase.name)", testCase.bytes)
        try site.review("2025-01-01-good.md", "title: Good\ndate: 2025-01-01")
        let loaded = try Site.load(site.directory)

        #expect(loaded.reviews.map(\.slug) == ["good"], "the valid review is still processed")
        #expect(loaded.diagnostics.count == 1, "\(loaded.diagnostics)")
        let diagnostic = try #require(loaded.diagnostics.first)
        #expect(diagnostic.file == "reviews/\(testCase.name)")
        #expect(diagnostic.line == testCase.line, "\(diagnostic)")
        #expect(diagnostic.key == testCase.key, "\(diagnostic)")
        if testCase.exact {
            #expect(diagnostic.message == testCase.message)
            #expect(diagnostic.description == "reviews/\(testCase.name):\(testCase.line): \(testCase.key): \(testCase.message)")
        } else {
            #expect(diagnostic.message.hasPrefix(testCase.message), "\(diagnostic)")
        }
    }

    @Test func duplicateSlugKeepsTheFirstFileAndReportsTheSecond() throws {
        let site = try TemporarySite()
        try site.review("2025-01-01-dune.md", "title: Dune\ndate: 2025-01-01")
        try site.review("2025-02-01-other.md", "title: Dune again\ndate: 2025-02-01\nslug: dune")
        let loaded = try Site.load(site.directory)
        #expect(loaded.reviews.map(\.title) == ["Dune"])
        #expect(loaded.diagnostics.map(\.description) == [
            "reviews/2025-02-01-other.md:1: slug: duplicate slug \"dune\" (also used by reviews/2025-01-01-dune.md); this review is left out",
        ])
    }

    @Test func everyProblemOfOneFileIsReported() throws {
        let site = try TemporarySite()
        try site.review("many.md", "title: A\ndate: 2025-01-02\nrating: 7\nyear: soon\nruntime: forever")
        let loaded = try Site.load(site.directory)
        #expect(loaded.diagnostics.map { "\($0.line): \($0.key)" } == ["4: rating", "5: year", "6: runtime"])
        #expect(loaded.reviews.isEmpty)
    }
}

/// De-duplicating a list of 10^5 tags must be linear (it was quadratic: seconds per review).
@Test func aHundredThousandTagsParseInLinearTime() throws {
    let tags = (0..<100_000).map { "t\($0)" } + ["t1", "t2"]
    let text = "---\ntitle: Tags\ndate: 2025-01-02\ntags: [" + tags.joined(separator: ",") + "]\n---\nBody\n"
    let clock = ContinuousClock()
    var parsed: Result<Review, ReviewProblems>?
    let elapsed = clock.measure { parsed = FrontMatterParser(timeZone: .gmt).parse(Data(text.utf8), path: "reviews/tags.md") }
    let review = try #require(try? parsed?.get())
    #expect(review.tags.count == 100_000)
    #expect(review.tags.prefix(3) == ["t0", "t1", "t2"], "first spelling kept, in order")
    #expect(elapsed < .seconds(10), "\(elapsed)")
}

/// `&` and `*` in text are not anchors or aliases: only YAML's own tokens are refused.
@Test(arguments: ["title: Tom & Jerry", "title: \"&quoted *too\"", "title: AT&T *great* film", "title: >\n  &folded *text",
                  "title: A\ntags: [\"*\", \"&\", R&B]"])
func ampersandsAndAsterisksInTextAreNotAliases(_ lines: String) throws {
    let text = "---\n\(lines)\ndate: 2025-01-02\n---\nBody\n"
    let result = FrontMatterParser(timeZone: .gmt).parse(Data(text.utf8), path: "reviews/text.md")
    #expect(throws: Never.self) { try result.get() }
}

/// Anchors and aliases anywhere are refused with the line of the first one.
@Test(arguments: [("title: &t A\ndate: 2025-01-02", 2), ("title: A\ndate: 2025-01-02\ntags: [x, &y z]\nmore: *y", 4),
                  ("title: A\ndate: 2025-01-02\n? *undefined\n: v", 4)])
func anchorsAndAliasesAreRefusedWithTheirLine(_ lines: String, _ line: Int) throws {
    let text = "---\n\(lines)\n---\nBody\n"
    let result = FrontMatterParser(timeZone: .gmt).parse(Data(text.utf8), path: "reviews/alias.md")
    guard case .failure(let problems) = result else { Issue.record("parsed"); return }
    #expect(problems.diagnostics.map(\.description) == ["reviews/alias.md:\(line): front matter: anchors and aliases (&name, *name) are not allowed"])
}
