import Foundation
import SyndicateTesting
import Testing

/// Issue 12, point 1: servers and programs that misbehave against the real binary. Each test
/// is bounded in seconds: a hang shows up as a run that takes too long, not as a stuck suite.

private let env = ["NO_COLOR": "1", "SYNDICATE_NOW": "2025-11-24T16:00:00Z"]

private func statusRows(_ site: TemporarySite) throws -> [[String: Any]] {
    let result = try run(syndicateBinary(), ["status", "--json", "--site", site.directory.path], environment: env)
    #expect(result.status == 0, "\(result.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
}

/// `syndicate ARGS` and how many seconds it took.
private func timed(_ arguments: [String]) throws -> (result: ProcessResult, seconds: Double) {
    let start = Date()
    let result = try run(syndicateBinary(), arguments, environment: env)
    return (result, Date().timeIntervalSince(start))
}

/// A site whose one destination runs `script` with /bin/sh from the site folder.
private func commandSite(_ script: String, timeout: String = "1s", summary: String? = nil) throws -> TemporarySite {
    let site = try TemporarySite.posting(reviews: summary == nil ? 1 : 0, destinations: """
    [[destination]]
    name = "script"
    kind = "command"
    run = ["/bin/sh", "scripts/post.sh"]
    """, post: "timeout = \"\(timeout)\"")
    if let summary {
        try site.review("r0000.md", """
        title: "Film 0"
        date: 2025-01-01T00:00:00Z
        summary: "\(summary)"
        """)
    }
    try site.write("scripts/post.sh", script)
    return site
}

private func hookSite(_ server: FakeServer, timeout: String = "30s") throws -> TemporarySite {
    try TemporarySite.posting(reviews: 1, destinations: """
    [[destination]]
    name = "hook"
    kind = "webhook"
    """, post: "timeout = \"\(timeout)\"", credentials: "[hook]\nurl = \"\(server.baseURL)/hook\"\n")
}

/// Whether a process is still running (a zombie no longer counts: it is only waiting to be reaped).
private func running(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    return !stat[close...].hasPrefix(") Z")
}

private func childPID(_ site: TemporarySite) throws -> Int32 {
    try #require(site.read("child.pid").flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
}

private func date(_ value: Any?) -> Date? {
    guard let text = value as? String else { return nil }
    let formatter = ISO8601DateFormatter()
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text)
}

@Suite("Hostile programs behind a command destination, end to end", .serialized)
struct HostileCommandTests {
    @Test func programThatNeverExitsIsStoppedWithItsChildrenAtTheTimeout() throws {
        let site = try commandSite("""
        sleep 20 &
        echo $! > child.pid
        sleep 20
        """)
        let (result, seconds) = try timed(["post", "--site", site.directory.path])
        #expect(seconds < 8, "post waited for the program's child: \(seconds)s")
        #expect(result.status == 1, "\(result.stderr)")
        let row = try #require(try statusRows(site).first)
        #expect(row["state"] as? String == "unknown")
        #expect((row["last_error"] as? String)?.contains("did not finish within 1s and was stopped") == true, "\(row)")
        let child = try childPID(site)
        #expect(eventually(timeout: 3) { !running(child) }, "the child it left was stopped with it")
    }

    @Test func childLeftBehindByAProgramThatExitedIsNotWaitedFor() throws {
        let site = try commandSite("""
        cat > /dev/null
        sleep 20 &
        echo $! > child.pid
        echo https://elsewhere.test/1
        """, timeout: "15s")
        let (result, seconds) = try timed(["post", "--site", site.directory.path])
        #expect(seconds < 8, "post waited on a pipe the child inherited: \(seconds)s")
        #expect(result.status == 0, "\(result.stderr)")
        let row = try #require(try statusRows(site).first)
        #expect(row["state"] as? String == "posted")
        #expect(row["remote_url"] as? String == "https://elsewhere.test/1")
        let child = try childPID(site)
        #expect(eventually(timeout: 3) { !running(child) }, "the program's group ends with it")
    }

    @Test func childThatEscapedTheGroupDoesNotHoldUpPost() throws {
        let site = try commandSite("""
        cat > /dev/null
        setsid sleep 20 &
        echo $! > child.pid
        echo https://elsewhere.test/1
        """, timeout: "15s")
        let (result, seconds) = try timed(["post", "--site", site.directory.path])
        let child = try childPID(site)
        defer { kill(child, SIGKILL) }
        #expect(seconds < 8, "post waited on a pipe the escaped child holds: \(seconds)s")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try statusRows(site).first?["remote_url"] as? String == "https://elsewhere.test/1")
    }

    @Test func programThatExitsZeroWhenStoppedIsPosted() throws {
        // Stopped at the timeout, it says it posted: its exit status decides, not the clock.
        let site = try commandSite("""
        cat > /dev/null
        trap 'echo https://late.test/1; exit 0' TERM
        sleep 20 &
        wait
        """)
        let (result, seconds) = try timed(["post", "--site", site.directory.path])
        #expect(seconds < 8, "\(seconds)s")
        #expect(result.status == 0, "\(result.stderr)")
        let row = try #require(try statusRows(site).first)
        #expect(row["state"] as? String == "posted", "\(row)")
        #expect(row["remote_url"] as? String == "https://late.test/1")
    }

    @Test(arguments: [(0, "posted"), (3, "dead")])
    func programThatReadsNothingDecidesByItsExitStatus(_ status: Int, _ state: String) throws {
        // A payload larger than a pipe's buffer, to a program that never reads it.
        let site = try commandSite("echo https://elsewhere.test/1; echo no >&2; exit \(status)",
                                   timeout: "15s", summary: String(repeating: "A long summary. ", count: 8192))
        let (result, seconds) = try timed(["post", "--site", site.directory.path])
        #expect(result.status == (status == 0 ? 0 : 1), "killed by SIGPIPE? \(result.status) \(result.stderr)")
        #expect(seconds < 8)
        #expect(try statusRows(site).first?["state"] as? String == state)
    }

    @Test func endlessOutputIsNotKept() throws {
        let site = try commandSite("""
        cat > /dev/null
        echo https://elsewhere.test/1
        head -c 200000000 /dev/zero
        sleep 1
        """, timeout: "15s")
        // Syndicate's peak memory, read while it runs (the program's last second keeps it alive).
        let post = Process()
        post.executableURL = syndicateBinary()
        post.arguments = ["post", "--site", site.directory.path]
        post.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        post.standardOutput = FileHandle.nullDevice
        post.standardError = FileHandle.nullDevice
        try post.run()
        var peakKiB = 0
        let finished = eventually(timeout: 10) {
            let status = (try? String(contentsOfFile: "/proc/\(post.processIdentifier)/status", encoding: .utf8)) ?? ""
            if let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
               let kib = Int(line.split(separator: " ").dropFirst().first ?? "") {
                peakKiB = max(peakKiB, kib)
            }
            return !post.isRunning
        }
        post.waitUntilExit()
        #expect(finished)
        #expect(post.terminationStatus == 0)
        #expect(peakKiB > 0 && peakKiB < 100_000, "peak memory \(peakKiB) KiB")
        let row = try #require(try statusRows(site).first)
        #expect(row["remote_url"] as? String == "https://elsewhere.test/1")
    }
}

@Suite("Hostile servers, end to end", .serialized)
struct HostileServerTests {
    @Test func garbageAnswerToASentPostIsNeverResentBlindly() throws {
        let server = try FakeServer(responses: [.fault(.garbage), .json(200, "{}")])
        let site = try hookSite(server)
        let first = try run(syndicateBinary(), ["post", "--site", site.directory.path], environment: env)
        #expect(first.status == 1, "\(first.stderr)")
        let row = try #require(try statusRows(site).first)
        #expect(row["state"] as? String == "unknown", "the request left: the server may have acted on it \(row)")
        let later = env.merging(["SYNDICATE_NOW": "2025-11-25T16:00:00Z"]) { $1 }
        _ = try run(syndicateBinary(), ["post", "--site", site.directory.path], environment: later)
        #expect(server.requests.count == 1)
    }

    @Test(arguments: ["1e12", "inf", "Fri, 31 Dec 9999 23:59:59 GMT"])
    func absurdRetryAfterIsCappedAndCounted(_ value: String) throws {
        let server = try FakeServer(responses: [.text(503, "busy", headers: [("Retry-After", value)])])
        let site = try hookSite(server)
        let result = try run(syndicateBinary(), ["post", "--site", site.directory.path], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        let row = try #require(try statusRows(site).first)
        #expect(row["state"] as? String == "retrying")
        #expect(row["attempts"] as? Int == 1)
        let next = try #require(date(row["next_attempt_at"]), "\(row)")
        let now = try #require(date(env["SYNDICATE_NOW"]))
        #expect(next.timeIntervalSince(now) <= 86400 + 1, "capped at a day: \(row)")
    }

    @Test(arguments: [FakeResponse.Fault.endlessBody, .endlessHeaders])
    func endlessResponseIsCutShort(_ fault: FakeResponse.Fault) throws {
        let server = try FakeServer(responses: [.fault(fault)])
        let site = try hookSite(server, timeout: "20s")
        let (result, seconds) = try timed(["post", "--site", site.directory.path])
        #expect(seconds < 8, "read the body until the timeout: \(seconds)s")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try statusRows(site).first?["state"] as? String == "posted", "the 200 stands")
    }

    @Test(arguments: [("500", "9223372036854775807"), ("1e30", "23"), ("-5", "-23"), ("9223372036854775807", "9223372036854775807")])
    func absurdMastodonLimitsFallBackToTheDefaults(_ maxCharacters: String, _ perURL: String) throws {
        let server = try FakeServer { request, _ in
            if request.path == "/api/v2/instance" {
                return .json(200, """
                {"configuration":{"statuses":{"max_characters":\(maxCharacters),"characters_reserved_per_url":\(perURL)}}}
                """)
            }
            return .json(200, "{\"id\":\"1\",\"url\":\"https://masto.test/1\"}")
        }
        let site = try TemporarySite.posting(reviews: 1, destinations: """
        [[destination]]
        name = "masto"
        kind = "mastodon"
        base_url = "\(server.baseURL)"
        """, credentials: "[masto]\naccess_token = \"tok\"\n")
        let post = try run(syndicateBinary(), ["post", "--site", site.directory.path], environment: env)
        #expect(post.status == 0, "\(post.stderr)")
        let preview = try run(syndicateBinary(), ["preview", "r0000", "--site", site.directory.path], environment: env)
        #expect(preview.status == 0, "\(preview.stderr)")
        #expect(preview.stdout.contains("/500"), "\(preview.stdout)")
        let cache = site.read(".syndicate/cache/mastodon-masto-limits") ?? ""
        #expect(!cache.contains("9223372036854775807") && !cache.contains("-"), "\(cache)")
    }
}

@Suite("Durations bounded when the config is read, end to end")
struct DurationBoundTests {
    @Test(arguments: [("timeout", "200000000000d"), ("timeout", "2h"), ("backoff_max", "100000d"),
                      ("timeout", "99999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999s")])
    func outOfRangeDurationIsAConfigError(_ key: String, _ value: String) throws {
        let site = try TemporarySite.posting(reviews: 1, destinations: "", post: "\(key) = \"\(value)\"")
        let lines = try #require(site.read("syndicate.toml")).split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(lines.firstIndex { $0.hasPrefix("\(key) =") }) + 1
        let message = "syndicate.toml:\(line): post.\(key): \"\(value)\" is out of range: at most "
        let check = try run(syndicateBinary(), ["check", "--site", site.directory.path], environment: env)
        #expect(check.status == 1, "\(check.stderr)")
        #expect(check.stderr.contains(message), "\(check.stderr)")
        // `post` refuses the config before anything is recorded `sending`.
        let post = try run(syndicateBinary(), ["post", "--site", site.directory.path], environment: env)
        #expect(post.status == 2, "\(post.stderr)")
        #expect(post.stderr.contains(message))
        #expect(!site.exists(".syndicate/ledger.sqlite"))
    }
}
