import Feeds
import Foundation
import Reviews
import SyndicateTesting
import Testing

/// The repository's `feeds/` is the sample site's build output, and must stay so.
/// Run with `SYNDICATE_UPDATE_GOLDEN=1` to rewrite it after an intended change.
@Suite("Golden feeds")
struct GoldenFeedsTests {
    @Test func sampleSiteBuildsExactlyTheCommittedFeeds() throws {
        let site = try TemporarySite.sampleCopy()
        let now = try #require(SiteDate.parse(TemporarySite.sampleBuildDate, timeZone: .gmt))
        let report = try FeedBuilder(site: Site.load(site.directory), now: now).build()
        let golden = repositoryRoot().appendingPathComponent("feeds")

        if ProcessInfo.processInfo.environment["SYNDICATE_UPDATE_GOLDEN"] == "1" {
            try? FileManager.default.removeItem(at: golden)
            try FileManager.default.copyItem(at: site.directory.appendingPathComponent("feeds"), to: golden)
        }
        let goldenFiles = try FileManager.default.subpathsOfDirectory(atPath: golden.path)
            .filter { $0.hasSuffix(".xml") || $0.hasSuffix(".json") }.sorted()
        #expect(goldenFiles == report.outputs.sorted(), "feeds/ holds exactly the files a build writes")
        for path in report.outputs {
            let built = try Data(contentsOf: site.directory.appendingPathComponent("feeds/\(path)"))
            let committed = try Data(contentsOf: golden.appendingPathComponent(path))
            #expect(built == committed, "feeds/\(path) differs from a fresh build: run SYNDICATE_UPDATE_GOLDEN=1 swift test")
        }
    }
}
