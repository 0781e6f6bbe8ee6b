import Foundation
import SyndicateTesting
import Testing

/// `syndicate build` on sites shaped like real Jekyll and Hugo blogs, their review files left
/// as the generator reads them (docs/SPEC.md §9 "files").
@Suite("Jekyll and Hugo sites as they are, end to end")
struct JekyllAndHugoSiteTests {
    let binary = syndicateBinary()
    let pinned = ["SYNDICATE_NOW": "2026-01-01T00:00:00Z", "NO_COLOR": "1"]

    private func site(source: String, permalink: String) throws -> TemporarySite {
        let config = TemporarySite.config(extra: source)
            .replacingOccurrences(of: "timezone = \"America/New_York\"", with: "timezone = \"America/New_York\"\npermalink = \"\(permalink)\"")
        let site = try TemporarySite(config: config)
        try FileManager.default.removeItem(at: site.directory.appendingPathComponent("reviews"))
        return site
    }

    /// Every feed the build wrote, as text.
    private func feeds(_ site: TemporarySite) throws -> [String: String] {
        let folder = site.directory.appendingPathComponent("feeds")
        var texts: [String: String] = [:]
        for case let url as URL in FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)! where !url.hasDirectoryPath {
            texts[url.lastPathComponent] = try String(contentsOf: url, encoding: .utf8)
        }
        return texts
    }

    private func build(_ site: TemporarySite) throws -> ProcessResult {
        try run(binary, ["build", "--site", site.directory.path], environment: pinned)
    }

    @Test func aJekyllBlogOfMixedTopics() throws {
        let site = try site(source: "[source]\nfolder = \"_posts\"\nonly = [\"reviews\"]", permalink: "/{year}/{month}/{day}/{slug}.html")
        try site.write("_config.yml", "title: A Jekyll blog\npermalink: /:year/:month/:day/:title.html\n")
        try site.write("_posts/2025-03-11-last-take.md", """
        ---
        layout: post
        title: "Last Take: Rust and the Story of Halyna"
        categories: [reviews]
        genre: [Documentary, Crime]
        director: Rachel Mason
        excerpt: A documentary about the shooting on the set of Rust.
        poster: /assets/last-take.jpg
        ---
        {% include film-header.html %}
        The film opens on {{ page.date | date: "%B" }} footage.

        Compare [our review of the holdovers]({% post_url 2025-01-05-the-holdovers %}).

        {% highlight text %}
        A transcript line {{ kept }}
        {% endhighlight %}
        """)
        try site.write("_posts/2025-01-05-the-holdovers.markdown", """
        ---
        title: The Holdovers
        categories: reviews comedy
        permalink: /classics/the-holdovers/
        ---
        A warm film. {% comment %}Check the year.{% endcomment %}
        """)
        try site.write("_posts/2025-02-01-trip-to-lisbon.md", "---\ntitle: A trip to Lisbon\ncategories: [travel]\n---\nNo film here.\n")
        try site.write("_drafts/unfinished.md", "---\ntitle: Unfinished\n---\nLater.\n")

        let first = try build(site)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("with 2 reviews"), "\(first.stderr)")
        let texts = try feeds(site)
        let rss = try #require(texts["feed.xml"])
        // {year}/{month}/{day} from the file name's date, in site.timezone; a review's own permalink wins.
        #expect(rss.contains("<link>https://reviews.test/2025/03/11/last-take.html</link>"))
        #expect(rss.contains("<link>https://reviews.test/classics/the-holdovers/</link>"))
        // post_url points where site.permalink puts that post.
        #expect(rss.contains("https://reviews.test/2025/01/05/the-holdovers.html"))
        #expect(rss.contains("A documentary about the shooting on the set of Rust."))
        #expect(rss.contains("Directed by Rachel Mason"))
        #expect(rss.contains("https://reviews.test/assets/last-take.jpg"))
        #expect(rss.contains("<category>Documentary</category>"))
        #expect(!rss.contains("<category>reviews</category>"), "the topic `only` picks by is no genre")
        #expect(!rss.contains("Lisbon") && !rss.contains("Unfinished"))
        #expect(rss.contains("A transcript line"))
        for (name, text) in texts {
            #expect(!text.contains("{%") && !text.contains("{{") && !text.contains("Check the year"), "\(name)")
        }
        let check = try run(binary, ["check", "--site", site.directory.path], environment: pinned)
        #expect(check.status == 0, "\(check.stderr)")
    }

    @Test func aHugoSiteWithTOMLBundlesAndShortcodes() throws {
        let site = try site(source: "[source]\nfolder = \"content/reviews\"", permalink: "/reviews/{slug}/")
        try site.write("hugo.toml", "baseURL = 'https://reviews.test/'\n")
        try site.write("content/reviews/_index.md", "+++\ntitle = \"Reviews\"\n+++\nThe section page.\n")
        try site.write("content/reviews/past-lives/index.md", """
        +++
        title = "Past Lives"
        date = 2023-06-02T10:00:00-04:00
        genres = ["Drama", "Romance"]
        year = 2023
        rating = 4.5
        description = "Two childhood friends meet again."
        +++
        {{< figure src="still.jpg" alt="Nora and Hae Sung" >}}

        The trailer: {{< youtube kA244xewjcI >}}

        {{% notice info %}}Seen at a festival.{{% /notice %}}
        """)
        try site.write("content/reviews/past-lives/still.jpg", "jpeg")
        try site.write("content/reviews/past-lives/credits.md", "+++\ntitle = \"A page resource\"\n+++\nNot a page.\n")
        try site.write("content/reviews/2024/anatomy-of-a-fall.md", """
        ---
        title: Anatomy of a Fall
        date: 2024-01-10
        url: /films/anatomy/
        ---
        A trial and a marriage.
        """)

        let first = try build(site)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("with 2 reviews"), "\(first.stderr)")
        let texts = try feeds(site)
        let rss = try #require(texts["feed.xml"])
        #expect(rss.contains("<link>https://reviews.test/reviews/past-lives/</link>"))
        #expect(rss.contains("<link>https://reviews.test/films/anatomy/</link>"))
        #expect(rss.contains("Two childhood friends meet again."))
        #expect(rss.contains("https://www.youtube.com/watch?v=kA244xewjcI"))
        #expect(rss.contains("https://reviews.test/reviews/past-lives/still.jpg"))
        #expect(rss.contains("Seen at a festival."))
        #expect(!rss.contains("The section page") && !rss.contains("A page resource"))
        for (name, text) in texts {
            #expect(!text.contains("{{"), "\(name)")
        }

        // An edit in a subfolder rebuilds.
        #expect(try build(site).stderr.contains("feeds up to date"))
        try site.write("content/reviews/2024/anatomy-of-a-fall.md", "---\ntitle: Anatomy of a Fall\ndate: 2024-01-10\n---\nEdited: a trial.\n")
        let edited = try build(site)
        #expect(edited.status == 0)
        #expect(!edited.stderr.contains("feeds up to date"), "\(edited.stderr)")
        #expect(try #require(site.read("feeds/feed.xml")).contains("Edited: a trial."))
    }

    /// Hugo's `ref` and `relref` become the permalink of the review they name, its date from
    /// its front matter; a name of no review is dropped, its link text kept.
    @Test func aHugoRefBecomesTheLinkInTheFeed() throws {
        let site = try site(source: "[source]\nfolder = \"content/reviews\"", permalink: "/{year}/{slug}/")
        try site.write("hugo.toml", "baseURL = 'https://reviews.test/'\n")
        try site.write("content/reviews/the-holdovers.md", """
        ---
        title: The Holdovers
        date: 2023-11-10
        ---
        A teacher, a student and a cook left behind over the winter break.
        """)
        try site.write("content/reviews/aftersun/index.md", """
        +++
        title = "Aftersun"
        date = 2024-02-14
        +++
        A holiday remembered twenty years on. Compare [the earlier review]({{< ref "the-holdovers.md" >}}),
        its [last scene]({{% relref "/reviews/the-holdovers#last-scene" %}}) and [a page]({{< ref "/about" >}}).
        """)

        let result = try build(site)
        #expect(result.status == 0, "\(result.stderr)")
        let texts = try feeds(site)
        let rss = try #require(texts["feed.xml"])
        #expect(rss.contains("<a href=\"https://reviews.test/2023/the-holdovers/\">the earlier review</a>"), "\(rss)")
        #expect(rss.contains("https://reviews.test/2023/the-holdovers/#last-scene"), "\(rss)")
        #expect(rss.contains("a page"))
        for (name, text) in texts {
            #expect(!text.contains("{{") && !text.contains("/about"), "\(name)")
        }
    }

    /// The posting commands read the configured folder too (a site with no reviews/ at all).
    @Test func postingReadsTheConfiguredFolder() throws {
        // post.since: a deliberate backfill, so the review is posted rather than adopted.
        let site = try site(source: "[post]\nsince = \"2025-01-01\"\n\n[source]\nfolder = \"_posts\"\n\n[[destination]]\nname = \"hook\"\nkind = \"webhook\"\nformat = \"json\"",
                            permalink: "/{slug}/")
        try site.write("_posts/2025-03-11-a-review.md", "---\ntitle: A review\n---\nBody.\n")
        let dryRun = try run(binary, ["post", "--dry-run", "--site", site.directory.path], environment: pinned)
        #expect(dryRun.status != 2, "\(dryRun.stderr)")
        #expect(dryRun.stdout.contains("would post a-review → hook"), "\(dryRun.stdout)\(dryRun.stderr)")
    }

    /// toml++ (inside TOMLKit) asserts, aborting the process, on a date-time whose `T` is
    /// followed by no digit, and on a date, a space and a lone digit: the front-matter fuzzer
    /// found them in TOML front matter, where each
    /// would have killed every command over one review. Now an error on its line, in front
    /// matter and in syndicate.toml alike (the input is kept in Tests/FuzzCorpus).
    @Test(arguments: ["2025-03-11TA09:30", "2025-03-11t:", "[2025-03-11T-1:00]", "{ a = 1999-01-01Tx:1 }",
                      "2025-03-11 1", "{ d = 2025-03-1\u{01} 1}", "[2025-03-11 1]", "2025-0_3-11 1 # x"])
    func aDateTimeWithoutATimeIsAnErrorNotAnAbort(_ value: String) throws {
        let site = try site(source: "", permalink: "/{slug}/")
        try site.write("reviews/a.md", "+++\ntitle = \"A\"\ndate = \(value)\n+++\nBody.\n")
        let review = try build(site)
        #expect(review.status == 2 || review.status == 1, "\(review.stderr)")
        #expect(review.stderr.contains("reviews/a.md:3: front matter: invalid TOML: expected a "), "\(review.stderr)")

        let config = try #require(site.read("syndicate.toml"))
        try site.write("syndicate.toml", config.replacingOccurrences(of: "[feeds]", with: "[feeds]\nx = \(value)"))
        let check = try run(binary, ["check", "--site", site.directory.path], environment: pinned)
        #expect(check.status == 1, "\(check.stderr)")
        #expect(check.stderr.contains("syndicate.toml:11: syntax: expected a "), "\(check.stderr)")
    }

    @Test func aMissingFolderIsAConfigErrorNamingIt() throws {
        let site = try site(source: "[source]\nfolder = \"content/films\"", permalink: "/reviews/{slug}/")
        let result = try build(site)
        #expect(result.status == 2)
        #expect(result.stderr.contains("syndicate.toml:16: source.folder: \"content/films\" is missing"), "\(result.stderr)")
        #expect(!site.exists("feeds"))
        let check = try run(binary, ["check", "--site", site.directory.path], environment: pinned)
        #expect(check.status != 0)
    }
}
