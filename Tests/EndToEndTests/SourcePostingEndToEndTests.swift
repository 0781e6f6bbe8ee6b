import Foundation
import SyndicateTesting
import Testing

private let env = ["NO_COLOR": "1", "SYNDICATE_NOW": "2025-11-24T16:00:00Z"]

private func syndicate(_ arguments: [String], _ site: TemporarySite) throws -> ProcessResult {
    try runBounded(arguments + ["--site", site.directory.path], seconds: 30, environment: env)
}

/// A site posting to one webhook on `server`; `since` nil leaves `post.since` unset.
private func hookSite(_ server: FakeServer, reviews: Int, since: String? = nil) throws -> TemporarySite {
    try TemporarySite.posting(reviews: reviews, destinations: "[[destination]]\nname = \"hook\"\nkind = \"webhook\"\n", since: since,
                              credentials: "[hook]\nurl = \"\(server.baseURL)/hook\"\n")
}

private func statusRows(_ site: TemporarySite, _ arguments: [String] = []) throws -> [[String: Any]] {
    let result = try syndicate(["status", "--json"] + arguments, site)
    #expect(result.status == 0, "\(result.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
}

@Suite("First-run adoption and the source, end to end", .serialized)
struct SourcePostingEndToEndTests {
    @Test func aNewSiteMeetsAdoptionFirstInTheDryRunThenInTheCronRun() throws {
        let server = try FakeServer(responses: [.json(200, "{\"url\":\"https://hook.test/1\"}")])
        let site = try hookSite(server, reviews: 3)

        let dry = try syndicate(["post", "--dry-run"], site)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("would adopt 3 reviews already published for hook"), "\(dry.stdout)")
        #expect(dry.stdout.contains("set post.since to post older ones"))
        #expect(!dry.stdout.contains("would post"))
        #expect(try statusRows(site).isEmpty, "a dry run records nothing")

        // Said even under --quiet: it happens once, and explains why nothing was sent.
        let cron = try syndicate(["post", "--quiet"], site)
        #expect(cron.status == 0, "\(cron.stderr)")
        #expect(cron.stderr.split(separator: "\n").filter { $0.hasPrefix("adopted 3 reviews already published for hook") }.count == 1)
        #expect(server.requests.isEmpty)
        let rows = try statusRows(site)
        #expect(rows.count == 3)
        #expect(rows.allSatisfy { $0["adopted"] as? Bool == true && $0["state"] as? String == "posted" && $0["attempts"] as? Int == 0
            && $0["remote_url"] is NSNull })
        #expect(rows.map { $0["review"] as? String } == ["r0000", "r0001", "r0002"])
        let table = try syndicate(["status"], site)
        #expect(table.stdout.contains("posted (adopted)"))

        // A review that appears later is posted, backdated or not; the adoption is not repeated.
        try site.review("backdated.md", "title: Backdated\ndate: 2024-03-01")
        let next = try syndicate(["post"], site)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(!next.stderr.contains("adopted"))
        #expect(server.requests.count == 1)
        let backdated = try statusRows(site, ["backdated"])
        #expect(backdated.count == 1)
        #expect(backdated.first?["adopted"] as? Bool == false)
        #expect(backdated.first?["remote_url"] as? String == "https://hook.test/1")

        // An edit is flagged, never posted again.
        try site.review("backdated.md", "title: Backdated, edited\ndate: 2024-03-01")
        #expect(try syndicate(["post"], site).status == 0)
        #expect(server.requests.count == 1)
        #expect(try statusRows(site, ["backdated"]).first?["changed_since_posted"] as? Bool == true)
        #expect(try statusRows(site, ["r0000"]).first?["changed_since_posted"] as? Bool == false)
    }

    /// The README's cron line, as written there: one invalid review is reported (cron mails
    /// it) and left out; it stops neither the build nor the post of the others (`build` exits 1
    /// for it, so the line must not chain `post` on `build` with `&&`).
    @Test func oneInvalidReviewNeverStopsTheCronLine() throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try hookSite(server, reviews: 2, since: "2025-01-01")
        try site.review("broken.md", "title: Broken\ndate: not a date")
        let readme = try #require(String(data: try Data(contentsOf: repositoryRoot().appendingPathComponent("README.md")), encoding: .utf8))
        let line = try #require(readme.split(separator: "\n").first { $0.hasPrefix("*/10 * * * *") })
        let command = String(line.dropFirst("*/10 * * * *".count)).replacingOccurrences(of: "/srv/site", with: site.directory.path)
        let cron = try run(URL(fileURLWithPath: "/usr/bin/timeout"), ["-s", "KILL", "30", "/bin/sh", "-c", command],
                           environment: env.merging(["PATH": syndicateBinary().deletingLastPathComponent().path + ":/usr/bin:/bin"]) { $1 })
        #expect(cron.stderr.contains("reviews/broken.md:"), "\(cron.stderr)")
        #expect(server.requests.count == 2, "\(cron.stderr)")
        #expect(site.exists("feeds/feed.xml"))
        #expect(cron.status == 0, "the job's status is post's: \(cron.stderr)")
    }

    /// The source's own refusal (here the files source's missing folder) stops every command
    /// that reads it with status 2, said as what it is, not as an invalid config.
    @Test func aSourceWithNothingToReadStopsEveryCommandWithStatus2() throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try hookSite(server, reviews: 1, since: "2025-01-01")
        try FileManager.default.removeItem(at: site.directory.appendingPathComponent("reviews"))
        let commands: [[String]] = [["post"], ["post", "--dry-run"], ["status"], ["retry"], ["mark-posted"], ["preview"],
                                    ["repost", "r0000"], ["resolve", "r0000", "--to", "hook", "--as", "posted"], ["build"]]
        for command in commands {
            let result = try syndicate(command, site)
            #expect(result.status == 2, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("reviews:1: reviews: "), "\(command): \(result.stderr)")
            #expect(result.stderr.contains("the reviews cannot be read from the source"), "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("config is invalid"), "\(command): \(result.stderr)")
        }
        #expect(server.requests.isEmpty)
        #expect(!site.exists("feeds/feed.xml"))
    }

    /// `preview` reports the source's item problems like `check` does, and a `[source]`
    /// problem like any config error.
    @Test func previewAndCheckReportSourceProblems() throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try hookSite(server, reviews: 1, since: "2025-01-01")
        try site.review("broken.md", "title: Broken\ndate: not a date")
        let preview = try syndicate(["preview"], site)
        #expect(preview.status == 0, "\(preview.stderr)")
        #expect(preview.stderr.contains("reviews/broken.md:"), "\(preview.stderr)")
        let check = try syndicate(["check"], site)
        #expect(check.status == 1)
        #expect(check.stderr.contains("reviews/broken.md:"))

        let config = try #require(site.read("syndicate.toml"))
        try site.write("syndicate.toml", config + "\n[source]\nkind = \"gopher\"\n")
        for command in [["preview"], ["check"], ["status"]] {
            let result = try syndicate(command, site)
            #expect(result.status != 0, "\(command)")
            #expect(result.stderr.contains("syndicate.toml:") && result.stderr.contains("source.kind: unknown kind \"gopher\""),
                    "\(command): \(result.stderr)")
        }
    }
}
