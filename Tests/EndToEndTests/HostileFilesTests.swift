import Foundation
import SyndicateTesting
import Testing

private let pinned = ["SYNDICATE_NOW": "2025-11-24T16:00:00Z", "NO_COLOR": "1"]

/// `runBounded` with the pinned clock.
private func bounded(_ arguments: [String], seconds: Int = 30, openFiles: Int? = nil, memoryKB: Int? = nil,
                     environment: [String: String] = pinned) throws -> ProcessResult {
    try runBounded(arguments, seconds: seconds, openFiles: openFiles, memoryKB: memoryKB, environment: environment)
}

/// One SQL statement on a ledger from outside Syndicate, with Python's sqlite3 module (Python
/// is a CI dependency already; the sqlite3 program is not): prints the first column of each row.
private func sqlite(_ path: String, _ statement: String) throws -> ProcessResult {
    try run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", """
    import sqlite3, sys
    db = sqlite3.connect(sys.argv[1])
    for row in db.execute(sys.argv[2]): print(row[0])
    db.commit()
    """, path, statement])
}

private func goodReview(_ site: TemporarySite, name: String = "2025-11-01-good.md") throws {
    try site.review(name, "title: The Good One\ndate: 2025-11-01\ngenres: [Drama]")
}

/// Point 2 of issue 12: one hostile review file costs only itself.
@Suite("One bad review never costs the others, end to end")
struct HostileReviewFilesTests {
    /// "Billion laughs": 578 bytes that expand to 10^9 strings.
    @Test func aliasBombIsRefusedNamingTheFileAndLine() throws {
        let site = try TemporarySite()
        try goodReview(site)
        let levels = ["a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
            + "bcdefghi".map { level -> String in
                let previous = Character(Unicode.Scalar(level.asciiValue! - 1))
                return "\(level): &\(level) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]"
            }
        try site.review("2025-11-02-bomb.md", "title: Bomb\ndate: 2025-11-02\n" + levels.joined(separator: "\n") + "\ntags: *i\n? *i\n: hashed whole as a key")
        for (command, status) in [("build", Int32(1)), ("check", 1), ("post", 0)] {
            let result = try bounded([command, "--site", site.directory.path], seconds: 60, memoryKB: 4_000_000)
            #expect(result.status == status, "\(command): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("reviews/2025-11-02-bomb.md:4: front matter: anchors and aliases (&name, *name) are not allowed"),
                    "\(command): \(result.stderr)")
        }
        #expect(site.read("feeds/feed.xml")?.contains("The Good One") == true)
    }

    /// A 300-character genre would name a file longer than the file system allows, and 500
    /// genres are 1,000 feeds: more than a low open-file limit lets one process hold at once.
    @Test func longGenreNamesAndManyGenresBuildUnderALowOpenFileLimit() throws {
        let site = try TemporarySite()
        try goodReview(site)
        let long = String(repeating: "Longgenre", count: 34)
        try site.review("2025-11-02-long.md", "title: Long\ndate: 2025-11-02\ngenres: [\"\(long)\"]")
        let many = (0..<500).map { "Genre \($0)" }.joined(separator: ", ")
        try site.review("2025-11-03-many.md", "title: Many\ndate: 2025-11-03\ngenres: [\(many)]")
        let result = try bounded(["build", "--site", site.directory.path], seconds: 120, openFiles: 256)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(site.read("feeds/feed.xml")?.contains("The Good One") == true)
        let names = try FileManager.default.contentsOfDirectory(atPath: site.directory.appendingPathComponent("feeds/genres").path)
        #expect(names.count == 2 * 502, "\(names.count)")
        #expect(names.allSatisfy { $0.utf8.count <= 120 && !$0.hasPrefix(".") })
        let longFeed = try #require(names.first { $0.hasPrefix("longgenre") && $0.hasSuffix(".atom.xml") })
        #expect(site.read("feeds/genres/" + longFeed)?.contains(long) == true, "the feed keeps the genre's whole name")
    }

    /// A FIFO (or a device, or a folder) named like a review would block the read forever.
    @Test func aFIFOInTheReviewsFolderIsSkippedNamingIt() throws {
        let site = try TemporarySite()
        try goodReview(site)
        #expect(mkfifo(site.directory.appendingPathComponent("reviews/2025-11-05-pipe.md").path, 0o644) == 0)
        try FileManager.default.createDirectory(at: site.directory.appendingPathComponent("reviews/folder.md"), withIntermediateDirectories: true)
        for command in ["build", "check"] {
            let result = try bounded([command, "--site", site.directory.path], seconds: 20)
            #expect(result.status == 1, "\(command): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("reviews/2025-11-05-pipe.md:1: file: not a regular file; skipped"), "\(command): \(result.stderr)")
            #expect(result.stderr.contains("reviews/folder.md:1: file: not a regular file; skipped"), "\(command): \(result.stderr)")
        }
        #expect(site.read("feeds/feed.xml")?.contains("The Good One") == true)
    }

    /// Atom and RSS dates have four-digit years: a date outside 1000–9999 (in UTC) is refused.
    @Test(arguments: [("date: 0999-12-31", "date"), ("date: 9999-12-31T23:00:00-05:00", "date"),
                      ("date: 2025-11-02\nupdated: 0500-01-01", "updated")])
    func datesOutsideFourDigitYearsAreRefused(_ lines: String, _ key: String) throws {
        let site = try TemporarySite()
        try goodReview(site)
        try site.review("2025-11-02-odd.md", "title: Odd\n" + lines)
        let result = try bounded(["build", "--site", site.directory.path])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("reviews/2025-11-02-odd.md:\(key == "date" ? 3 : 4): \(key): "), "\(result.stderr)")
        #expect(result.stderr.contains("is outside the years 1000 to 9999"), "\(result.stderr)")
        let atom = try #require(site.read("feeds/atom.xml"))
        #expect(atom.contains("The Good One") && !atom.contains("Odd"))
    }

    /// `image` is only ever an http(s) address or a path on the site, as links are.
    @Test(arguments: ["javascript:alert(1)", "JavaScript:alert(1)", "data:image/png;base64,AAAA", "vbscript:x", "file:///etc/passwd"])
    func unsafeImageURLsNeverReachTheFeeds(_ image: String) throws {
        let site = try TemporarySite()
        try goodReview(site)
        try site.review("2025-11-02-image.md", "title: Image\ndate: 2025-11-02\nimage: \"\(image)\"")
        let result = try bounded(["build", "--site", site.directory.path])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("reviews/2025-11-02-image.md:4: image: \"\(image)\" is not an image address: use http(s) or a path on the site"),
                "\(result.stderr)")
        for feed in ["feed.xml", "atom.xml", "feed.json"] {
            let text = try #require(site.read("feeds/" + feed))
            #expect(!text.contains(String(image.prefix(8))), "\(feed)")
        }
    }
}

/// Point 3 of issue 12: Syndicate never damages the site's own files.
@Suite("The site's own files are safe, end to end")
struct SiteFilesSafetyTests {
    @Test func aMissingOrNonFolderReviewsFolderIsAConfigErrorAndTheFeedsStay() throws {
        let site = try TemporarySite()
        try goodReview(site)
        #expect(try bounded(["build", "--site", site.directory.path]).status == 0)
        let before = try #require(site.read("feeds/feed.xml"))
        let reviews = site.directory.appendingPathComponent("reviews")
        try FileManager.default.removeItem(at: reviews)
        // Running as root, no mode makes a folder unreadable; a symbolic link to itself does.
        for replacement in ["missing", "file", "unreadable"] {
            if replacement == "file" { try site.write("reviews", "not a folder") }
            if replacement == "unreadable" {
                try FileManager.default.removeItem(at: reviews)
                try FileManager.default.createSymbolicLink(atPath: reviews.path, withDestinationPath: reviews.path)
            }
            let build = try bounded(["build", "--site", site.directory.path])
            #expect(build.status == 2, "\(replacement): \(build.stderr)")
            #expect(build.stderr.contains("reviews:1: reviews: "), "\(replacement): \(build.stderr)")
            #expect(site.read("feeds/feed.xml") == before, "the feeds are left as they are")
            let check = try bounded(["check", "--site", site.directory.path])
            #expect(check.status != 0, "\(replacement): \(check.stdout)")
            #expect(check.stderr.contains("reviews:1: reviews: "), "\(replacement): \(check.stderr)")
            #expect(check.stderr.contains("error: 1 problem(s) in reviews\n"), "\(replacement): \(check.stderr)")
        }
    }

    /// Only genre feeds a build wrote are ever removed, and never through a symbolic link.
    @Test func buildRemovesOnlyTheGenreFeedsItWrote() throws {
        let site = try TemporarySite()
        try goodReview(site)
        try site.review("2025-11-02-war.md", "title: War Film\ndate: 2025-11-02\ngenres: [War]")
        #expect(try bounded(["build", "--site", site.directory.path]).status == 0)
        #expect(site.exists("feeds/genres/war.xml"))
        try site.write("feeds/genres/handmade.xml", "<rss/>")
        try site.write("elsewhere/precious.xml", "precious")
        try FileManager.default.createSymbolicLink(atPath: site.directory.appendingPathComponent("feeds/genres/link.xml").path,
                                                   withDestinationPath: site.directory.appendingPathComponent("elsewhere/precious.xml").path)
        try FileManager.default.removeItem(at: site.directory.appendingPathComponent("reviews/2025-11-02-war.md"))
        let result = try bounded(["build", "--site", site.directory.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!site.exists("feeds/genres/war.xml") && !site.exists("feeds/genres/war.atom.xml"), "the build's own stale feeds go")
        #expect(site.read("feeds/genres/handmade.xml") == "<rss/>")
        #expect(site.read("elsewhere/precious.xml") == "precious")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: site.directory.appendingPathComponent("feeds/genres/link.xml").path)) != nil)

        // A build's own genre feed replaced by a symbolic link is not followed either.
        try site.review("2025-11-03-war.md", "title: War Again\ndate: 2025-11-03\ngenres: [War]")
        #expect(try bounded(["build", "--site", site.directory.path]).status == 0)
        let war = site.directory.appendingPathComponent("feeds/genres/war.xml").path
        try FileManager.default.removeItem(atPath: war)
        try FileManager.default.createSymbolicLink(atPath: war, withDestinationPath: site.directory.appendingPathComponent("elsewhere/precious.xml").path)
        try FileManager.default.removeItem(at: site.directory.appendingPathComponent("reviews/2025-11-03-war.md"))
        #expect(try bounded(["build", "--site", site.directory.path]).status == 0)
        #expect(site.read("elsewhere/precious.xml") == "precious")
    }

    /// `kill -9` mid-build leaves `.NAME.PID.tmp` files: the next build removes those of dead
    /// processes, and only those.
    @Test func staleStagingFilesOfDeadProcessesAreCleaned() throws {
        let site = try TemporarySite()
        try goodReview(site)
        let dead = "4194999" // above Linux's largest pid (2^22), so never a live process
        let live = String(getpid())
        for path in ["feeds/.feed.xml.\(dead).tmp", "feeds/genres/.drama.xml.\(dead).tmp", "feeds/.atom.xml.\(live).tmp", "feeds/.notes.txt"] {
            try site.write(path, "partial")
        }
        let result = try bounded(["build", "--site", site.directory.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!site.exists("feeds/.feed.xml.\(dead).tmp") && !site.exists("feeds/genres/.drama.xml.\(dead).tmp"))
        #expect(site.exists("feeds/.atom.xml.\(live).tmp"), "a live process's staging file is its own")
        #expect(site.exists("feeds/.notes.txt"))
    }

    /// The real thing: a build killed with SIGKILL while it writes, then a build again.
    @Test func aBuildKilledMidWriteLeavesNothingBehindTheNextBuild() throws {
        let site = try TemporarySite()
        for index in 0..<1500 {
            try site.review(String(format: "2025-10-01-r%04d.md", index),
                            "title: Film \(index)\ndate: 2025-10-01T10:\(String(format: "%02d", index % 60)):00Z\ngenres: [G\(index % 40)]",
                            body: String(repeating: "A paragraph of the review, long enough to take a while. ", count: 40) + "\n")
        }
        let process = Process()
        process.executableURL = syndicateBinary()
        process.arguments = ["build", "--site", site.directory.path]
        process.environment = ProcessInfo.processInfo.environment.merging(pinned) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let feeds = site.directory.appendingPathComponent("feeds").path
        func staging() -> [String] {
            let top = ((try? FileManager.default.contentsOfDirectory(atPath: feeds)) ?? []).filter { $0.hasSuffix(".tmp") }
            let genres = ((try? FileManager.default.contentsOfDirectory(atPath: feeds + "/genres")) ?? []).filter { $0.hasSuffix(".tmp") }
            return top + genres
        }
        let deadline = Date().addingTimeInterval(30)
        while staging().isEmpty, process.isRunning, Date() < deadline { usleep(2_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(!staging().isEmpty, "the kill landed mid-write")
        let again = try bounded(["build", "--site", site.directory.path], seconds: 60)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(staging().isEmpty, "\(staging())")
    }

    /// A hub that accepts connections and never answers costs one timeout, not one per feed.
    @Test func aHangingHubDoesNotStallBuildForEveryFeed() throws {
        let hub = try FakeServer { _, _ in .fault(.hang) }
        defer { hub.stop() }
        let site = try TemporarySite(config: TemporarySite.config(extra: "[post]\ntimeout = \"1s\"\n")
            .replacingOccurrences(of: "by_genre = true", with: "by_genre = true\nhub = \"\(hub.baseURL)/hub\""))
        for index in 0..<6 {
            try site.review("2025-11-0\(index + 1)-r\(index).md", "title: Film \(index)\ndate: 2025-11-0\(index + 1)\ngenres: [G\(index)]")
        }
        let start = Date()
        let result = try bounded(["build", "--site", site.directory.path], seconds: 60)
        let elapsed = Date().timeIntervalSince(start)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(elapsed < 8, "15 changed feeds, 1 s timeout: took \(elapsed) s")
        #expect(result.stderr.contains("feed.json → websub at 2025-11-24T16:00"), "\(result.stderr)")
        #expect(result.stderr.contains("not sent: the hub did not answer an earlier ping of this run"), "\(result.stderr)")
        #expect(hub.requests.count <= 2, "\(hub.requests.count)")
    }

    @Test(arguments: [".", "./", "reviews", "reviews/feeds", ".syndicate", ".syndicate/feeds", "feeds/..", "a/../reviews"])
    func feedsOutputMayNotBeTheSiteOrItsOwnFolders(_ output: String) throws {
        let site = try TemporarySite(config: TemporarySite.config().replacingOccurrences(of: "items = 50", with: "items = 50\noutput = \"\(output)\""))
        try goodReview(site)
        let result = try bounded(["build", "--site", site.directory.path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("syndicate.toml:11: feeds.output: "), "\(result.stderr)")
        #expect(!site.exists("feed.xml") && !site.exists("reviews/feed.xml") && !site.exists(".syndicate/feed.xml"))
        let check = try bounded(["check", "--site", site.directory.path])
        #expect(check.status != 0 && check.stderr.contains("feeds.output"), "\(check.stderr)")
    }

    /// Only a missing ledger is a new one: an empty or foreign file would re-post everything.
    @Test(arguments: [Data(), Data("not a database, just text\n".utf8)])
    func aLedgerThatIsNotSQLiteIsRefused(_ contents: Data) throws {
        let site = try TemporarySite.posting(reviews: 2, destinations: "[[destination]]\nname = \"hook\"\nkind = \"webhook\"\n",
                                             credentials: "[hook]\nurl = \"http://127.0.0.1:9/hooks\"\n")
        try site.write(".syndicate/ledger.sqlite", contents)
        for command in [["post", "--dry-run"], ["post"], ["status"], ["mark-posted"]] {
            let result = try bounded(command + ["--site", site.directory.path])
            #expect(result.status != 0, "\(command): \(result.stdout)")
            #expect(result.stderr.contains(".syndicate/ledger.sqlite: not a Syndicate ledger"), "\(command): \(result.stderr)")
            #expect(!result.stdout.contains("posted"), "\(command)")
        }
        #expect(FileManager.default.contents(atPath: site.directory.appendingPathComponent(".syndicate/ledger.sqlite").path) == contents)
    }

    /// A state this version does not know (a newer version's, or a hand edit) is shown as
    /// unknown, with a warning naming it.
    @Test func anUnknownStateInTheLedgerDoesNotCrashStatus() throws {
        let site = try TemporarySite.posting(reviews: 2, destinations: "[[destination]]\nname = \"hook\"\nkind = \"webhook\"\n",
                                             credentials: "[hook]\nurl = \"http://127.0.0.1:9/hooks\"\n")
        #expect(try bounded(["mark-posted", "--site", site.directory.path]).status == 0)
        let ledger = site.directory.appendingPathComponent(".syndicate/ledger.sqlite").path
        let sql = try sqlite(ledger, "UPDATE delivery SET state = 'archived' WHERE id = 1")
        #expect(sql.status == 0, "\(sql.stderr)")
        let status = try bounded(["status", "--site", site.directory.path])
        #expect(status.status == 0, "\(status.status) \(status.stderr)")
        #expect(status.stdout.contains("unknown"), "\(status.stdout)")
        #expect(status.stderr.contains("state \"archived\" is not one this version knows"), "\(status.stderr)")
        let json = try bounded(["status", "--json", "--site", site.directory.path])
        #expect(json.status == 0 && json.stdout.contains("\"unknown\""), "\(json.stderr)")
        // Nothing is sent for it, and it stays as it was in the file.
        #expect(try bounded(["post", "--site", site.directory.path]).status == 0)
        let state = try sqlite(ledger, "SELECT state FROM delivery WHERE id = 1")
        #expect(state.stdout == "archived\n", "\(state.stderr)")
    }
}
