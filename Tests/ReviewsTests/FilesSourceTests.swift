import Foundation
import Reviews
import SyndicateTesting
import Testing

/// The files source as Jekyll and Hugo sites really are (docs/SPEC.md §9 "files").
@Suite("Files source")
struct FilesSourceTests {
    private func site(_ source: String = "") throws -> TemporarySite {
        try TemporarySite(config: TemporarySite.config(extra: source))
    }

    private func load(_ site: TemporarySite) throws -> Site { try Site.load(site.directory) }

    private func problems(_ loaded: Site) -> [String] { loaded.diagnostics.map(\.description) }

    @Test func folderSubfoldersMarkdownExtensionsAndPageBundles() throws {
        let site = try site("[source]\nfolder = \"content/reviews\"")
        let review = { (title: String) in "---\ntitle: \(title)\ndate: 2025-01-02\n---\nBody of \(title).\n" }
        try site.write("content/reviews/plain.md", review("Plain"))
        try site.write("content/reviews/2024/older.markdown", review("Older"))
        try site.write("content/reviews/2024/deep/er/deepest.md", review("Deepest"))
        try site.write("content/reviews/the-bundle/index.md", review("Bundle"))
        try site.write("content/reviews/the-bundle/notes.md", review("A resource of the bundle, not a page"))
        try site.write("content/reviews/the-bundle/poster.jpg", "jpeg")
        try site.write("content/reviews/_index.md", review("A section page"))
        try site.write("content/reviews/_drafts/wip.md", review("Hidden under _"))
        try site.write("content/reviews/.git/x.md", review("Hidden under ."))
        try site.write("content/reviews/.swap.md", review("Hidden file"))
        try site.write("content/reviews/notes.txt", "not a review")
        try site.review("2025-01-09-elsewhere.md", "title: Not in the folder\ndate: 2025-01-09")
        let loaded = try load(site)
        #expect(problems(loaded).isEmpty)
        let found = loaded.reviews.map { "\($0.slug) \($0.source)" }.sorted()
        #expect(found == [
            "deepest content/reviews/2024/deep/er/deepest.md",
            "older content/reviews/2024/older.markdown",
            "plain content/reviews/plain.md",
            "the-bundle content/reviews/the-bundle/index.md",
        ])
    }

    @Test func aMissingConfiguredFolderIsAConfigErrorOnItsLine() throws {
        let site = try site("[source]\nfolder = \"_posts\"")
        #expect(throws: Diagnostics.self) { try load(site) }
        do {
            _ = try load(site)
        } catch let error as Diagnostics {
            #expect(error.description == "syndicate.toml:15: source.folder: \"_posts\" is missing: there is no such folder in the site folder")
        }
    }

    @Test(arguments: [
        ("folder = \"/srv/reviews\"", "syndicate.toml:15: source.folder: \"/srv/reviews\" is not a folder inside the site: use a path relative to it, like \"reviews\", \"_posts\" or \"content/reviews\""),
        ("folder = \"../elsewhere\"", "syndicate.toml:15: source.folder: \"../elsewhere\" is not a folder inside the site: use a path relative to it, like \"reviews\", \"_posts\" or \"content/reviews\""),
        ("folder = \".\"", "syndicate.toml:15: source.folder: \".\" is not a folder inside the site: use a path relative to it, like \"reviews\", \"_posts\" or \"content/reviews\""),
        ("folder = \".syndicate/x\"", "syndicate.toml:15: source.folder: \".syndicate/x\" is inside .syndicate/, which holds Syndicate's own files"),
        ("only = \"reviews\"", "syndicate.toml:15: source.only: expected an array of strings, found string"),
        ("only = [\"reviews\", 3]", "syndicate.toml:15: source.only: expected an array of strings, found an array holding int"),
        ("only = [\" \"]", "syndicate.toml:15: source.only: an empty name matches nothing: list categories, tags or genres like [\"reviews\"]"),
    ])
    func badSourceKeys(_ line: String, _ message: String) throws {
        let text = TemporarySite.config(extra: "[source]\n\(line)")
        #expect(throws: Diagnostics.self) { try ConfigLoader.parse(text, checkingSource: { _ = FilesSettings.read(&$0.table) }) }
        do { _ = try ConfigLoader.parse(text, checkingSource: { _ = FilesSettings.read(&$0.table) }) } catch let error as Diagnostics {
            #expect(error.description == message)
        }
    }

    @Test func feedsMayNotBeWrittenIntoTheConfiguredFolder() throws {
        let text = TemporarySite.config(extra: "[source]\nfolder = \"_posts\"").replacingOccurrences(of: "items = 50", with: "items = 50\noutput = \"_posts/feeds\"")
        #expect(throws: Diagnostics.self) { try ConfigLoader.parse(text) }
        do { _ = try ConfigLoader.parse(text) } catch let error as Diagnostics {
            #expect(error.description == "syndicate.toml:11: feeds.output: \"_posts/feeds\" is the site folder, _posts/ or .syndicate/ (or inside them): use a folder of its own, like \"feeds\"")
        }
        // reviews/ is no longer special when the reviews are elsewhere.
        let elsewhere = text.replacingOccurrences(of: "_posts/feeds", with: "reviews")
        #expect(try ConfigLoader.parse(elsewhere).feeds.output == "reviews")
    }

    @Test func tomlFrontMatter() throws {
        let site = try site()
        try site.write("reviews/the-film.md", """
        +++
        title = "The Film"
        date = 2025-03-11T09:30:00-04:00
        lastmod = 2025-03-12
        genres = ["Drama", "Crime"]
        year = 2024
        runtime = "1h 31m"
        rating = 3.5
        draft = false
        summary = "A summary."
        layout = "review"

        [ids]
        tmdb = 1234
        imdb = "tt0068646"

        [syndicate]
        skip = ["x"]
        +++
        The body.
        """)
        let loaded = try load(site)
        #expect(problems(loaded).isEmpty)
        let review = try #require(loaded.reviews.first)
        #expect(review.title == "The Film")
        #expect(review.date == SiteDate.parse("2025-03-11T13:30:00Z", timeZone: .gmt))
        #expect(review.updated == SiteDate.parse("2025-03-12", timeZone: TimeZone(identifier: "America/New_York")!))
        #expect(review.genres == ["Drama", "Crime"])
        #expect(review.year == 2024)
        #expect(review.runtimeMinutes == 91)
        #expect(review.rating == 3.5)
        #expect(review.summary == "A summary.")
        #expect(review.ids == FilmIDs(tmdb: 1234, imdb: "tt0068646"))
        #expect(review.syndication.skip == ["x"])
    }

    @Test(arguments: [
        ("+++\ntitle = \"A\"\ndate = 2025-01-01\nyear = \"2024\"\n+++\n", "reviews/a.md:4: year: expected a whole number, found a string"),
        ("+++\ntitle = \"A\"\ndate = 2025-01-01\n\n[ids]\ntmdb = -1\n+++\n", "reviews/a.md:6: ids.tmdb: must be a positive number"),
        ("+++\ntitle = \"A\"\ndate = 2025-01-01\nrating = 9\n+++\n", "reviews/a.md:4: rating: 9 is out of range: ratings go from 0.5 to 5"),
        ("+++\ntitle = \"A\"\ndate = \"someday\"\n+++\n", "reviews/a.md:3: date: \"someday\" is not a date: use YYYY-MM-DD or RFC 3339 like 2025-03-11T09:30:00-04:00"),
        ("+++\ntitle = \"A\"\n\ndate = 2025-01-01 oops\n+++\n", "reviews/a.md:4: front matter: invalid TOML"),
        ("+++\ntitle = \"A\"\n[=\n+++\n", "reviews/a.md:3: front matter: invalid TOML"),
        ("+++\ntitle = \"A\"\ndate = 2025-01-01\n", "reviews/a.md:1: front matter: not closed: no line \"+++\" after the opening one"),
        ("+++\n+++\nBody.\n", "reviews/a.md:1: front matter: empty: title and date are required"),
    ])
    func tomlProblemsNameTheirLine(_ text: String, _ expected: String) throws {
        let site = try site()
        try site.write("reviews/a.md", text)
        let loaded = try load(site)
        #expect(loaded.reviews.isEmpty)
        #expect(problems(loaded).count == 1)
        #expect(problems(loaded).first?.hasPrefix(expected) == true, "\(problems(loaded))")
    }

    @Test func jekyllDatesComeFromTheFileNameWhenDateIsAbsent() throws {
        let site = try site()
        try site.review("2025-03-11-from-the-name.md", "title: From the name")
        try site.review("2025-03-11-dated.md", "title: Dated\ndate: 2025-04-01T10:00:00Z")
        try site.review("no-date-anywhere.md", "title: No date")
        try site.review("2025-02-30-impossible.md", "title: Impossible")
        let loaded = try load(site)
        let newYork = try #require(TimeZone(identifier: "America/New_York"))
        let byslug = Dictionary(uniqueKeysWithValues: loaded.reviews.map { ($0.slug, $0) })
        #expect(byslug["from-the-name"]?.date == SiteDate.parse("2025-03-11", timeZone: newYork))
        #expect(byslug["dated"]?.date == SiteDate.parse("2025-04-01T10:00:00Z", timeZone: .gmt))
        #expect(problems(loaded) == [
            "reviews/2025-02-30-impossible.md:1: date: \"2025-02-30\" is not a date: use YYYY-MM-DD or RFC 3339 like 2025-03-11T09:30:00-04:00",
            "reviews/no-date-anywhere.md:1: date: required (or a file name starting with the date, like 2025-03-11-title.md)",
        ])
    }

    @Test(arguments: ["excerpt: Short.", "description: Short."])
    func summaryAliases(_ line: String) throws {
        let site = try site()
        try site.review("2025-01-01-a.md", "title: A\n\(line)")
        #expect(try load(site).reviews.first?.summary == "Short.")
    }

    @Test func posterIsTheImage() throws {
        let site = try site()
        try site.review("2025-01-01-a.md", "title: A\nposter: /images/p.jpg")
        #expect(try load(site).reviews.first?.image == "/images/p.jpg")
    }

    /// `image: assets/x.jpg` is a path from the site's root (Jekyll themes, Hugo's static/);
    /// in a page bundle it is the bundle's own file, beside the page.
    @Test func relativeImagesAreSiteRelativeExceptInABundle() throws {
        let site = try site()
        try site.review("2025-01-01-a.md", "title: A\nimage: assets/images/a.jpg")
        try site.write("reviews/b/index.md", "---\ntitle: B\ndate: 2025-01-02\nimage: cover.jpg\n---\nB.\n")
        let loaded = try load(site)
        let images = Dictionary(uniqueKeysWithValues: loaded.reviews.map { ($0.slug, loaded.absoluteURL($0.image!, relativeTo: $0)) })
        #expect(images["a"] == "https://reviews.test/assets/images/a.jpg")
        #expect(images["b"] == "https://reviews.test/reviews/b/cover.jpg")
    }

    @Test func jekyllsPublishedFalseIsADraft() throws {
        let site = try site()
        try site.review("2025-01-01-off.md", "title: Off\npublished: false")
        try site.review("2025-01-02-on.md", "title: On\npublished: true")
        try site.review("2025-01-03-bad.md", "title: Bad\npublished: maybe")
        let loaded = try load(site)
        #expect(loaded.reviews.map { "\($0.slug) \($0.draft)" }.sorted() == ["off true", "on false"])
        #expect(problems(loaded) == ["reviews/2025-01-03-bad.md:3: published: expected true or false, found a string"])
    }

    @Test func listAliases() throws {
        let site = try site()
        try site.review("2025-01-01-a.md", "title: A\ndirector: Agnès Varda\ngenre: [Drama, Documentary]")
        let review = try #require(try load(site).reviews.first)
        #expect(review.directors == ["Agnès Varda"])
        #expect(review.genres == ["Drama", "Documentary"])
    }

    /// Jekyll themes write an `excerpt` and an SEO `description` side by side: not an error;
    /// `summary`, then `excerpt`, then `description` is the summary.
    @Test(arguments: [
        ("summary: One.\nexcerpt: Two.\ndescription: Three.", "One."),
        ("description: Three.\nexcerpt: Two.", "Two."),
        ("description: Three.", "Three."),
    ])
    func theMostSpecificSummaryWins(_ lines: String, _ expected: String) throws {
        let site = try site()
        try site.review("2025-01-01-a.md", "title: A\n\(lines)")
        let loaded = try load(site)
        #expect(problems(loaded).isEmpty)
        #expect(loaded.reviews.first?.summary == expected)
    }

    @Test(arguments: [
        ("director: A\ndirectors: [B]", "reviews/2025-01-01-a.md:4: directors: `directors` and `director` are two spellings of one field: keep one"),
        ("genres: [A]\ngenre: B", "reviews/2025-01-01-a.md:4: genre: `genres` and `genre` are two spellings of one field: keep one"),
        ("image: /a.jpg\nposter: /b.jpg", "reviews/2025-01-01-a.md:4: poster: `image` and `poster` are two spellings of one field: keep one"),
        ("permalink: /a/\nurl: /b/", "reviews/2025-01-01-a.md:4: url: `permalink` and `url` are two spellings of one field: keep one"),
    ])
    func twoSpellingsOfOneFieldAreAnError(_ lines: String, _ expected: String) throws {
        let site = try site()
        try site.review("2025-01-01-a.md", "title: A\n\(lines)")
        let loaded = try load(site)
        #expect(loaded.reviews.isEmpty)
        #expect(problems(loaded) == [expected])
    }

    @Test(arguments: [
        ("permalink: /films/the-film/", "https://reviews.test/films/the-film/"),
        ("url: /films/hugo-style/", "https://reviews.test/films/hugo-style/"),
        ("url: films/no-slash/", "https://reviews.test/films/no-slash/"),
        ("permalink: https://elsewhere.test/r/1", "https://elsewhere.test/r/1"),
    ])
    func aReviewsOwnPermalinkOverridesTheSites(_ line: String, _ expected: String) throws {
        let site = try site()
        try site.review("2025-01-01-a.md", "title: A\n\(line)")
        let loaded = try load(site)
        let review = try #require(loaded.reviews.first)
        #expect(review.permalink == expected)
        #expect(loaded.permalink(review) == expected)
    }

    @Test(arguments: [
        ("permalink: \"javascript:alert(1)\"", "reviews/2025-01-01-a.md:3: permalink: \"javascript:alert(1)\" is not a permalink: use a path on the site like \"/reviews/the-film/\" or an http(s) URL"),
        ("url: /a b/", "reviews/2025-01-01-a.md:3: url: \"/a b/\" is not a permalink: use a path on the site like \"/reviews/the-film/\" or an http(s) URL"),
        ("permalink: /:year/:title/", "reviews/2025-01-01-a.md:3: permalink: \"/:year/:title/\" uses Jekyll placeholders (:title, :year): write the review's own path"),
    ])
    func badOwnPermalinks(_ line: String, _ expected: String) throws {
        let site = try site()
        try site.review("2025-01-01-a.md", "title: A\n\(line)")
        #expect(problems(try load(site)) == [expected])
    }

    @Test func onlyKeepsTheReviewsOfAMixedBlog() throws {
        let site = try site("[source]\nfolder = \"_posts\"\nonly = [\"Reviews\", \"film\"]")
        try site.write("_posts/2025-01-01-a-review.md", "---\ntitle: A review\ncategories: [reviews]\ngenres: [Drama]\n---\nA.\n")
        try site.write("_posts/2025-01-02-tagged.md", "---\ntitle: Tagged\ntags: [film, festival]\n---\nB.\n")
        try site.write("_posts/2025-01-03-words.md", "---\ntitle: Words\ncategories: film notes\n---\nC.\n")
        try site.write("_posts/2025-01-04-by-genre.md", "---\ntitle: By genre\ngenres: [Film, Horror]\n---\nD.\n")
        try site.write("_posts/2025-01-05-cats.md", "---\ntitle: Cats only\ncategories: [Reviews, Comedy]\n---\nE.\n")
        // Not reviews: left out without a word, valid or not.
        try site.write("_posts/2025-01-06-travel.md", "---\ntitle: Travel\ncategories: [travel]\n---\nF.\n")
        try site.write("_posts/2025-01-07-broken.md", "---\ntitle: Broken\nrating: lots\ncategories: [cooking]\n---\nG.\n")
        try site.write("_posts/2025-01-08-none.md", "---\ntitle: Nothing\n---\nH.\n")
        let loaded = try load(site)
        #expect(problems(loaded).isEmpty)
        let genres = Dictionary(uniqueKeysWithValues: loaded.reviews.map { ($0.slug, $0.genres) })
        #expect(genres.keys.sorted() == ["a-review", "by-genre", "cats", "tagged", "words"])
        // The names `only` picks by describe the blog's topics, not films: never genres.
        #expect(genres["a-review"] == ["Drama"])
        #expect(genres["by-genre"] == ["Horror"])
        #expect(genres["cats"] == ["Comedy"])
        #expect(genres["words"] == ["film notes"])
    }
}
