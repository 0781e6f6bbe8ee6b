import Foundation
import HTTP
import Reviews
@testable import ReviewSources
import SyndicateTesting
import Testing

/// `syndicate init`'s library: what it finds in a folder or at a URL, and what it writes.
@Suite struct SiteInitializerTests {
    static let destinations = [
        DestinationKindSketch(kind: "mastodon", baseURL: "https://", baseURLRequired: true, optionKeys: ["visibility"],
                              credentialKeys: ["access_token"]),
        DestinationKindSketch(kind: "command", baseURL: nil, baseURLRequired: false, optionKeys: ["run"], credentialKeys: []),
    ]

    /// The file init writes, read back as every command reads it.
    static func parsed(_ sketch: SiteSketch) throws -> SiteConfig {
        try ConfigLoader.parse(SiteInitializer.configText(sketch, destinations: destinations), checkingSource: SourceKinds.check)
    }

    // MARK: Permalinks

    @Test(arguments: [
        (nil, "/{year}/{month}/{day}/{slug}.html", true),          // Jekyll's default, `date`, less :categories
        ("pretty", "/{year}/{month}/{day}/{slug}/", true),
        ("none", "/{slug}.html", true),
        ("/:year/:month/:title/", "/{year}/{month}/{slug}/", false),
        ("/reviews/:slug", "/reviews/{slug}", false),
        ("/:year/:i_month/:title/", "/{year}/{month}/{day}/{slug}.html", true),   // :i_month has no counterpart
        ("ordinal", "/{year}/{month}/{day}/{slug}.html", true),
    ] as [(String?, String, Bool)])
    func jekyllPermalinks(setting: String?, expected: String, noted: Bool) {
        let (permalink, note) = PermalinkTranslation.jekyll(setting)
        #expect(permalink == expected)
        #expect((note != nil) == noted, "\(note ?? "no note")")
    }

    @Test(arguments: [
        (nil, "reviews", "/reviews/{slug}/", false),
        (nil, nil, "/{slug}/", false),
        ("/:year/:month/:title/", "posts", "/{year}/{month}/{slug}/", false),
        ("/:section/:slug/", "reviews", "/reviews/{slug}/", false),
        ("/:year/:monthname/:slug/", "posts", "/posts/{slug}/", true),
    ] as [(String?, String?, String, Bool)])
    func hugoPermalinks(setting: String?, section: String?, expected: String, noted: Bool) {
        let (permalink, note) = PermalinkTranslation.hugo(setting, section: section)
        #expect(permalink == expected)
        #expect((note != nil) == noted)
    }

    // MARK: Folders

    @Test func aJekyllSiteIsItsPostsWithItsConfigsSiteValues() throws {
        let site = try TemporarySite(config: nil)
        try site.write("_posts/2025-03-01-heat.md", "---\ntitle: Heat\n---\nBody\n")
        try site.write("_config.yml", """
            title: "Reel Talk: Films & More"
            url: "https://reeltalk.example.org/"
            baseurl: "/blog"
            timezone: Europe/Paris
            author:
              name: Ana
            permalink: /:year/:month/:day/:title/
            """)
        let sketch = try SiteInitializer.sketch(folder: site.directory)
        #expect(sketch.shape == .jekyll && sketch.sourceKind == "files" && sketch.folder == "_posts")
        #expect(sketch.title == "Reel Talk: Films & More" && sketch.url == "https://reeltalk.example.org/blog")
        #expect(sketch.timezone == "Europe/Paris" && sketch.author == "Ana")
        #expect(sketch.permalink == "/{year}/{month}/{day}/{slug}/" && sketch.missing.isEmpty)
        #expect(sketch.notes == ["Jekyll publishes every file not starting with _ or . (credentials too): add "
                                 + "exclude: [syndicate.toml, credentials] to _config.yml before the next jekyll build"])
        let config = try Self.parsed(sketch)
        #expect(config.site.title == "Reel Talk: Films & More" && config.site.url == "https://reeltalk.example.org/blog")
        #expect(config.site.timeZone.identifier == "Europe/Paris")
        #expect(config.source.kind == "files" && config.source.table.values["folder"]?.value == .string("_posts"))
    }

    @Test func aJekyllSiteThatExcludesTheFilesIsNotWarned() throws {
        let site = try TemporarySite(config: nil)
        try site.write("_posts/2025-03-01-heat.md", "---\ntitle: Heat\n---\nBody\n")
        try site.write("_config.yml", "title: T\nexclude:\n  - Gemfile\n  - credentials\n  - syndicate.toml\n")
        #expect(try !SiteInitializer.sketch(folder: site.directory).notes.contains { $0.contains("Jekyll publishes") })
        try site.write("_config.yml", "title: T\nexclude: [credentials]\n")
        #expect(try SiteInitializer.sketch(folder: site.directory).notes.first?.contains("add exclude: [syndicate.toml] to _config.yml") == true)
    }

    @Test func aHugoSiteIsTheSectionHoldingItsPosts() throws {
        let site = try TemporarySite(config: nil)
        try site.write("content/posts/heat.md", "+++\ntitle = \"Heat\"\n+++\nBody\n")
        try site.write("content/reviews/alien.md", "+++\ntitle = \"Alien\"\n+++\nBody\n")
        try site.write("hugo.toml", """
            baseURL = "https://films.example.net/"
            languageCode = "en-gb"
            Title = "Frames"
            timeZone = "Europe/London"
            [params]
            description = "Film notes"
            [permalinks]
            reviews = "/:year/:month/:slug/"
            """)
        let sketch = try SiteInitializer.sketch(folder: site.directory)
        #expect(sketch.shape == .hugo && sketch.folder == "content/reviews" && sketch.output == "static/feeds")
        #expect(sketch.title == "Frames" && sketch.url == "https://films.example.net" && sketch.timezone == "Europe/London")
        #expect(sketch.language == "en-gb" && sketch.description == "Film notes" && sketch.permalink == "/{year}/{month}/{slug}/")
        let config = try Self.parsed(sketch)
        #expect(config.site.language == "en-gb" && config.feeds.output == "static/feeds")
    }

    /// Hugo's config folder: `config/_default/hugo.toml`, with `params` and `permalinks` in
    /// files of their own (as a real Hugo blog tried by hand had it).
    @Test func aHugoConfigFolderIsReadWithItsTableFiles() throws {
        let site = try TemporarySite(config: nil)
        try site.write("content/posts/heat/index.md", "+++\ntitle = \"Heat\"\n+++\nBody\n")
        try site.write("config/_default/hugo.toml", "baseURL = 'https://lexp.example'\ntitle = 'Lexy'\n")
        try site.write("config/_default/params.toml", "description = \"Films, mostly\"\n")
        try site.write("config/_default/permalinks.yaml", "posts: /p/:slug/\n")
        let sketch = try SiteInitializer.sketch(folder: site.directory)
        #expect(sketch.shape == .hugo && sketch.origin == "config/_default/hugo.toml" && sketch.folder == "content/posts")
        #expect(sketch.title == "Lexy" && sketch.url == "https://lexp.example" && sketch.description == "Films, mostly")
        #expect(sketch.permalink == "/p/{slug}/")
    }

    @Test func aHugoConfigTOMLKitWouldAbortOnIsANoteNotACrash() throws {
        let site = try TemporarySite(config: nil)
        try site.write("content/posts/heat.md", "Body\n")
        try site.write("config.toml", "[=\n")
        let sketch = try SiteInitializer.sketch(folder: site.directory)
        #expect(sketch.shape == .hugo && sketch.folder == "content/posts")
        #expect(sketch.notes.contains { $0.hasPrefix("config.toml: cannot be read (line 1:") }, "\(sketch.notes)")
        #expect(sketch.missing == ["title", "url", "timezone"])
        _ = try Self.parsed(sketch)
    }

    @Test func aFolderOfNothingKnownIsMarkdownInReviews() throws {
        let site = try TemporarySite(config: nil)
        try FileManager.default.removeItem(at: site.directory.appendingPathComponent("reviews"))
        try site.write("content/notes.md", "not Hugo without its config\n")
        let sketch = try SiteInitializer.sketch(folder: site.directory)
        #expect(sketch.shape == .markdown && sketch.folder == "reviews")
        #expect(sketch.notes.first?.contains("reviews/ is made") == true)
        #expect(sketch.title == site.directory.lastPathComponent && sketch.url == "https://example.org" && sketch.timezone == "UTC")
        #expect(sketch.missing == ["title", "url", "timezone"])
    }

    /// Whatever a site calls itself, the file stays valid TOML with that very title.
    @Test(arguments: ["Say \"Cut!\"", "Back\\slash", "Two\nlines # not a comment", "Tab\there \u{7F}"])
    func hostileValuesStayInTheirString(title: String) throws {
        var sketch = SiteSketch(shape: .markdown, sourceKind: "files")
        sketch.title = title
        sketch.url = "https://example.org"
        sketch.folder = "reviews"
        #expect(try Self.parsed(sketch).site.title == title)
    }

    /// A note quotes the site's values (a Jekyll permalink): a newline in one stays in its comment.
    @Test func aNoteIsOneCommentLine() throws {
        var sketch = SiteSketch(shape: .jekyll, sourceKind: "files")
        sketch.title = "T"
        sketch.url = "https://example.org"
        sketch.notes = ["permalink \"/x\n[feeds]\nitems = 0\""]
        #expect(try Self.parsed(sketch).feeds.items == 50)
    }

    // MARK: Writing

    @Test func writesBothFilesAndTheFolderWithCredentialsReadableByItsOwnerAlone() throws {
        let site = try TemporarySite(config: nil)
        let target = site.directory.appendingPathComponent("new/site")
        try SiteInitializer.write(config: "a = 1\n", credentials: "# none\n", folder: "_posts", into: target)
        #expect(FileManager.default.contents(atPath: target.appendingPathComponent("syndicate.toml").path) == Data("a = 1\n".utf8))
        let mode = try FileManager.default.attributesOfItem(atPath: target.appendingPathComponent("credentials").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: target.appendingPathComponent("_posts").path, isDirectory: &isDirectory) && isDirectory.boolValue)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: target.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test(arguments: ["syndicate.toml", "credentials"])
    func neverOverwritesAndThenWritesNothing(existing: String) throws {
        let site = try TemporarySite(config: nil)
        try FileManager.default.removeItem(at: site.directory.appendingPathComponent("reviews"))
        try site.write(existing, "mine\n")
        let error = #expect(throws: SiteInitError.self) {
            try SiteInitializer.write(config: "a = 1\n", credentials: "", folder: "reviews", into: site.directory)
        }
        #expect(error?.description == "\(existing): already exists (init never overwrites a file)")
        #expect(site.read(existing) == "mine\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: site.directory.path) == [existing])
    }

    @Test func aDanglingSymbolicLinkIsANameTaken() throws {
        let site = try TemporarySite(config: nil)
        try FileManager.default.createSymbolicLink(atPath: site.directory.appendingPathComponent("credentials").path,
                                                   withDestinationPath: "/nonexistent/secrets")
        #expect(throws: SiteInitError("credentials: already exists (init never overwrites a file)")) {
            try SiteInitializer.write(config: "a = 1\n", credentials: "", folder: nil, into: site.directory)
        }
        #expect(!site.exists("syndicate.toml"))
    }

    @Test func theCredentialsListEveryKindsKeysAndHoldNoValue() throws {
        let text = SiteInitializer.credentialsText(destinations: Self.destinations)
        #expect(text.contains("# [mastodon]\n# access_token = \"\""))
        #expect(!text.contains("[command]"), "a kind without credentials has no table")
        #expect(text.split(separator: "\n").allSatisfy { $0.hasPrefix("#") || $0.isEmpty })
        let config = SiteInitializer.configText(try SiteInitializer.sketch(folder: TemporarySite(config: nil).directory),
                                                destinations: Self.destinations)
        #expect(config.contains("# [[destination]]\n# name = \"mastodon\"\n# kind = \"mastodon\"\n# base_url = \"https://\""))
        #expect(config.contains("# required: the service's address"))
        #expect(config.contains("# # its other keys (README, \"Destinations\"): visibility"))
    }
}

/// The README's "Sources" section gives a complete `syndicate.toml` per source: each must be
/// one that Syndicate accepts as it is.
@Suite struct ReadmeSourcesTests {
    @Test func everySourcesExampleIsAValidConfig() throws {
        let readme = try String(contentsOf: repositoryRoot().appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "\n## Sources\n").dropFirst().first?.components(separatedBy: "\n## ").first)
        // The complete files (with [site]); excerpts of one table are not configs.
        let blocks = section.components(separatedBy: "```toml\n").dropFirst().map { $0.components(separatedBy: "\n```").first ?? "" }
            .filter { $0.contains("[site]") }
        #expect(blocks.count == 5, "files, Jekyll, Hugo, WordPress, feed")
        var kinds: [String] = []
        for block in blocks {
            let config = try ConfigLoader.parse(block, checkingSource: SourceKinds.check)
            kinds.append(config.source.kind)
        }
        #expect(kinds == ["files", "files", "files", "wordpress", "feed"])
    }
}
