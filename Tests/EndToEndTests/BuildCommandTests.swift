import Foundation
import SyndicateTesting
import Testing

/// Runs the real `syndicate` binary, as cron and users do.
@Suite("syndicate build and check, end to end")
struct BuildCommandTests {
    let binary = syndicateBinary()
    let pinned = ["SYNDICATE_NOW": TemporarySite.sampleBuildDate, "NO_COLOR": "1"]

    @Test func sampleSiteBuildsThenIsUpToDate() throws {
        let site = try TemporarySite.sampleCopy()
        let first = try run(binary, ["build", "--site", site.directory.path], environment: pinned)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("built 27 feeds with 15 reviews: 27 written, 0 unchanged"), "\(first.stderr)")
        #expect(site.exists("feeds/feed.xml") && site.exists("feeds/atom.xml") && site.exists("feeds/feed.json"))
        #expect(site.exists("feeds/genres/documentary.atom.xml"))

        let second = try run(binary, ["build", "--site", site.directory.path], environment: pinned)
        #expect(second.status == 0)
        #expect(second.stderr.contains("feeds up to date (15 reviews, nothing changed)"), "\(second.stderr)")

        let quiet = try run(binary, ["build", "--quiet", "--site", site.directory.path], environment: pinned)
        #expect(quiet.status == 0)
        #expect(quiet.stderr.isEmpty)
    }

    @Test func buildsFromTheCurrentFolderByDefault() throws {
        let site = try TemporarySite.sampleCopy()
        let result = try run(binary, ["build"], environment: pinned, currentDirectory: site.directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(site.exists("feeds/feed.xml"))
    }

    @Test func invalidReviewExitsOneAndTheRestIsBuilt() throws {
        let site = try TemporarySite.sampleCopy()
        try site.write("reviews/2025-12-01-broken.md", "---\ntitle: Broken\ndate: 2025-12-01\nrating: 9\n---\nBody\n")
        let result = try run(binary, ["build", "--site", site.directory.path], environment: pinned)
        #expect(result.status == 1)
        #expect(result.stderr.contains("reviews/2025-12-01-broken.md:4: rating: 9 is out of range: ratings go from 0.5 to 5"), "\(result.stderr)")
        #expect(!result.stderr.contains("\u{1B}["), "no colour with NO_COLOR or off a terminal")
        let feed = try #require(site.read("feeds/feed.xml"))
        #expect(feed.contains("<title>The Holdovers</title>"))
        #expect(!feed.contains("Broken"))

        // A warm run reports the same problem and the same status.
        let again = try run(binary, ["build", "--site", site.directory.path], environment: pinned)
        #expect(again.status == 1)
        #expect(again.stderr.contains("reviews/2025-12-01-broken.md:4: rating"))
    }

    @Test func configErrorExitsTwoAndWritesNothing() throws {
        let site = try TemporarySite.sampleCopy()
        let config = try #require(site.read("syndicate.toml"))
        try site.write("syndicate.toml", config.replacingOccurrences(of: "items = 50", with: "items = 50\nitem = 3"))
        let result = try run(binary, ["build", "--site", site.directory.path], environment: pinned)
        #expect(result.status == 2)
        #expect(result.stderr.contains("syndicate.toml:16: feeds.item: unknown key"), "\(result.stderr)")
        #expect(!site.exists("feeds"))
    }

    /// A problem only a destination's kind can see (a webhook's `format`) is reported with the
    /// file's other problems, all at once, by every command that reads the config.
    @Test func destinationProblemsAreReportedWithTheRestByEveryCommand() throws {
        let site = try TemporarySite.sampleCopy()
        let config = try #require(site.read("syndicate.toml"))
        try site.write("syndicate.toml", config.replacingOccurrences(of: "items = 50", with: "items = 50\nitem = 3")
            .replacingOccurrences(of: "format = \"discord\"", with: "format = \"teams\""))
        let expected = ["syndicate.toml:16: feeds.item: unknown key",
                        "syndicate.toml:58: destination.discord.format: \"teams\" is not one of: discord, slack, json"]
        for (command, status) in [("check", Int32(1)), ("build", 2), ("post", 2)] {
            let result = try run(binary, [command, "--site", site.directory.path], environment: pinned)
            #expect(result.status == status, "\(command)")
            for line in expected { #expect(result.stderr.contains(line), "\(command): \(result.stderr)") }
        }
        #expect(!site.exists("feeds"))
    }

    @Test func missingConfigExitsTwo() throws {
        let site = try TemporarySite(config: nil)
        let result = try run(binary, ["build", "--site", site.directory.path], environment: pinned)
        #expect(result.status == 2)
        #expect(result.stderr.contains("syndicate.toml:1: file: cannot read"))
    }

    @Test func checkReportsWithoutWriting() throws {
        let site = try TemporarySite.sampleCopy()
        let ok = try run(binary, ["check", "--site", site.directory.path], environment: pinned)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("reviews: 17 valid (15 published, 1 draft(s), 1 scheduled), 0 invalid"), "\(ok.stdout)")
        #expect(!site.exists("feeds"))

        try site.write("reviews/bad.md", "no front matter\n")
        let bad = try run(binary, ["check", "--site", site.directory.path], environment: pinned)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("reviews/bad.md:1: front matter: missing"))
    }

    @Test func pinnedClockMustBeADate() throws {
        let site = try TemporarySite.sampleCopy()
        let result = try run(binary, ["build", "--site", site.directory.path], environment: ["SYNDICATE_NOW": "tomorrow"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("SYNDICATE_NOW=tomorrow is not an RFC 3339 date"))
    }
}
