import Destinations
import Foundation
import GRDB
import HTTP
import Posting
import Reviews
import Synchronization
import SyndicateTesting
import Testing

/// A clock tests can move.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ date: Date) { current = Mutex(date) }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: Double) { current.withLock { $0.addTimeInterval(seconds) } }
}

private let secret = "hooksecret-TOKEN-9f8e7d"

private func webhookSite(reviews: Int, server: FakeServer, format: String = "json", post: String = "", name: String = "hook") throws -> TemporarySite {
    try TemporarySite.posting(reviews: reviews, destinations: """
    [[destination]]
    name = "\(name)"
    kind = "webhook"
    format = "\(format)"
    """, post: post, credentials: "[\(name)]\nurl = \"\(server.baseURL)/hooks/\(secret)\"\n")
}

private func session(_ site: TemporarySite, clock: TestClock) throws -> PostingSession {
    try PostingSession.open(siteDirectory: site.directory, clock: { clock.now })
}

private func post(_ site: TemporarySite, clock: TestClock, only: [String]? = nil, limit: Int? = nil) async throws -> PostReport {
    let session = try session(site, clock: clock)
    return try await session.poster.post(index: try await session.readReviews(), only: only, limit: limit)
}

private func deliveries(_ site: TemporarySite, clock: TestClock) throws -> [Delivery] {
    try session(site, clock: clock).ledger.deliveries()
}

@Suite("The posting engine")
struct PosterTests {
    let start = Date(timeIntervalSince1970: 1_764_000_000)

    @Test func postsEachReviewOnceInOrderThenSendsNothing() async throws {
        let server = try FakeServer(responses: [.json(200, "{\"id\":\"m1\",\"url\":\"https://hook.test/m1\"}")])
        let site = try webhookSite(reviews: 3, server: server)
        let clock = TestClock(start)
        let report = try await post(site, clock: clock)
        #expect(report.count(.posted) == 3)
        #expect(server.requests.map { ($0.json?["review"] as? [String: Any])?["slug"] as? String } == ["r0000", "r0001", "r0002"])
        #expect(server.requests.allSatisfy { $0.path == "/hooks/\(secret)" && $0.header("Idempotency-Key") != nil })
        let first = try #require(server.requests.first?.json)
        #expect(first["destination"] as? String == "hook")
        #expect((first["text"] as? String)?.contains("Film 0 (2024) ★★★½") == true)
        #expect((first["text"] as? String)?.contains("https://reviews.test/reviews/r0000/") == true)
        #expect(try deliveries(site, clock: clock).allSatisfy { $0.state == .posted && $0.remoteURL == "https://hook.test/m1" })

        clock.advance(3600)
        let again = try await post(site, clock: clock)
        #expect(again.outcomes.isEmpty)
        #expect(server.requests.count == 3, "a post with nothing due sends no request")
    }

    /// docs/SPEC.md §6's order, as another process reading the ledger sees it: each delivery is
    /// committed `sending` before its request arrives, and the one before it is committed
    /// with its outcome by then.
    @Test func eachRequestLeavesAfterItsSendingMarkAndThePreviousOutcomeAreCommitted() async throws {
        let seen = Mutex<[[String]]>([])
        let ledgerPath = Mutex<String?>(nil)
        let server = try FakeServer { _, _ in
            let states = ledgerPath.withLock { $0 }.flatMap { path in
                try? DatabaseQueue(path: path).read { db in try String.fetchAll(db, sql: "SELECT state FROM delivery ORDER BY review") }
            }
            seen.withLock { $0.append(states ?? []) }
            return .json(200, "{}")
        }
        let site = try webhookSite(reviews: 3, server: server)
        ledgerPath.withLock { $0 = site.directory.appendingPathComponent(Ledger.relativePath).path }
        #expect(try await post(site, clock: TestClock(start)).count(.posted) == 3)
        #expect(seen.withLock { $0 } == [["sending", "pending", "pending"], ["posted", "sending", "pending"], ["posted", "posted", "sending"]])
        #expect(try deliveries(site, clock: TestClock(start)).allSatisfy { $0.state == .posted })
    }

    @Test func sinceAndSkipAndDraftsAreRespected() async throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try webhookSite(reviews: 2, server: server)
        try site.review("old.md", "title: Old\ndate: 2024-06-01")
        try site.review("draft.md", "title: Draft\ndate: 2025-02-01\ndraft: true")
        try site.review("future.md", "title: Future\ndate: 2030-02-01")
        try site.review("skipped.md", "title: Skipped\ndate: 2025-02-01\nsyndicate: {skip: [hook]}")
        _ = try await post(site, clock: TestClock(start))
        #expect(Set(try deliveries(site, clock: TestClock(start)).map(\.review)) == ["r0000", "r0001"])
    }

    @Test(arguments: [408, 425, 429, 500, 502, 503, 504])
    func retryableStatusSchedulesARetry(_ status: Int) async throws {
        let server = try FakeServer(responses: [.json(status, "{\"error\":\"busy\"}", headers: [("Retry-After", "120")]), .json(200, "{}")])
        let site = try webhookSite(reviews: 1, server: server)
        let clock = TestClock(start)
        let report = try await post(site, clock: clock)
        #expect(report.count(.retrying) == 1)
        #expect(!report.hasFailures)
        let delivery = try #require(try deliveries(site, clock: clock).first)
        #expect(delivery.state == .retrying)
        #expect(delivery.lastError == "HTTP \(status): busy")
        let next = try #require(delivery.nextAttemptAt)
        #expect(next >= start.addingTimeInterval(120), "never sooner than Retry-After")

        // Not due yet: nothing is sent.
        clock.advance(60)
        _ = try await post(site, clock: clock)
        #expect(server.requests.count == 1)
        clock.advance(next.timeIntervalSince(clock.now) + 1)
        let later = try await post(site, clock: clock)
        #expect(later.count(.posted) == 1)
        #expect(try session(site, clock: clock).ledger.attempts(of: delivery.id!).map(\.httpStatus) == [status, 200])
    }

    @Test func retryAfterAsAnHTTPDate() async throws {
        // Within the day a server's wait is capped at (RetryPolicy.longestServerWait).
        let server = try FakeServer(responses: [.text(503, "down", headers: [("Retry-After", "Tue, 25 Nov 2025 12:00:00 GMT")])])
        let site = try webhookSite(reviews: 1, server: server)
        let clock = TestClock(start) // 2025-11-24T16:00:00Z
        _ = try await post(site, clock: clock)
        let delivery = try #require(try deliveries(site, clock: clock).first)
        #expect(delivery.nextAttemptAt! >= Date(timeIntervalSince1970: 1_764_072_000))
    }

    @Test func discordRateLimitBodyIsHonoured() async throws {
        let server = try FakeServer(responses: [.json(429, "{\"message\":\"You are being rate limited.\",\"retry_after\":64.5,\"global\":false}")])
        let site = try webhookSite(reviews: 1, server: server, format: "discord")
        let clock = TestClock(start)
        _ = try await post(site, clock: clock)
        #expect(server.requests.first?.query == "wait=true")
        #expect(server.requests.first?.json?["content"] != nil)
        let delivery = try #require(try deliveries(site, clock: clock).first)
        #expect(delivery.nextAttemptAt! >= start.addingTimeInterval(64.5))
        #expect(delivery.lastError == "HTTP 429: You are being rate limited.")
    }

    @Test func permanentErrorIsDeadWithTheServersMessage() async throws {
        let server = try FakeServer(responses: [.json(400, "{\"message\":\"Cannot send an empty message\",\"code\":50006}")])
        let site = try webhookSite(reviews: 2, server: server)
        let report = try await post(site, clock: TestClock(start))
        #expect(report.hasFailures)
        #expect(report.count(.dead) == 2, "one dead delivery does not stop the next")
        #expect(try deliveries(site, clock: TestClock(start)).first?.lastError == "HTTP 400: Cannot send an empty message")
    }

    @Test func maxAttemptsEndsDead() async throws {
        let server = try FakeServer(responses: [.text(500, "oops")])
        let site = try webhookSite(reviews: 1, server: server, post: "max_attempts = 3\nbackoff_max = \"1m\"")
        let clock = TestClock(start)
        for _ in 0..<3 {
            _ = try await post(site, clock: clock)
            clock.advance(3600)
        }
        let delivery = try #require(try deliveries(site, clock: clock).first)
        #expect(delivery.state == .dead)
        #expect(delivery.attempts == 3)
        #expect(delivery.lastError == "gave up after 3 attempts: HTTP 500: oops")
        _ = try await post(site, clock: clock)
        #expect(server.requests.count == 3)
    }

    @Test func noAnswerOnANonDeduplicatingDestinationIsUnknownAndNeverResent() async throws {
        let server = try FakeServer(responses: [.fault(.reset), .json(200, "{}")])
        let site = try webhookSite(reviews: 1, server: server)
        let clock = TestClock(start)
        let report = try await post(site, clock: clock)
        #expect(report.hasFailures)
        let delivery = try #require(try deliveries(site, clock: clock).first)
        #expect(delivery.state == .unknown)
        clock.advance(86400)
        _ = try await post(site, clock: clock)
        #expect(server.requests.count == 1, "unknown is never silently sent again")
    }

    @Test func connectionRefusedIsRetryable() async throws {
        // Port 1 on loopback: nothing listens there, and no other test's server can take it.
        let site = try TemporarySite.posting(reviews: 1, destinations: "[[destination]]\nname = \"hook\"\nkind = \"webhook\"",
                                             credentials: "[hook]\nurl = \"http://127.0.0.1:1/hooks/x\"\n")
        let report = try await post(site, clock: TestClock(start))
        #expect(report.count(.retrying) == 1)
        let attempt = try session(site, clock: TestClock(start)).ledger.attempts(of: report.outcomes[0].delivery.id!)
        #expect(attempt.map(\.errorClass) == ["not_sent"])
    }

    @Test func unreadableSuccessBodyStillMeansPosted() async throws {
        let server = try FakeServer(responses: [.fault(.truncatedBody)])
        let site = try webhookSite(reviews: 1, server: server)
        let report = try await post(site, clock: TestClock(start))
        #expect(report.count(.posted) == 1)
        #expect(report.outcomes[0].delivery.remoteURL == nil)
    }

    @Test func interruptedSendingBecomesUnknown() async throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try webhookSite(reviews: 1, server: server)
        let clock = TestClock(start)
        let session = try session(site, clock: clock)
        let plan = try session.poster.plan(index: try await session.readReviews())
        #expect(plan.new.count == 1)
        var delivery = Delivery(review: "r0000", destination: "hook", kind: "webhook", series: 0, idempotencyKey: "k",
                                payload: Data("{}".utf8), reviewDate: start, contentHash: "", now: start)
        delivery = try session.ledger.insert([delivery])[0]
        _ = try session.ledger.markSending(delivery, now: start)
        _ = try await post(site, clock: clock)
        let after = try #require(try deliveries(site, clock: clock).first)
        #expect(after.state == .unknown)
        #expect(server.requests.isEmpty)
        let attempts = try session.ledger.attempts(of: after.id!)
        #expect(attempts.last?.errorClass == "interrupted")
    }

    @Test func oneDestinationAtATimeDestinationsInParallel() async throws {
        let hold = 1.5 // generous, so a loaded CI machine does not make it flaky
        let a = try FakeServer(responses: [.json(200, "{}", delay: hold)])
        let b = try FakeServer(responses: [.json(200, "{}", delay: hold)])
        let site = try TemporarySite.posting(reviews: 2, destinations: """
        [[destination]]
        name = "a"
        kind = "webhook"
        [[destination]]
        name = "b"
        kind = "webhook"
        """, credentials: "[a]\nurl = \"\(a.baseURL)/a\"\n[b]\nurl = \"\(b.baseURL)/b\"\n")
        _ = try await post(site, clock: TestClock(start))
        let (first, second) = (a.requests[0].receivedAt, b.requests[0].receivedAt)
        #expect(abs(first.timeIntervalSince(second)) < hold, "b was served while a's first answer was held")
        for server in [a, b] {
            let times = server.requests.map(\.receivedAt)
            #expect(times.count == 2)
            #expect(times[1].timeIntervalSince(times[0]) >= hold - 0.01, "one delivery at a time per destination")
            #expect(server.requests.map { ($0.json?["review"] as? [String: Any])?["slug"] as? String } == ["r0000", "r0001"])
        }
    }

    @Test func limitCapsTheRun() async throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try webhookSite(reviews: 5, server: server)
        let report = try await post(site, clock: TestClock(start), limit: 2)
        #expect(report.count(.posted) == 2)
        #expect(try deliveries(site, clock: TestClock(start)).filter { $0.state == .pending }.count == 3)
    }

    @Test func repostIsANewDelivery() async throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try webhookSite(reviews: 1, server: server)
        let clock = TestClock(start)
        _ = try await post(site, clock: clock)
        let session = try session(site, clock: clock)
        let review = try Site.load(site.directory).reviews[0]
        let report = try await session.poster.repost(review)
        #expect(report.count(.posted) == 1)
        let all = try deliveries(site, clock: clock)
        #expect(all.map(\.series) == [0, 1])
        #expect(Set(server.requests.compactMap { $0.header("Idempotency-Key") }).count == 2)
    }

    @Test func markPostedAdoptsWithoutSending() async throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try webhookSite(reviews: 3, server: server)
        let clock = TestClock(start)
        let session = try session(site, clock: clock)
        let index = try await session.readReviews().reviews.filter { $0.slug != "r0002" }
        let marked = try session.ledger.markPosted(reviews: index.map { ($0.id, $0.slug, $0.date, $0.contentHash) },
                                                   destinations: [("hook", "webhook")], now: start)
        #expect(marked == 2)
        _ = try await post(site, clock: clock)
        #expect(server.requests.count == 1)
        #expect(server.requests.first?.json.flatMap { ($0["review"] as? [String: Any])?["slug"] as? String } == "r0002")
    }

    @Test func composedPayloadIsFixedAtCreation() async throws {
        let server = try FakeServer(responses: [.text(503, "down"), .json(200, "{}")])
        let site = try webhookSite(reviews: 1, server: server)
        let clock = TestClock(start)
        _ = try await post(site, clock: clock)
        // An edit after the delivery was created does not change what the retry sends.
        try site.review("r0000.md", "title: Edited title\ndate: 2025-01-01")
        clock.advance(7 * 3600)
        _ = try await post(site, clock: clock)
        #expect(server.requests.count == 2)
        #expect(server.requests[0].body == server.requests[1].body)
        #expect(server.requests[0].header("Idempotency-Key") == server.requests[1].header("Idempotency-Key"))
        let status = StatusReport(deliveries: try deliveries(site, clock: clock),
                                  currentHashes: Dictionary(uniqueKeysWithValues: try await session(site, clock: clock).readReviews().reviews.map { ($0.id, $0.contentHash) }))
        #expect(status.rows.first?.changedSincePosted == true)
    }

    @Test func secretsNeverReachTheLedger() async throws {
        // The server echoes the request URL (with its secret) in an error.
        let server = try FakeServer { request, _ in .text(400, "bad hook \(request.path)") }
        let site = try webhookSite(reviews: 1, server: server)
        let report = try await post(site, clock: TestClock(start))
        #expect(report.outcomes[0].delivery.lastError == "HTTP 400: bad hook [redacted]")
        let ledgerBytes = try Data(contentsOf: site.directory.appendingPathComponent(".syndicate/ledger.sqlite"))
            + ((try? Data(contentsOf: site.directory.appendingPathComponent(".syndicate/ledger.sqlite-wal"))) ?? Data())
        #expect(ledgerBytes.range(of: Data(secret.utf8)) == nil)
        let status = StatusReport(deliveries: try deliveries(site, clock: TestClock(start)), currentHashes: [:])
        #expect(!status.json().contains(secret))
        #expect(!status.table().contains(secret))
    }
}

@Suite("The cron no-op shortcut")
struct IdleMarkerTests {
    let start = Date(timeIntervalSince1970: 1_764_000_000)

    @Test func holdsUntilSomethingChanges() async throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try TemporarySite.posting(reviews: 2, destinations: "[[destination]]\nname = \"hook\"\nkind = \"webhook\"",
                                             credentials: "[hook]\nurl = \"\(server.baseURL)/h\"\n")
        try site.review("later.md", "title: Later\ndate: 2025-12-01")
        let clock = TestClock(start)
        let session = try PostingSession.open(siteDirectory: site.directory, clock: { clock.now })
        let first = try await session.post(only: nil, limit: nil) { _ in }
        #expect(first?.report.count(.posted) == 2)
        #expect(try await session.post(only: nil, limit: nil) { _ in } == nil, "nothing changed: answered by the marker")

        // A new review: the fingerprint moves.
        try site.review("new.md", "title: New\ndate: 2025-06-01")
        #expect(try await session.post(only: nil, limit: nil) { _ in }?.report.count(.posted) == 1)
        #expect(try await session.post(only: nil, limit: nil) { _ in } == nil)

        // A ledger change (retry, resolve, mark-posted, a ping) moves the counter.
        _ = try session.ledger.update(where: { $0.review == "new" }) { $0.state = .pending }
        #expect(try await session.post(only: nil, limit: nil) { _ in }?.report.count(.posted) == 1)

        // The scheduled review's date ends the idle time.
        #expect(try await session.post(only: nil, limit: nil) { _ in } == nil)
        clock.advance(30 * 86400)
        #expect(try await session.post(only: nil, limit: nil) { _ in }?.report.count(.posted) == 1)
        #expect(server.requests.count == 5)
    }

    /// The marker is JSON (`CacheFile`); a file of any other shape (the line format of
    /// earlier versions, a torn write) means a full look, never a wrong "idle".
    @Test func aMarkerHoldsOnlyAsSaved() throws {
        let site = try TemporarySite.posting(reviews: 1, destinations: "", credentials: "")
        let ledger = try Ledger(siteDirectory: site.directory)
        let marker = IdleMarker(siteDirectory: site.directory)
        let now = start
        marker.save(fingerprint: "f1", ledgerVersion: try ledger.version(), idleUntil: now.addingTimeInterval(60))
        #expect(marker.holds(fingerprint: "f1", siteDirectory: site.directory, now: now))
        #expect(!marker.holds(fingerprint: "f2", siteDirectory: site.directory, now: now))
        #expect(!marker.holds(fingerprint: "f1", siteDirectory: site.directory, now: now.addingTimeInterval(60)))
        let saved = try #require(site.read(".syndicate/cache/post-idle"))
        #expect(saved.hasPrefix("{"))

        try site.write(".syndicate/cache/post-idle", "syndicate post-idle 1\nfingerprint f1\nledger-version \(try ledger.version())\nidle-until -\n")
        #expect(!marker.holds(fingerprint: "f1", siteDirectory: site.directory, now: now))
        try site.write(".syndicate/cache/post-idle", String(saved.prefix(saved.count / 2)))
        #expect(!marker.holds(fingerprint: "f1", siteDirectory: site.directory, now: now))

        marker.save(fingerprint: "f1", ledgerVersion: try ledger.version(), idleUntil: nil)
        #expect(marker.holds(fingerprint: "f1", siteDirectory: site.directory, now: .distantFuture))
        _ = try ledger.update(where: { _ in false }) { _ in }
        #expect(!marker.holds(fingerprint: "f1", siteDirectory: site.directory, now: now), "any write moves the counter")
    }
}
