import Feeds
import Foundation
import HTTP
import Reviews
import SyndicateTesting
import Testing

@Suite("Determinism and atomic output")
struct DeterminismTests {
    private func mtime(_ url: URL) throws -> Date {
        try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date)
    }

    @Test func twoBuildsAreByteIdenticalAndTheSecondWritesNothing() throws {
        let site = try TemporarySite()
        try site.review("2025-01-01-a.md", "title: A\ndate: 2025-01-01\ngenres: [Drama, Comedy]")
        try site.review("2025-01-02-b.md", "title: B\ndate: 2025-01-02\ngenres: [Comedy]")
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        let first = try FeedBuilder(site: Site.load(site.directory), now: now).build()
        #expect(first.unchanged.isEmpty)
        let feed = site.directory.appendingPathComponent("feeds/feed.xml")
        let bytes = try Data(contentsOf: feed)
        let before = try mtime(feed)
        Thread.sleep(forTimeInterval: 0.05)

        // A later clock changes nothing: the feed's date is the newest review's.
        let second = try FeedBuilder(site: Site.load(site.directory), now: now.addingTimeInterval(86400 * 30)).build()
        #expect(second.written.isEmpty)
        #expect(second.unchanged.count == first.written.count)
        #expect(try Data(contentsOf: feed) == bytes)
        #expect(try mtime(feed) == before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: site.directory.appendingPathComponent("feeds").path)
            .filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func anEditRewritesOnlyTheFeedsItTouches() throws {
        let site = try TemporarySite()
        try site.review("2025-01-01-a.md", "title: A\ndate: 2025-01-01\ngenres: [Drama]")
        try site.review("2025-01-02-b.md", "title: B\ndate: 2025-01-02\ngenres: [Comedy]")
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        _ = try FeedBuilder(site: Site.load(site.directory), now: now).build()
        try site.review("2025-01-02-b.md", "title: B edited\ndate: 2025-01-02\ngenres: [Comedy]")
        let report = try FeedBuilder(site: Site.load(site.directory), now: now).build()
        #expect(report.written.sorted() == ["atom.xml", "feed.json", "feed.xml", "genres/comedy.atom.xml", "genres/comedy.xml"])
        #expect(report.unchanged.sorted() == ["genres/drama.atom.xml", "genres/drama.xml"])
    }

    @Test func warmBuildIsAnsweredFromTheCacheUntilAnInputChanges() async throws {
        let site = try TemporarySite()
        try site.review("2025-01-01-a.md", "title: A\ndate: 2025-01-01")
        try site.review("2030-01-01-later.md", "title: Later\ndate: 2030-01-01")
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        #expect(try await build(site, now: now).upToDate == false)
        #expect(try await build(site, now: now).upToDate == true)

        // The scheduled review's date arriving invalidates the cache.
        let later = try await build(site, now: Date(timeIntervalSince1970: 1_900_000_000))
        #expect(later.upToDate == false)
        #expect(later.report.entries == 2)

        // So do an edited review and a deleted feed.
        try await Task.sleep(for: .milliseconds(10))
        try site.review("2025-01-01-a.md", "title: A2\ndate: 2025-01-01")
        #expect(try await build(site, now: now).upToDate == false)
        try FileManager.default.removeItem(at: site.directory.appendingPathComponent("feeds/atom.xml"))
        let rebuilt = try await build(site, now: now)
        #expect(rebuilt.upToDate == false)
        #expect(rebuilt.report.written == ["atom.xml"])
    }

    @Test func invalidReviewsAreReportedAgainByAWarmBuild() async throws {
        let site = try TemporarySite()
        try site.review("2025-01-01-a.md", "title: A\ndate: 2025-01-01")
        try site.review("bad.md", "title: Bad")
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        let cold = try await build(site, now: now)
        let warm = try await build(site, now: now)
        #expect(warm.upToDate)
        #expect(cold.diagnostics == ["reviews/bad.md:1: date: required (or a file name starting with the date, like 2025-03-11-title.md)"])
        #expect(warm.diagnostics == cold.diagnostics)
    }

    /// `syndicate build` as the command runs it: the config loaded, then the build.
    private func build(_ site: TemporarySite, now: Date) async throws -> SiteBuild.Outcome {
        try await SiteBuild.run(siteDirectory: site.directory, config: ConfigLoader.load(siteDirectory: site.directory), now: now,
                                http: CurlHTTPClient(userAgent: "syndicate-tests"))
    }
}
