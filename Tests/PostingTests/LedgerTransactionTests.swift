import Foundation
import GRDB
import Posting
import SyndicateTesting
import Testing

/// The per-post transaction: what it commits together, what it leaves alone when a statement
/// fails, and how it moves the change counter the idle marker depends on.
@Suite("Ledger post transactions")
struct LedgerTransactionTests {
    let now = Date(timeIntervalSince1970: 1_000_000)

    func makeLedger() throws -> (site: TemporarySite, ids: [Int64]) {
        let site = try TemporarySite.posting(reviews: 1, destinations: "", credentials: "")
        let ledger = try Ledger(siteDirectory: site.directory)
        let inserted = try ledger.insert(["one", "two", "three"].map { slug in
            Delivery(review: slug, destination: "masto", kind: "mastodon", series: 0, idempotencyKey: "key-\(slug)",
                     payload: Data("{}".utf8), reviewDate: now, contentHash: "hash", now: now)
        })
        return (site, inserted.compactMap(\.id))
    }

    func delivery(_ ledger: Ledger, _ id: Int64) throws -> Delivery {
        try #require(try ledger.deliveries().first { $0.id == id })
    }

    /// States in insertion order (the ledger lists by review date, then slug).
    func states(_ ledger: Ledger) throws -> [DeliveryState] {
        try ledger.deliveries().sorted { $0.id! < $1.id! }.map(\.state)
    }

    func posted(_ delivery: Delivery) -> (Delivery, Attempt) {
        var delivery = delivery
        delivery.state = .posted
        delivery.remoteID = "remote-\(delivery.review)"
        delivery.postedAt = now
        delivery.updatedAt = now
        return (delivery, Attempt(deliveryID: delivery.id!, startedAt: now, durationMs: 50, httpStatus: 200, errorClass: "posted", message: nil))
    }

    @Test func outcomeAndNextSendingMarkCommitTogether() throws {
        let (site, ids) = try makeLedger()
        let ledger = try Ledger(siteDirectory: site.directory)
        let first = try #require(try ledger.markSending(try delivery(ledger, ids[0]), now: now))
        #expect(first.state == .sending && first.attempts == 1)

        let (outcome, attempt) = posted(first)
        let second = try #require(try ledger.record(outcome, attempt: attempt, thenMarkSending: try delivery(ledger, ids[1]), now: now))
        #expect(second.state == .sending && second.attempts == 1)

        let stored = try ledger.deliveries().sorted { $0.id! < $1.id! }
        #expect(stored.map(\.state) == [.posted, .sending, .pending])
        #expect(stored[0].remoteID == "remote-one" && stored[0].postedAt == now && stored[0].attempts == 1)
        #expect(try ledger.attempts(of: ids[0]).map(\.httpStatus) == [200])
        #expect(try ledger.attempts(of: ids[1]).isEmpty)
    }

    @Test func aSettledNextDeliveryIsNotMarkedButTheOutcomeIsStored() throws {
        let (site, ids) = try makeLedger()
        let ledger = try Ledger(siteDirectory: site.directory)
        let first = try #require(try ledger.markSending(try delivery(ledger, ids[0]), now: now))
        // Another command settled the second delivery after this run read it.
        _ = try ledger.update(where: { $0.id == ids[1] }) { $0.state = .posted }
        let (outcome, attempt) = posted(first)
        #expect(try ledger.record(outcome, attempt: attempt, thenMarkSending: try delivery(ledger, ids[1]), now: now) == nil)
        #expect(try states(ledger) == [.posted, .posted, .pending])
        #expect(try delivery(ledger, ids[1]).attempts == 0)
    }

    @Test func aFailingStatementRollsBackTheWholePostAndLeavesNoTransactionOpen() throws {
        let (site, ids) = try makeLedger()
        let ledger = try Ledger(siteDirectory: site.directory)
        let first = try #require(try ledger.markSending(try delivery(ledger, ids[0]), now: now))

        let other = try DatabaseQueue(path: site.directory.appendingPathComponent(Ledger.relativePath).path)
        try other.write { db in
            try db.execute(sql: "CREATE TRIGGER refuse BEFORE INSERT ON attempt BEGIN SELECT RAISE(ABORT, 'attempt refused'); END")
        }
        let (outcome, attempt) = posted(first)
        let failure = #expect(throws: DatabaseError.self) {
            try ledger.record(outcome, attempt: attempt, thenMarkSending: try delivery(ledger, ids[1]), now: now)
        }
        #expect(failure?.message == "attempt refused")
        #expect(try states(ledger) == [.sending, .pending, .pending])
        #expect(try ledger.attempts(of: ids[0]).isEmpty)

        try other.write { db in try db.execute(sql: "DROP TRIGGER refuse") }
        let second = try ledger.record(outcome, attempt: attempt, thenMarkSending: try delivery(ledger, ids[1]), now: now)
        #expect(second?.state == .sending)
        #expect(try states(ledger) == [.posted, .sending, .pending])
    }

    @Test func theCounterMovesOnAPostRunsFirstWriteAndOnEveryOtherWrite() throws {
        let (site, ids) = try makeLedger()
        let start = try Ledger(siteDirectory: site.directory).version()

        // A post run (holding the post lock): its first write moves the counter, the
        // following per-post transactions need not.
        let run = try Ledger(siteDirectory: site.directory)
        let first = try #require(try run.markSending(try delivery(run, ids[0]), now: now))
        #expect(try run.version() == start + 1)
        let (outcome, attempt) = posted(first)
        let second = try #require(try run.record(outcome, attempt: attempt, thenMarkSending: try delivery(run, ids[1]), now: now))
        #expect(try run.version() == start + 1)
        let (lastOutcome, lastAttempt) = posted(second)
        try run.record(lastOutcome, attempt: lastAttempt)
        #expect(try run.version() == start + 2)

        // The next run moves it again with its first write, whatever kind it is.
        let next = try Ledger(siteDirectory: site.directory)
        _ = try next.markSending(try delivery(next, ids[2]), now: now)
        #expect(try next.version() == start + 3)
        // Other commands' writes always move it.
        _ = try next.update(where: { $0.id == ids[2] }) { $0.state = .dead }
        _ = try next.update(where: { $0.id == ids[2] }) { $0.state = .retrying }
        #expect(try next.version() == start + 5)
    }
}
