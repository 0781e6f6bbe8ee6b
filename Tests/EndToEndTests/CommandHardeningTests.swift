import Foundation
import SyndicateTesting
import Testing

/// Issue 12, points 4 and 5: names and secrets, and the commands as a user expects them,
/// each against the real binary.
private let env = ["NO_COLOR": "1", "SYNDICATE_NOW": "2025-11-24T16:00:00Z"]

private func webhookSite(_ url: String?, reviews: Int = 1, extra: String = "") throws -> TemporarySite {
    try TemporarySite.posting(reviews: reviews, destinations: """
    [[destination]]
    name = "hook"
    kind = "webhook"
    \(extra)
    """, credentials: url.map { "[hook]\nurl = \"\($0)\"\n" })
}

private func syndicate(_ arguments: [String], _ site: TemporarySite, environment: [String: String] = env) throws -> ProcessResult {
    try run(syndicateBinary(), arguments + ["--site", site.directory.path], environment: environment)
}

private func statusRows(_ site: TemporarySite, _ extra: [String] = []) throws -> [[String: Any]] {
    let result = try syndicate(["status", "--json"] + extra, site)
    #expect(result.status == 0, "\(result.stderr)")
    return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]) ?? []
}

/// Every file under `.syndicate` and the ledger's bytes, for "never in the ledger".
private func ledgerBytes(_ site: TemporarySite) -> Data {
    [".syndicate/ledger.sqlite", ".syndicate/ledger.sqlite-wal"].reduce(into: Data()) { all, file in
        all += (try? Data(contentsOf: site.directory.appendingPathComponent(file))) ?? Data()
    }
}

private func mode(_ path: String) -> Int {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_mode & 0o777) : -1
}

@Suite("Names and secrets (issue 12, point 4), end to end", .serialized)
struct NamesAndSecretsTests {
    @Test(arguments: [
        ("team-a", "kind = \"webhook\"", "team_a", "kind = \"webhook\"", "SYNDICATE_TEAM_A_URL"),
        ("x", "kind = \"x\"", "x_access", "kind = \"micropub\"\nendpoint = \"https://micropub.test/micropub\"", "SYNDICATE_X_ACCESS_TOKEN"),
    ])
    func namesWhoseVariablesCollideAreRefused(_ first: String, _ firstKind: String, _ second: String, _ secondKind: String,
                                               _ variable: String) throws {
        let site = try TemporarySite.posting(reviews: 1, destinations: """
        [[destination]]
        name = "\(first)"
        \(firstKind)

        [[destination]]
        name = "\(second)"
        \(secondKind)
        """)
        let check = try syndicate(["check"], site)
        #expect(check.status == 1)
        let line = try #require(check.stderr.split(separator: "\n").first { $0.contains("share") }, "\(check.stderr)")
        #expect(line.hasPrefix("syndicate.toml:"))
        #expect(line.contains("\"\(first)\"") && line.contains("\"\(second)\"") && line.contains(variable), "\(line)")
        let post = try syndicate(["post"], site)
        #expect(post.status == 2, "\(post.stderr)")
    }

    @Test(arguments: ["gopher://hooks.test/x", "not a url", "https://"])
    func malformedCredentialURLIsAConfigError(_ url: String) throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try webhookSite(url)
        let check = try syndicate(["check"], site)
        #expect(check.status == 1)
        #expect(check.stderr.contains("credentials: [hook] url: not an absolute http(s) URL"), "\(check.stderr)")
        let post = try syndicate(["post"], site)
        #expect(post.status == 1)
        #expect(post.stderr.contains("credentials: [hook] url: not an absolute http(s) URL"), "\(post.stderr)")
        #expect(try statusRows(site).isEmpty, "nothing is queued for hours of retries")
        #expect(server.requests.isEmpty)
    }

    @Test func runTimeTokenEchoedInAnErrorIsRedacted() throws {
        let jwt = "eyJhbGciOi.RUNTIME-ACCESS-JWT.sig4242"
        let refresh = "eyJhbGciOi.RUNTIME-REFRESH-JWT.sig4242"
        let server = try FakeServer { request, _ in
            if request.path.hasSuffix("createSession") {
                return .json(200, "{\"accessJwt\":\"\(jwt)\",\"refreshJwt\":\"\(refresh)\",\"did\":\"did:plc:abc\",\"handle\":\"critic.test\"}")
            }
            let auth = request.header("Authorization") ?? ""
            return .json(400, "{\"error\":\"InvalidRequest\",\"message\":\"bad record for \(auth) and \(refresh)\"}")
        }
        let site = try TemporarySite.posting(reviews: 1, destinations: """
        [[destination]]
        name = "sky"
        kind = "bluesky"
        base_url = "\(server.baseURL)"
        """, credentials: "[sky]\nidentifier = \"critic.test\"\napp_password = \"app-pass-RECOGNISABLE\"\n")
        let post = try syndicate(["post"], site)
        #expect(post.status == 1)
        #expect(post.stderr.contains("[redacted]"), "\(post.stderr)")
        let table = try syndicate(["status"], site)
        let json = try syndicate(["status", "--json"], site)
        for output in [post.stdout, post.stderr, table.stdout, json.stdout] {
            #expect(!output.contains("RUNTIME-ACCESS-JWT") && !output.contains("RUNTIME-REFRESH-JWT"), "\(output)")
        }
        let bytes = ledgerBytes(site)
        #expect(!bytes.isEmpty)
        #expect(bytes.range(of: Data("RUNTIME-ACCESS-JWT".utf8)) == nil && bytes.range(of: Data("RUNTIME-REFRESH-JWT".utf8)) == nil)
    }

    @Test func letterboxdTokenEchoedInAnErrorIsRedacted() throws {
        let server = try FakeServer { request, _ in
            if request.path.hasSuffix("/auth/token") {
                return .json(200, "{\"access_token\":\"LBX-RUNTIME-ACCESS-99\",\"refresh_token\":\"LBX-RUNTIME-REFRESH-99\",\"expires_in\":3600}")
            }
            return .json(400, "{\"message\":\"no member for \(request.header("Authorization") ?? "")\"}")
        }
        let site = try TemporarySite.posting(reviews: 1, destinations: """
        [[destination]]
        name = "lbx"
        kind = "letterboxd"
        base_url = "\(server.baseURL)"
        """, credentials: "[lbx]\nusername = \"critic\"\npassword = \"lbx-pass-1234\"\nclient_id = \"cid-1234\"\nclient_secret = \"csecret-1234\"\n")
        let post = try syndicate(["post"], site)
        #expect(post.status == 1)
        let json = try syndicate(["status", "--json"], site)
        for output in [post.stdout, post.stderr, json.stdout] {
            #expect(!output.contains("LBX-RUNTIME"), "\(output)")
        }
        #expect(post.stderr.contains("[redacted]"), "\(post.stderr)")
        #expect(ledgerBytes(site).range(of: Data("LBX-RUNTIME".utf8)) == nil)
    }

    @Test func basicAuthUserinfoIsRedactedInEveryForm() throws {
        let password = "pw-RECOGNISABLE-77"
        let basic = Data("hookuser:\(password)".utf8).base64EncodedString()
        let server = try FakeServer { request, _ in
            .text(400, "denied \(request.header("Authorization") ?? "no auth") for hookuser%3A\(password)")
        }
        let site = try webhookSite(server.baseURL.replacingOccurrences(of: "http://", with: "http://hookuser:\(password)@") + "/in")
        let post = try syndicate(["post"], site)
        #expect(post.status == 1)
        #expect(server.requests.first?.header("Authorization") == "Basic \(basic)", "the userinfo is sent as Basic auth")
        let table = try syndicate(["status"], site)
        let json = try syndicate(["status", "--json"], site)
        for output in [post.stdout, post.stderr, table.stdout, json.stdout] {
            #expect(!output.contains(password) && !output.contains(basic), "\(output)")
        }
        #expect(post.stderr.contains("[redacted]"), "\(post.stderr)")
        let bytes = ledgerBytes(site)
        #expect(bytes.range(of: Data(password.utf8)) == nil && bytes.range(of: Data(basic.utf8)) == nil)
    }

    @Test func privateFolderAndLedgerModesAfterBuildThenPost() throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try webhookSite(server.baseURL + "/in")
        let build = try syndicate(["build"], site)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(mode(site.directory.appendingPathComponent(".syndicate").path) == 0o700, "build makes it private too")
        // As a folder made by another tool (or an older version) would be.
        chmod(site.directory.appendingPathComponent(".syndicate").path, 0o755)
        let post = try syndicate(["post"], site)
        #expect(post.status == 0, "\(post.stderr)")
        let folder = site.directory.appendingPathComponent(".syndicate").path
        #expect(mode(folder) == 0o700)
        for file in ["ledger.sqlite", "ledger.sqlite-wal", "ledger.sqlite-shm"] where FileManager.default.fileExists(atPath: folder + "/" + file) {
            #expect(mode(folder + "/" + file) == 0o600, "\(file)")
        }
        #expect(mode(folder + "/ledger.sqlite") == 0o600)
    }

    @Test func aCommandInheritsOnlyItsOwnCredentials() throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try TemporarySite.posting(reviews: 1, destinations: """
        [[destination]]
        name = "hook"
        kind = "webhook"

        [[destination]]
        name = "script"
        kind = "command"
        run = ["/bin/sh", "post.sh"]
        """)
        try site.write("post.sh", "env | grep '^SYNDICATE_' | sort > seen.txt\necho https://elsewhere.test/1\n")
        let secrets = env.merging(["SYNDICATE_HOOK_URL": server.baseURL + "/in", "SYNDICATE_SCRIPT_TOKEN": "mine-1234",
                                   "SYNDICATE_MASTODON_ACCESS_TOKEN": "unrelated-5678"]) { $1 }
        let post = try syndicate(["post"], site, environment: secrets)
        #expect(post.status == 0, "\(post.stderr)")
        let seen = try #require(site.read("seen.txt"))
        #expect(seen.contains("SYNDICATE_SCRIPT_TOKEN=mine-1234"))
        #expect(seen.contains("SYNDICATE_REVIEW=r0000"))
        #expect(!seen.contains("SYNDICATE_HOOK_URL") && !seen.contains("unrelated-5678"), "\(seen)")
    }
}

@Suite("Commands as a user expects them (issue 12, point 5), end to end", .serialized)
struct CommandsAsExpectedTests {
    @Test func quietPostIsSilentWhenAnotherHoldsTheLock() throws {
        let site = try webhookSite("http://127.0.0.1:9/in")
        try FileManager.default.createDirectory(at: site.directory.appendingPathComponent(".syndicate"), withIntermediateDirectories: true)
        let descriptor = open(site.directory.appendingPathComponent(".syndicate/post.lock").path, O_RDWR | O_CREAT, 0o600)
        #expect(flock(descriptor, LOCK_EX) == 0)
        defer { close(descriptor) }
        let quiet = try syndicate(["post", "--quiet"], site)
        #expect(quiet.status == 0)
        #expect(quiet.stdout.isEmpty && quiet.stderr.isEmpty, "\(quiet.stdout)\(quiet.stderr)")
        let loud = try syndicate(["post"], site)
        #expect(loud.stdout.contains("another syndicate post is running"))
    }

    @Test func retryNamesAnUnknownDestination() throws {
        let site = try webhookSite("http://127.0.0.1:9/in")
        let retry = try syndicate(["retry", "--to", "NOSUCH"], site)
        #expect(retry.status != 0)
        #expect(retry.stderr.contains("no destination named \"NOSUCH\""), "\(retry.stderr)")
        let status = try syndicate(["status", "--to", "NOSUCH"], site)
        #expect(status.status != 0)
        #expect(status.stderr.contains("no destination named \"NOSUCH\""), "\(status.stderr)")
    }

    @Test func dryRunWithoutCredentialsShowsWhatWouldBePosted() throws {
        let site = try webhookSite(nil, reviews: 2)
        let dry = try syndicate(["post", "--dry-run"], site)
        #expect(dry.stdout.contains("would post r0000 → hook"), "\(dry.stdout)\(dry.stderr)")
        #expect(!dry.stdout.contains("nothing due"))
        #expect(dry.stderr.contains("[hook]") && dry.stderr.contains("missing"))
    }

    @Test func checkReportsAMissingCredentialOnce() throws {
        let site = try webhookSite(nil)
        let check = try syndicate(["check"], site)
        #expect(check.status == 1)
        let lines = (check.stdout + check.stderr).split(separator: "\n").filter { $0.contains("[hook]") || $0.contains("SYNDICATE_HOOK_URL") }
        #expect(lines.count == 1, "\(lines)")
    }

    @Test func previewWithoutDestinationsSaysSo() throws {
        let site = try TemporarySite.posting(reviews: 1, destinations: "")
        let preview = try syndicate(["preview"], site)
        #expect(preview.status == 1)
        #expect(preview.stderr.contains("no destination"), "\(preview.stdout)\(preview.stderr)")
    }

    @Test func previewPrintsTheContentWarningItCounts() throws {
        let site = try TemporarySite.posting(reviews: 1, destinations: """
        [[destination]]
        name = "masto"
        kind = "mastodon"
        base_url = "https://masto.test"
        spoiler_text = "Spoilers ahead for Film 0"
        """)
        try site.review("r0000.md", """
        title: "Film 0"
        date: 2025-01-01T00:00:00Z
        rating: 3.5
        spoilers: true
        summary: "Summary."
        """)
        let preview = try syndicate(["preview", "r0000"], site)
        #expect(preview.status == 0, "\(preview.stderr)")
        #expect(preview.stdout.contains("Spoilers ahead for Film 0"), "\(preview.stdout)")
    }

    @Test func siteBeforeTheSubcommandIsAccepted() throws {
        let site = try webhookSite("http://127.0.0.1:9/in")
        for arguments in [["--site", site.directory.path, "check"], ["--site=\(site.directory.path)", "--quiet", "check"]] {
            let check = try run(syndicateBinary(), arguments, environment: env)
            #expect(check.status == 0, "\(arguments): \(check.stderr)")
            #expect(check.stdout.contains("syndicate.toml: ok"))
        }
    }

    @Test func statusFiltersByDestinationAndState() throws {
        let server = try FakeServer(responses: [.json(400, "{\"message\":\"no\"}")])
        let site = try TemporarySite.posting(reviews: 2, destinations: """
        [[destination]]
        name = "hook"
        kind = "webhook"

        [[destination]]
        name = "other"
        kind = "webhook"
        """, credentials: "[hook]\nurl = \"\(server.baseURL)/a\"\n[other]\nurl = \"\(server.baseURL)/b\"\n")
        #expect(try syndicate(["mark-posted", "--to", "hook"], site).status == 0)
        _ = try syndicate(["post"], site)
        #expect(try statusRows(site).count == 4)
        let other = try statusRows(site, ["--to", "other"])
        #expect(other.count == 2 && other.allSatisfy { $0["destination"] as? String == "other" })
        let posted = try statusRows(site, ["--state", "posted"])
        #expect(posted.count == 2 && posted.allSatisfy { $0["destination"] as? String == "hook" })
        let dead = try statusRows(site, ["r0001", "--to", "other", "--state", "dead"])
        #expect(dead.count == 1)
        let bad = try syndicate(["status", "--state", "lost"], site)
        #expect(bad.status != 0 && bad.stderr.contains("lost"))
    }

    @Test func aCrashedRunsSendingDeliveryIsShownAsInterrupted() throws {
        let server = try FakeServer { _, _ in .json(200, "{}", delay: 30) }
        let site = try webhookSite(server.baseURL + "/in")
        let process = Process()
        process.executableURL = syndicateBinary()
        process.arguments = ["post", "--site", site.directory.path]
        process.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        #expect(eventually { server.requests.count == 1 })
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let rows = try statusRows(site)
        #expect(rows.first?["state"] as? String == "sending")
        let note = rows.first?["last_error"] as? String ?? ""
        #expect(note.contains("interrupted"), "\(rows)")
        let table = try syndicate(["status"], site)
        #expect(table.stdout.contains("interrupted"), "\(table.stdout)")
    }

    @Test func resolveAsPostedRecordsTheURL() throws {
        let server = try FakeServer(responses: [.fault(.reset)])
        let site = try webhookSite(server.baseURL + "/in")
        #expect(try syndicate(["post"], site).status == 1)
        let bad = try syndicate(["resolve", "r0000", "--to", "hook", "--as", "posted", "--url", "not a url"], site)
        #expect(bad.status != 0 && bad.stderr.contains("not a url"))
        let resolved = try syndicate(["resolve", "r0000", "--to", "hook", "--as", "posted", "--url", "https://hook.test/found/1"], site)
        #expect(resolved.status == 0, "\(resolved.stderr)")
        let row = try #require(try statusRows(site).first)
        #expect(row["state"] as? String == "posted")
        #expect(row["remote_url"] as? String == "https://hook.test/found/1")
    }

    @Test func postAndMarkPostedOnANewSiteNeverPrintSQLiteErrors() throws {
        for _ in 0..<3 {
            let site = try webhookSite("http://127.0.0.1:9/in", reviews: 2)
            let processes = [["post", "--dry-run"], ["mark-posted"], ["post", "--dry-run"], ["mark-posted"]].map { arguments in
                let process = Process()
                process.executableURL = syndicateBinary()
                process.arguments = arguments + ["--site", site.directory.path]
                process.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
                process.standardOutput = FileHandle.nullDevice
                process.standardError = Pipe()
                return process
            }
            for process in processes { try process.run() }
            for process in processes {
                let errors = String(decoding: (process.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                #expect(process.terminationStatus == 0 && !errors.contains("SQLite"), "\(errors)")
            }
        }
    }

    @Test func aNewlineInAFileNameIsEscaped() throws {
        let site = try webhookSite("http://127.0.0.1:9/in")
        try site.review("bad\nname.md", "title: \"T\"\ndate: nope")
        let check = try syndicate(["check"], site)
        #expect(check.status == 1)
        #expect(check.stderr.contains("reviews/bad\\nname.md:"), "\(check.stderr)")
        #expect(!check.stderr.split(separator: "\n").contains { $0.hasPrefix("name.md") })
    }

    @Test func anOverflowingNumberIsOutOfRange() throws {
        let site = try webhookSite("http://127.0.0.1:9/in")
        try site.review("big.md", "title: \"T\"\ndate: 2025-01-01\nrating: 1e309")
        let check = try syndicate(["check"], site)
        #expect(check.status == 1)
        #expect(check.stderr.contains("reviews/big.md:4: rating: expected a number from 0.5 to 5, found a number out of range"), "\(check.stderr)")
    }

    @Test func aNonUTF8FileNameIsNamed() throws {
        let site = try webhookSite("http://127.0.0.1:9/in")
        var path = Array(site.directory.appendingPathComponent("reviews").path.utf8) + Array("/caf".utf8) + [0xE9] + Array(".md".utf8)
        path.append(0)
        let descriptor = path.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { open($0, O_WRONLY | O_CREAT, 0o644) }
        }
        #expect(descriptor >= 0)
        _ = "---\ntitle: \"Caf\"\ndate: 2025-01-01\nrating: 3\n---\nBody.\n".withCString { write(descriptor, $0, strlen($0)) }
        close(descriptor)
        let check = try syndicate(["check"], site)
        #expect(check.stderr.contains("caf\\xE9.md"), "\(check.stderr)")
        #expect(!check.stderr.contains("cannot be read"), "\(check.stderr)")
    }

    @Test func aFullDiskDuringBuildIsOneLine() throws {
        let site = try webhookSite("http://127.0.0.1:9/in", reviews: 30)
        // A file-size limit of 4 KiB fails the feeds' writes as a full disk would (EFBIG,
        // with SIGXFSZ ignored).
        let build = try run(URL(fileURLWithPath: "/bin/sh"), ["-c", "trap '' XFSZ; ulimit -f 8; exec \"$0\" build --site \"$1\"",
                                                               syndicateBinary().path, site.directory.path], environment: env)
        #expect(build.status != 0)
        let lines = build.stderr.split(separator: "\n")
        #expect(lines.count <= 2, "\(build.stderr)")
        #expect(!build.stderr.contains("I/O error") && !build.stderr.contains("xmlTextWriter"), "\(build.stderr)")
        #expect(build.stderr.hasPrefix("error: cannot write the feeds: ") && build.stderr.contains("write failed (disk full or removed?); the feeds were left as they were"), "\(build.stderr)")
    }

    @Test func aBrokenLedgerIsNamed() throws {
        let site = try webhookSite("http://127.0.0.1:9/in")
        try site.write(".syndicate/ledger.sqlite", String(repeating: "not a database ", count: 300))
        let status = try syndicate(["status"], site)
        #expect(status.status != 0)
        let lines = status.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(status.stderr)")
        #expect(status.stderr.contains(".syndicate/ledger.sqlite"), "\(status.stderr)")
    }
}
