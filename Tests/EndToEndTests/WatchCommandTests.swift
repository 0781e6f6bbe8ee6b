import Foundation
import SyndicateTesting
import Synchronization
import Testing

private let hookSecret = "whsec-WATCH-RECOGNISABLE-7171-secret"
private let pinned = ["NO_COLOR": "1", "SYNDICATE_NOW": "2025-11-24T16:00:00Z"]

/// A site posting to one webhook, read again every second by `post --watch`.
private func watchedSite(_ server: FakeServer, reviews: Int, hub: FakeServer? = nil, backoff: String = "30s") throws -> TemporarySite {
    let site = try TemporarySite.posting(reviews: reviews, destinations: """
    [[destination]]
    name = "hook"
    kind = "webhook"
    """, credentials: "[hook]\nurl = \"\(server.baseURL)/hooks/\(hookSecret)\"\n", hub: hub.map { $0.baseURL + "/hub" } ?? "")
    // The fixture's [post] table, with the interval and backoff these tests need.
    let config = try #require(site.read("syndicate.toml"))
        .replacingOccurrences(of: "backoff_base = \"30s\"", with: "backoff_base = \"\(backoff)\"\ninterval = \"1s\"")
    try site.write("syndicate.toml", config)
    return site
}

private func states(_ site: TemporarySite, environment: [String: String] = pinned) throws -> [String: String] {
    let result = try run(syndicateBinary(), ["status", "--json", "--site", site.directory.path], environment: environment)
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    var states: [String: String] = [:]
    for row in rows where row["destination"] as? String == "hook" {
        states[row["review"] as? String ?? "?"] = row["state"] as? String
    }
    return states
}

private func slugs(_ server: FakeServer) -> [String] {
    server.requests.compactMap { ($0.json?["review"] as? [String: Any])?["slug"] as? String }
}

@Suite("syndicate post --watch, end to end", .serialized)
struct WatchCommandTests {
    @Test func aReviewAddedWhileItRunsIsPostedWithinTheInterval() async throws {
        let server = try FakeServer(responses: [.json(200, "{\"url\":\"https://hook.test/1\"}")])
        let site = try watchedSite(server, reviews: 1)
        let worker = try BackgroundRun(["post", "--watch", "--site", site.directory.path], environment: pinned)
        #expect(await eventually(timeout: 30) { slugs(server) == ["r0000"] }, "\(worker.stderr)")

        // On the SQLite ledger the worker holds the post lock: a cron run meanwhile leaves at once.
        let cron = try run(syndicateBinary(), ["post", "--site", site.directory.path], environment: pinned)
        #expect(cron.status == 0)
        #expect(cron.stdout.contains("another syndicate post is running for this site"))

        try site.review("r0100.md", """
        title: "A Late Arrival"
        date: 2025-03-01T10:00:00Z
        year: 2024
        rating: 4
        genres: [Drama]
        """)
        // Read again within the interval (1s) and posted: well within 5 s.
        #expect(await eventually(timeout: 5) { slugs(server) == ["r0000", "r0100"] }, "\(worker.stderr)")
        worker.signal(SIGTERM)
        #expect(await worker.wait(timeout: 10) == 0, "\(worker.stderr)")
        #expect(try states(site) == ["r0000": "posted", "r0100": "posted"])
        let log = worker.stderr
        // One line per attempt, like `post`, and the webhook's secret never in it.
        #expect(log.components(separatedBy: "\n").filter { $0.hasPrefix("posted r0000 → hook") }.count == 1, "\(log)")
        #expect(log.contains("posted r0100 → hook: https://hook.test/1"), "\(log)")
        #expect(log.contains("stopped on SIGTERM"), "\(log)")
        #expect(!log.contains(hookSecret) && !worker.stdout.contains(hookSecret))
        #expect(slugs(server).count == 2, "nothing sent twice over many rounds")
    }

    /// A stop in the middle of a request lets it finish and records it: no delivery is left
    /// `sending` (which the next run would have to call `unknown`), nothing new is sent, and
    /// the exit status is 0.
    @Test(arguments: [SIGTERM, SIGINT])
    func aStopMidRequestFinishesItAndExitsZero(_ signal: Int32) async throws {
        // The first request is seen when it arrives (the handler runs then), and answered 3 s
        // later: the stop is sent while it is in flight, however slow the machine. (Counting
        // the server's recorded requests raced: they are recorded once answered, and the
        // second one could follow before a poll saw the first.)
        let arrived = Mutex(false)
        let server = try FakeServer { _, index in
            guard index == 0 else { return .json(200, "{}") }
            arrived.withLock { $0 = true }
            return .json(200, "{}", delay: 3)
        }
        let site = try watchedSite(server, reviews: 2)
        let worker = try BackgroundRun(["post", "--watch", "--site", site.directory.path], environment: pinned)
        #expect(await eventually(timeout: 30) { arrived.withLock { $0 } }, "\(worker.stderr)")
        worker.signal(signal)
        #expect(await worker.wait(timeout: 10) == 0, "\(worker.stderr)")
        #expect(try states(site) == ["r0000": "posted", "r0001": "pending"], "the request in flight was finished and recorded; no new one left")
        #expect(server.requests.count == 1)
        #expect(worker.stderr.contains("posted r0000 → hook"), "\(worker.stderr)")
        #expect(worker.stderr.contains("stopped on \(signal == SIGTERM ? "SIGTERM" : "SIGINT")"), "\(worker.stderr)")

        // The next worker takes up where it stopped.
        let next = try run(syndicateBinary(), ["post", "--site", site.directory.path], environment: pinned)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(slugs(server) == ["r0000", "r0001"])
    }

    /// It sleeps until the earliest retry, not the next read: with a one-hour interval, a
    /// 503 with `Retry-After: 1` is tried again within seconds. (Real time, not a pinned
    /// clock: a retry waits for the clock to move.)
    @Test func aRetryIsSentWhenDueNotAtTheNextInterval() async throws {
        let server = try FakeServer { _, index in
            index == 0 ? .json(503, "{\"message\":\"busy\"}", headers: [("Retry-After", "1")]) : .json(200, "{}")
        }
        let site = try watchedSite(server, reviews: 1, backoff: "1s")
        let config = try #require(site.read("syndicate.toml")).replacingOccurrences(of: "interval = \"1s\"", with: "interval = \"1h\"")
        try site.write("syndicate.toml", config)
        let live = ["NO_COLOR": "1"]
        let worker = try BackgroundRun(["post", "--watch", "--site", site.directory.path], environment: live)
        #expect(await eventually(timeout: 8) { server.requests.count == 2 }, "\(worker.stderr)")
        worker.signal(SIGTERM)
        #expect(await worker.wait(timeout: 10) == 0, "\(worker.stderr)")
        #expect(try states(site, environment: live) == ["r0000": "posted"])
        #expect(worker.stderr.contains("retrying r0000 → hook at"), "\(worker.stderr)")
    }

    /// Another process's write to the ledger wakes it: `build` only records its pings while
    /// the worker holds the post lock, and the worker sends them within seconds, not at the
    /// next read an hour away.
    @Test func aPingRecordedByBuildIsSentAtOnce() async throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let hub = try FakeServer(responses: [.text(204, "")])
        let site = try watchedSite(server, reviews: 1, hub: hub)
        let config = try #require(site.read("syndicate.toml")).replacingOccurrences(of: "interval = \"1s\"", with: "interval = \"1h\"")
        try site.write("syndicate.toml", config)
        let worker = try BackgroundRun(["post", "--watch", "--site", site.directory.path], environment: pinned)
        #expect(await eventually(timeout: 30) { server.requests.count == 1 }, "\(worker.stderr)")
        let build = try run(syndicateBinary(), ["build", "--site", site.directory.path], environment: pinned)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(await eventually(timeout: 5) { hub.requests.count == 7 }, "every changed feed pinged by the worker: \(worker.stderr)")
        worker.signal(SIGINT)
        #expect(await worker.wait(timeout: 10) == 0, "\(worker.stderr)")
    }

    /// A worker started while a cron `post` runs waits for it instead of exiting (a service
    /// manager would not start it again), then takes over.
    @Test func aWorkerWaitsForARunningPost() async throws {
        let server = try FakeServer(responses: [.json(200, "{}", delay: 0.5)])
        let site = try watchedSite(server, reviews: 2)
        let cron = try BackgroundRun(["post", "--site", site.directory.path], environment: pinned)
        // Its output says where it was if it never sends (once, under a full parallel run).
        #expect(await eventually(timeout: 30) { server.requests.count == 1 }, "cron post: \(cron.stderr)")
        let worker = try BackgroundRun(["post", "--watch", "--site", site.directory.path], environment: pinned)
        #expect(await eventually(timeout: 30) { worker.stderr.contains("another syndicate post is running for this site; waiting for it to finish") }, "\(worker.stderr)")
        #expect(await cron.wait(timeout: 10) == 0, "cron post: \(cron.stderr)")
        try site.review("r0100.md", "title: \"A Late Arrival\"\ndate: 2025-03-01T10:00:00Z\nyear: 2024\nrating: 4")
        #expect(await eventually(timeout: 8) { slugs(server) == ["r0000", "r0001", "r0100"] }, "\(worker.stderr)")
        worker.signal(SIGTERM)
        #expect(await worker.wait(timeout: 10) == 0, "\(worker.stderr)")
    }

    /// On the shared ledger a delivery created by another process (here a `post --limit 0`,
    /// which creates and sends nothing) wakes the worker through LISTEN/NOTIFY, not the next
    /// read an hour away; a stop there is as clean, and the password is in no output.
    @Test func onPostgreSQLANewDeliveryWakesTheWorker() async throws {
        let postgres = try PostgresServer.shared()
        let database = try postgres.makeDatabase()
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try watchedSite(server, reviews: 1)
        let config = try #require(site.read("syndicate.toml")).replacingOccurrences(of: "interval = \"1s\"", with: "interval = \"1h\"")
        try site.write("syndicate.toml", config + "\n[ledger]\nurl = \"\(postgres.url(database: database))\"\n")
        try site.write("credentials", try #require(site.read("credentials")) + "[ledger]\npassword = \"\(PostgresServer.password)\"\n")
        let worker = try BackgroundRun(["post", "--watch", "--site", site.directory.path], environment: pinned)
        #expect(await eventually(timeout: 30) { slugs(server) == ["r0000"] }, "\(worker.stderr)")
        try site.review("r0100.md", "title: \"A Late Arrival\"\ndate: 2025-03-01T10:00:00Z\nyear: 2024\nrating: 4")
        let creator = try runBounded(["post", "--limit", "0", "--site", site.directory.path], seconds: 20, environment: pinned)
        #expect(creator.status == 0, "\(creator.stderr)")
        #expect(await eventually(timeout: 5) { slugs(server) == ["r0000", "r0100"] }, "\(worker.stderr)")
        worker.signal(SIGTERM)
        #expect(await worker.wait(timeout: 10) == 0, "\(worker.stderr)")
        #expect(try states(site) == ["r0000": "posted", "r0100": "posted"])
        for output in [worker.stdout, worker.stderr, creator.stdout, creator.stderr] {
            #expect(!output.contains(PostgresServer.password) && !output.contains(hookSecret))
        }
    }

    @Test func watchRefusesDryRunAndLimit() async throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try watchedSite(server, reviews: 1)
        for extra in [["--dry-run"], ["--limit", "1"]] {
            let result = try runBounded(["post", "--watch", "--site", site.directory.path] + extra, seconds: 10, environment: pinned)
            #expect(result.status == 64, "\(result.stderr)")
            #expect(result.stderr.contains("--watch cannot be combined with --dry-run or --limit"))
        }
        #expect(server.requests.isEmpty)
    }
}
