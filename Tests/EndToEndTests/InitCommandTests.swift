import Foundation
import SyndicateTesting
import Testing

/// `syndicate init` as a new user runs it: on the folder their site already is, then `check`
/// and `build` with no edit.
@Suite("syndicate init, end to end")
struct InitCommandTests {
    let binary = syndicateBinary()
    let environment = ["NO_COLOR": "1", "SYNDICATE_NOW": "2026-01-01T00:00:00Z"]

    /// `init` on the site, then `check` and `build` pass as they are; the feed is returned.
    func initCheckAndBuild(_ site: TemporarySite, arguments: [String] = [], feed: String = "feeds/feed.xml",
                           sourceLocation: SourceLocation = #_sourceLocation) throws -> (output: String, feed: String) {
        let made = try run(binary, ["init", site.directory.path] + arguments, environment: environment)
        #expect(made.status == 0, "\(made.stderr)", sourceLocation: sourceLocation)
        let mode = try FileManager.default.attributesOfItem(atPath: site.directory.appendingPathComponent("credentials").path)[.posixPermissions] as? Int
        #expect(mode == 0o600, sourceLocation: sourceLocation)
        let check = try run(binary, ["check", "--site", site.directory.path], environment: environment)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)", sourceLocation: sourceLocation)
        let build = try run(binary, ["build", "--site", site.directory.path], environment: environment)
        #expect(build.status == 0, "\(build.stderr)", sourceLocation: sourceLocation)
        return (made.stdout, site.read(feed) ?? "")
    }

    @Test func aJekyllSiteBuildsFromItsPostsWithItsOwnLinks() throws {
        let site = try TemporarySite(config: nil)
        try FileManager.default.removeItem(at: site.directory.appendingPathComponent("reviews"))
        try site.write("_config.yml", """
            title: Second Row
            url: https://secondrow.example.org
            timezone: America/Chicago
            permalink: pretty
            plugins: [jekyll-feed]
            """)
        try site.write("_posts/2025-03-01-heat.md", """
            ---
            layout: post
            title: Heat
            date: 2025-03-01
            ---
            A long look at Michael Mann's 1995 crime film.
            """)
        let (output, feed) = try initCheckAndBuild(site)
        #expect(output.contains("syndicate.toml: written for a Jekyll site (reviews from _posts/, [site] from _config.yml)"), "\(output)")
        #expect(output.contains("note: Jekyll publishes every file not starting with _ or . (credentials too): add exclude: "
                                + "[syndicate.toml, credentials] to _config.yml"), "\(output)")
        #expect(feed.contains("<title>Second Row</title>") && feed.contains("<title>Heat</title>"), "\(feed)")
        #expect(feed.contains("https://secondrow.example.org/2025/03/01/heat/"), "Jekyll's pretty permalink, as the site links it")
        #expect(!site.exists("reviews"), "a Jekyll site gets no reviews/ folder")
    }

    @Test func aHugoSiteBuildsFromItsReviewsSectionIntoStatic() throws {
        let site = try TemporarySite(config: nil)
        try FileManager.default.removeItem(at: site.directory.appendingPathComponent("reviews"))
        try site.write("hugo.toml", """
            baseURL = "https://frames.example.net/"
            title = "Frames"
            languageCode = "en-gb"
            """)
        try site.write("content/reviews/alien.md", """
            +++
            title = "Alien"
            date = 2025-02-14
            +++
            Ridley Scott's 1979 film, seen again.
            """)
        try site.write("content/posts/news.md", "+++\ntitle = \"Site news\"\ndate = 2025-02-10\n+++\nNot a review.\n")
        let (output, feed) = try initCheckAndBuild(site, feed: "static/feeds/feed.xml")
        #expect(output.contains("Hugo site (reviews from content/reviews/, [site] from hugo.toml)"), "\(output)")
        #expect(feed.contains("<title>Alien</title>") && !feed.contains("Site news"), "\(feed)")
        #expect(feed.contains("https://frames.example.net/reviews/alien/"))
    }

    @Test func aReviewsFolderBuildsAsItIs() throws {
        let site = try TemporarySite(config: nil)
        try site.review("2025-01-05-past-lives.md", "title: Past Lives\ndate: 2025-01-05\nrating: 4.5")
        let (output, feed) = try initCheckAndBuild(site)
        #expect(output.contains("Markdown folder (reviews from reviews/)"), "\(output)")
        #expect(output.contains("set in syndicate.toml: site.title, site.url, site.timezone (not found)"), "\(output)")
        #expect(feed.contains("<title>Past Lives</title>") && feed.contains("https://example.org/reviews/past-lives/"))
        let config = try #require(site.read("syndicate.toml"))
        for kind in ["mastodon", "bluesky", "x", "letterboxd", "linkhub", "micropub", "webhook", "command"] {
            #expect(config.contains("# kind = \"\(kind)\""), "every destination kind is listed: \(kind)")
        }
    }

    @Test func aNewFolderIsMadeWithAnEmptyReviewsFolder() throws {
        let parent = try TemporarySite(config: nil)
        let site = parent.directory.appendingPathComponent("my-site")
        let made = try run(binary, ["init"], environment: environment, currentDirectory: parent.directory)
        #expect(made.status == 0, "\(made.stderr)")
        let nested = try run(binary, ["init", "--site", site.path], environment: environment)
        #expect(nested.status == 0, "\(nested.stderr)")
        #expect(FileManager.default.fileExists(atPath: site.appendingPathComponent("reviews").path))
        let build = try run(binary, ["build", "--site", site.path], environment: environment)
        #expect(build.status == 0, "\(build.stderr)")
    }

    @Test func anExistingFileIsNeverOverwrittenAndNothingIsWritten() throws {
        let site = try TemporarySite(config: nil)
        try site.write("credentials", "[mastodon]\naccess_token = \"keep me\"\n")
        let result = try run(binary, ["init", site.directory.path], environment: environment)
        #expect(result.status == 1)
        #expect(result.stderr == "error: credentials: already exists (init never overwrites a file); nothing written\n")
        #expect(site.read("credentials") == "[mastodon]\naccess_token = \"keep me\"\n")
        #expect(!site.exists("syndicate.toml"))

        let again = try run(binary, ["init", repositoryRoot().path], environment: environment)
        #expect(again.status == 1 && again.stderr.contains("syndicate.toml: already exists"), "the sample site is left alone")
    }

    @Test func aURLThatCannotBeReadWritesNothing() throws {
        let server = try FakeServer(responses: [.text(500, "down")])
        let site = try TemporarySite(config: nil)
        let result = try run(binary, ["init", site.directory.path, "--from", server.baseURL + "/"], environment: environment)
        #expect(result.status == 1)
        #expect(result.stderr == "error: \(server.baseURL)/: HTTP 500; nothing written\n", "\(result.stderr)")
        #expect(!site.exists("syndicate.toml") && !site.exists("credentials"))
    }
}
