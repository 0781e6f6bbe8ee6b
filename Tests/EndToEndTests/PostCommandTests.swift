import Foundation
import SyndicateTesting
import Testing

private let hookSecret = "whsec-RECOGNISABLE-4242-secret"
private let env = ["NO_COLOR": "1", "SYNDICATE_NOW": "2025-11-24T16:00:00Z"]

private func hookSite(_ server: FakeServer, reviews: Int = 2, hub: FakeServer? = nil, format: String = "json") throws -> TemporarySite {
    let destinations = DestinationFixture([hookDestination(server, format: format)])
    return try TemporarySite.posting(reviews: reviews, destinations: destinations.config, credentials: destinations.credentials,
                                     hub: hub.map { $0.baseURL + "/hub" } ?? "")
}

/// The webhook destination of these tests: `hook`, with the secret in its URL.
private func hookDestination(_ server: FakeServer, format: String = "json") -> DestinationFixture.Entry {
    .webhook(server, name: "hook", path: "/hooks/\(hookSecret)", format: format)
}

private func statusJSON(_ site: TemporarySite) throws -> [[String: Any]] {
    let result = try run(syndicateBinary(), ["status", "--json", "--site", site.directory.path], environment: env)
    #expect(result.status == 0, "\(result.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
}

/// Starts `syndicate ARGS` in the background.
private func launch(_ arguments: [String], environment: [String: String] = env) throws -> Process {
    let process = Process()
    process.executableURL = syndicateBinary()
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

@Suite("syndicate post and friends, end to end", .serialized)
struct PostCommandTests {
    let binary = syndicateBinary()

    @Test func postThenStatusThenNothingDue() throws {
        let server = try FakeServer(responses: [.json(200, "{\"id\":\"1\",\"url\":\"https://hook.test/1\"}")])
        let site = try hookSite(server)
        let result = try run(binary, ["post", "--site", site.directory.path], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("posted r0000 → hook: https://hook.test/1"))
        #expect(result.stderr.contains("2 posted"))
        let rows = try statusJSON(site)
        #expect(rows.count == 2)
        let row = try #require(rows.first)
        #expect(Set(row.keys) == ["review", "destination", "kind", "state", "attempts", "next_attempt_at", "last_error", "remote_url", "changed_since_posted", "adopted"])
        #expect(row["state"] as? String == "posted")
        #expect(row["attempts"] as? Int == 1)
        #expect(row["next_attempt_at"] is NSNull)
        #expect(row["remote_url"] as? String == "https://hook.test/1")
        #expect(row["changed_since_posted"] as? Bool == false)

        let again = try run(binary, ["post", "--site", site.directory.path], environment: env)
        #expect(again.status == 0)
        #expect(again.stderr.contains("nothing due"))
        #expect(server.requests.count == 2)

        let table = try run(binary, ["status", "--site", site.directory.path], environment: env)
        #expect(table.stdout.contains("REVIEW"))
        #expect(table.stdout.split(separator: "\n").contains { $0.hasPrefix("r0001") && $0.contains("hook") && $0.contains("posted") })
    }

    @Test func dryRunSendsAndRecordsNothing() throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try hookSite(server)
        let result = try run(binary, ["post", "--dry-run", "--site", site.directory.path], environment: env)
        #expect(result.status == 0)
        #expect(result.stdout.contains("would post r0000 → hook"))
        #expect(server.requests.isEmpty)
        #expect(try statusJSON(site).isEmpty)
    }

    @Test func deadExitsOneAndRetryRevivesIt() throws {
        let server = try FakeServer { _, index in index == 0 ? .json(400, "{\"message\":\"Invalid Form Body\"}") : .json(200, "{}") }
        let site = try hookSite(server, reviews: 1)
        let result = try run(binary, ["post", "--site", site.directory.path], environment: env)
        #expect(result.status == 1)
        #expect(result.stderr.contains("dead r0000 → hook: HTTP 400: Invalid Form Body"))
        let retried = try run(binary, ["retry", "r0000", "--site", site.directory.path], environment: env)
        #expect(retried.stdout.contains("1 dead delivery made due now"))
        let again = try run(binary, ["post", "--site", site.directory.path], environment: env)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try statusJSON(site).first?["state"] as? String == "posted")
    }

    @Test func unknownIsSettledWithResolve() throws {
        let server = try FakeServer(responses: [.fault(.reset), .json(200, "{}")])
        let site = try hookSite(server, reviews: 1)
        let result = try run(binary, ["post", "--site", site.directory.path], environment: env)
        #expect(result.status == 1)
        #expect(try statusJSON(site).first?["state"] as? String == "unknown")
        let wrong = try run(binary, ["resolve", "r0001", "--to", "hook", "--as", "posted", "--site", site.directory.path], environment: env)
        #expect(wrong.status == 1)
        let resolved = try run(binary, ["resolve", "r0000", "--to", "hook", "--as", "retry", "--site", site.directory.path], environment: env)
        #expect(resolved.status == 0)
        _ = try run(binary, ["post", "--site", site.directory.path], environment: env)
        #expect(try statusJSON(site).first?["state"] as? String == "posted")
        #expect(server.requests.count == 2)
        #expect(server.requests[0].header("Idempotency-Key") == server.requests[1].header("Idempotency-Key"))
    }

    @Test func markPostedAdoptsAnExistingSite() throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try hookSite(server, reviews: 3)
        let marked = try run(binary, ["mark-posted", "--before", "2025-01-03", "--site", site.directory.path], environment: env)
        #expect(marked.status == 0, "\(marked.stderr)")
        #expect(marked.stdout.contains("2 deliveries recorded as posted (2 review(s) × 1 destination(s))"))
        _ = try run(binary, ["post", "--site", site.directory.path], environment: env)
        #expect(server.requests.count == 1)
    }

    @Test func repostSendsAgain() throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try hookSite(server, reviews: 1)
        _ = try run(binary, ["post", "--site", site.directory.path], environment: env)
        let result = try run(binary, ["repost", "r0000", "--site", site.directory.path], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(server.requests.count == 2)
        #expect(try statusJSON(site).count == 2)
        let missing = try run(binary, ["repost", "nope", "--site", site.directory.path], environment: env)
        #expect(missing.status == 1)
        let badName = try run(binary, ["post", "--to", "nope", "--site", site.directory.path], environment: env)
        #expect(badName.status == 2)
    }

    @Test func credentialsAreCheckedAndNeverPrinted() throws {
        let server = try FakeServer { request, _ in .text(400, "unknown webhook \(request.path)") }
        let site = try hookSite(server, reviews: 1)
        let posted = try run(binary, ["post", "--site", site.directory.path], environment: env)
        let status = try run(binary, ["status", "--site", site.directory.path], environment: env)
        let json = try run(binary, ["status", "--json", "--site", site.directory.path], environment: env)
        for output in [posted.stdout, posted.stderr, status.stdout, json.stdout] {
            #expect(!output.contains(hookSecret))
        }
        #expect(posted.stderr.contains("[redacted]"))
        for file in [".syndicate/ledger.sqlite", ".syndicate/ledger.sqlite-wal"] {
            let bytes = (try? Data(contentsOf: site.directory.appendingPathComponent(file))) ?? Data()
            #expect(bytes.range(of: Data(hookSecret.utf8)) == nil, "\(file)")
        }

        chmod(site.directory.appendingPathComponent("credentials").path, 0o644)
        let check = try run(binary, ["check", "--site", site.directory.path], environment: env)
        #expect(check.status == 1)
        #expect(check.stderr.contains("is readable by others (mode 644): run `chmod 600"))
        let refused = try run(binary, ["post", "--site", site.directory.path], environment: env)
        #expect(refused.status == 2)

        try FileManager.default.removeItem(at: site.directory.appendingPathComponent("credentials"))
        let missing = try run(binary, ["check", "--site", site.directory.path], environment: env)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("credentials: [hook] missing url (or set SYNDICATE_HOOK_URL)"))
        let fromEnvironment = try run(binary, ["check", "--site", site.directory.path],
                                      environment: env.merging(["SYNDICATE_HOOK_URL": server.baseURL + "/x"]) { $1 })
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
    }

    @Test func crashWhileARequestIsInFlightLosesNothingAndDoublesNothing() throws {
        // The webhook holds the first request; the hub holds the first ping; Instagram and
        // Threads hold the answer to their first publish, having published. All are killed mid-flight.
        let hook = try FakeServer { _, index in index == 0 ? .json(200, "{}", delay: 30) : .json(200, "{}") }
        let hub = try FakeServer { _, index in index == 0 ? .text(204, "", delay: 30) : .text(204, "") }
        let instagram = try FakeInstagram(token: "ig-token")
        let threads = try FakeThreads(token: "th-token")
        instagram.publishTimesOutAfterTakingEffect = 30
        threads.publishTimesOutAfterTakingEffect = 30
        let web = try FakeWebServer()
        let destinations = DestinationFixture([hookDestination(hook), .instagram(instagram), .threads(threads)])
        let site = try TemporarySite.posting(reviews: 2, destinations: destinations.config, credentials: destinations.credentials,
                                             hub: hub.baseURL + "/hub", feeds: "public_url = \"\(web.baseURL)/\"")
        web.root = site.directory.appendingPathComponent("feeds")
        // Each review gets an image, so a card for Instagram and Threads to fetch.
        try site.write("static/images/flow.jpg", try Data(contentsOf: repositoryRoot().appendingPathComponent("static/images/flow.jpg")))
        for name in ["r0000.md", "r0001.md"] {
            let text = try #require(site.read("reviews/" + name))
            try site.write("reviews/" + name, text.replacingOccurrences(of: "\n---\n", with: "\nimage: /images/flow.jpg\n---\n"))
        }

        let build = try launch(["build", "--site", site.directory.path])
        #expect(eventually { hub.requests.count == 1 }, "the hub received the first ping")
        kill(build.processIdentifier, SIGKILL)
        build.waitUntilExit()

        let post = try launch(["post", "--site", site.directory.path])
        #expect(eventually { hook.requests.count == 1 && instagram.publishRequests == 1 && threads.publishRequests == 1 },
                "the webhook received the first review, Instagram and Threads its publish")
        kill(post.processIdentifier, SIGKILL)
        post.waitUntilExit()

        let second = try run(binary, ["post", "--site", site.directory.path], environment: env)
        #expect(second.status == 1, "an interrupted webhook delivery became unknown in this run: \(second.stderr)")
        let rows = try statusJSON(site)
        let hookRows = rows.filter { $0["destination"] as? String == "hook" }
        #expect(hookRows.map { $0["state"] as? String } == ["unknown", "posted"])
        // Nothing doubled: the webhook got r0000 once (it cannot deduplicate) and r0001 once.
        #expect(hook.requests.compactMap { ($0.json?["review"] as? [String: Any])?["slug"] as? String } == ["r0000", "r0001"])
        // Instagram and Threads read the interrupted container's status (PUBLISHED) instead of
        // publishing again: each review was published once, and every delivery is posted.
        for (name, fake) in [("ig", instagram), ("th", threads)] as [(String, FakeMetaGraph)] {
            #expect(rows.filter { $0["destination"] as? String == name }.map { $0["state"] as? String } == ["posted", "posted"], "\(name): \(rows)")
            #expect(fake.published.count == 2 && fake.publishRequests == 2, "\(name): each review published once")
            #expect(fake.allContainers.count == 2, "\(name): one container per review")
        }
        // Nothing lost: the ping, which is safe to repeat, was sent again and is posted.
        let pings = rows.filter { $0["destination"] as? String == "websub" }
        #expect(!pings.isEmpty && pings.allSatisfy { $0["state"] as? String == "posted" })
        #expect(hub.requests.count > pings.count, "the interrupted ping was resent")
        // The feeds are where `feeds.public_url` says (the site's web server, for the cards).
        #expect(hub.requests.allSatisfy { $0.text.hasPrefix("hub.mode=publish&hub.url=http%3A%2F%2F127.0.0.1%3A\(web.server.port)%2F") })
    }

    @Test func twoPostsAtOnceSendEachReviewOnce() throws {
        let server = try FakeServer(responses: [.json(200, "{}", delay: 0.3)])
        let site = try hookSite(server, reviews: 3)
        let first = try launch(["post", "--site", site.directory.path])
        #expect(eventually { server.requests.count == 1 })
        let second = try run(binary, ["post", "--site", site.directory.path], environment: env)
        #expect(second.status == 0)
        #expect(second.stdout.contains("another syndicate post is running for this site"))
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(server.requests.count == 3)
    }

    @Test func buildPingsTheHubForChangedFeedsOnly() throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let hub = try FakeServer(responses: [.text(202, "")])
        let site = try hookSite(server, reviews: 1, hub: hub)
        let first = try run(binary, ["build", "--site", site.directory.path], environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        let pinged = Set(hub.requests.compactMap { request in
            request.text.components(separatedBy: "hub.url=").last?.removingPercentEncoding
        })
        #expect(pinged.contains("https://reviews.test/feeds/feed.xml"))
        #expect(pinged.contains("https://reviews.test/feeds/genres/drama.atom.xml"))
        #expect(hub.requests.count == 7)
        _ = try run(binary, ["build", "--site", site.directory.path], environment: env)
        #expect(hub.requests.count == 7, "an unchanged build pings nobody")
        let feed = try #require(site.read("feeds/feed.xml"))
        #expect(feed.contains("<atom:link href=\"\(hub.baseURL)/hub\" rel=\"hub\"/>"))
    }

    @Test func failedPingIsRetriedByPost() throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let hub = try FakeServer { _, index in index < 7 ? .text(503, "busy", headers: [("Retry-After", "0")]) : .text(204, "") }
        let site = try hookSite(server, reviews: 1, hub: hub)
        let build = try run(binary, ["build", "--site", site.directory.path], environment: env)
        #expect(build.status == 0, "a failed ping does not fail the build")
        #expect(build.stderr.contains("the hub ping failed") == false, "retrying is not a failure")
        let later = env.merging(["SYNDICATE_NOW": "2025-11-24T17:00:00Z"]) { $1 }
        let post = try run(binary, ["post", "--site", site.directory.path], environment: later)
        #expect(post.status == 0, "\(post.stderr)")
        #expect(hub.requests.count == 14)
        #expect(try statusJSON(site).filter { $0["destination"] as? String == "websub" }.allSatisfy { $0["state"] as? String == "posted" })
    }

    @Test func commandDestination() throws {
        let site = try TemporarySite.posting(reviews: 3, destinations: DestinationFixture([.command(run: ["/bin/sh", "scripts/post.sh"])]).config)
        // Review 0 posts, review 1 asks for a retry, review 2 fails for good.
        try FakeCommand.install(in: site, at: "scripts/post.sh", answers: [
            "r0000": .init(status: 0, line: "https://elsewhere.test/$SYNDICATE_REVIEW"),
            "r0001": .init(status: 75, line: "rate limited"),
        ], otherwise: .init(status: 3, line: "refused: no such account"))
        let result = try run(binary, ["post", "--site", site.directory.path], environment: env)
        #expect(result.status == 1)
        let rows = try statusJSON(site)
        #expect(rows.map { $0["state"] as? String } == ["posted", "retrying", "dead"])
        #expect(rows[0]["remote_url"] as? String == "https://elsewhere.test/r0000")
        #expect(rows[1]["last_error"] as? String == "rate limited")
        #expect(rows[2]["last_error"] as? String == "/bin/sh exited with status 3: refused: no such account")
    }
}
