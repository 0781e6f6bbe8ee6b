import Foundation
import SyndicateTesting
import Testing

/// `syndicate init --from URL` as a new user runs it on a WordPress blog or a feed, then
/// `check` and `build` with no edit.
@Suite("syndicate init --from URL, end to end")
struct InitFromURLTests {
    let binary = syndicateBinary()
    let environment = ["NO_COLOR": "1", "SYNDICATE_NOW": TemporarySite.sampleBuildDate]
    static let now = Date(timeIntervalSince1970: 1_764_072_000)  // 2026-11-25T12:00:00Z

    /// `init --from`, `check`, `build`: each must pass as it is; init's stdout and the RSS.
    func initCheckAndBuild(_ url: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> (site: TemporarySite, output: String, feed: String) {
        let site = try TemporarySite(config: nil)
        let made = try run(binary, ["init", site.directory.path, "--from", url], environment: environment)
        #expect(made.status == 0, "\(made.stderr)", sourceLocation: sourceLocation)
        let check = try run(binary, ["check", "--site", site.directory.path], environment: environment)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)", sourceLocation: sourceLocation)
        let build = try run(binary, ["build", "--site", site.directory.path], environment: environment)
        #expect(build.status == 0, "\(build.stderr)", sourceLocation: sourceLocation)
        return (site, made.stdout, site.read("feeds/feed.xml") ?? "")
    }

    @Test func aWordPressBlogIsReadThroughItsRESTAPI() throws {
        let fake = try FakeWordPress(posts: [FakeWordPress.Post(
            id: 7, slug: "quiet-harbour", title: "A Harbour That Listens",
            content: "<p>Quiet Harbour</p>\n<p>Genre: Drama<br>Year Released: 2024<br>Rating: 4/5</p>\n<p>A slow, generous film about a town that waits.</p>",
            date: Self.now.addingTimeInterval(-86_400), categories: ["Movie Reviews"])])
        // The API root, which the fake leaves to each test: what init reads the site from.
        let home = fake.homeURL
        fake.fault { request in
            request.path == "/wp-json/"
                ? .json(200, #"{"name":"Bob&#039;s Film Diary","description":"","url":"\#(home)","home":"\#(home)","#
                        + #""gmt_offset":-5,"timezone_string":"America/Chicago","namespaces":["wp/v2"]}"#)
                : nil
        }
        let (site, output, feed) = try initCheckAndBuild(home)
        #expect(output.contains("syndicate.toml: written for a WordPress site (posts from \(home), [site] from the REST API root)"), "\(output)")
        let config = try #require(site.read("syndicate.toml"))
        #expect(config.contains("title = \"Bob's Film Diary\"") && config.contains("timezone = \"America/Chicago\""), "\(config)")
        #expect(config.contains("kind = \"wordpress\""))
        #expect(feed.contains("<title>Quiet Harbour</title>") && feed.contains("\(fake.linkBase)/quiet-harbour/"), "\(feed)")
    }

    @Test func aPageLinkingItsFeedIsReadThroughTheFeed() throws {
        let fake = try FakeFeedSite()
        fake.add(FakeFeedSite.Post(id: 3, slug: "salt-roads", title: "Salt Roads", date: Self.now.addingTimeInterval(-3 * 86_400),
                                   body: "<p>Salt Roads</p><p>Genre: Western<br>Year: 2023</p><p>Dust, patience and one good horse.</p>"))
        fake.override(FakeResponse(status: 200, headers: [("Content-Type", "text/html")], body: Data("""
            <!doctype html><html><head><title>A Fake Review Blog</title>
            <link rel="alternate" type="application/rss+xml" title="Feed" href="/feed/">
            </head><body></body></html>
            """.utf8)))
        let (site, output, feed) = try initCheckAndBuild(fake.baseURL + "/")
        #expect(output.contains("syndicate.toml: written for a feed (items of \(fake.rssURL), [site] from the feed)"), "\(output)")
        #expect(output.contains("set in syndicate.toml: site.timezone (not found)"))
        #expect(try #require(site.read("syndicate.toml")).contains("title = \"A Fake Review Blog\""))
        #expect(feed.contains("<title>Salt Roads</title>"), "\(feed)")
    }

    @Test func anAtomFeedURLIsTheSourceItself() throws {
        let fake = try FakeFeedSite()
        fake.add(FakeFeedSite.Post(id: 4, slug: "paper-kingdom", title: "Paper Kingdom", date: Self.now.addingTimeInterval(-86_400),
                                   body: "<p>A film folded out of old letters.</p>"))
        let (_, output, feed) = try initCheckAndBuild(fake.atomURL)
        #expect(output.contains("items of \(fake.atomURL)"), "\(output)")
        #expect(feed.contains("<title>Paper Kingdom</title>"), "\(feed)")
    }
}
