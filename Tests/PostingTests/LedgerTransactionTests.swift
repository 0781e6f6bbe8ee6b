import Foundation
import GRDB
import Posting
import SyndicateTesting
import Testing

/// A post's two transactions (`sending`, then the outcome): what each commits, what a failing
/// one leaves, and how they move the change counter the idle marker depends on.
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

    /// `sending` is committed on its own before the request leaves, and the outcome on its
    /// own after: a reader in between (another process) sees the delivery `sending`.
    @Test func sendingThenOutcomeEachCommitted() throws {
        let (site, ids) = try makeLedger()
        let ledger = try Ledger(siteDirectory: site.directory)
        let first = try #require(try ledger.markSending(try delivery(ledger, ids[0]), now: now))
        #expect(first.state == .sending && first.attempts == 1)
        let reader = try Ledger(siteDirectory: site.directory)
        #expect(try states(reader) == [.sending, .pending, .pending])

        let (outcome, attempt) = posted(first)
        try ledger.record(outcome, attempt: attempt)
        let stored = try reader.deliveries().sorted { $0.id! < $1.id! }
        #expect(stored.map(\.state) == [.posted, .pending, .pending])
        #expect(stored[0].remoteID == "remote-one" && stored[0].postedAt == now && stored[0].attempts == 1)
        #expect(try reader.attempts(of: ids[0]).map(\.httpStatus) == [200])
    }

    @Test func aSettledDeliveryIsNotMarkedSending() throws {
        let (site, ids) = try makeLedger()
        let ledger = try Ledger(siteDirectory: site.directory)
        // Another command settled the delivery after this run read it.
        let read = try delivery(ledger, ids[1])
        _ = try ledger.update(where: { $0.id == ids[1] }) { $0.state = .posted }
        #expect(try ledger.markSending(read, now: now) == nil)
        #expect(try states(ledger) == [.pending, .posted, .pending])
        #expect(try delivery(ledger, ids[1]).attempts == 0)
    }

    /// An outcome that cannot be stored leaves the delivery `sending` (committed before the
    /// request left: the next run treats it as interrupted) and no transaction open.
    @Test func aFailingOutcomeRollsBackAndLeavesTheSendingMark() throws {
        let (site, ids) = try makeLedger()
        let ledger = try Ledger(siteDirectory: site.directory)
        let first = try #require(try ledger.markSending(try delivery(ledger, ids[0]), now: now))

        let other = try DatabaseQueue(path: site.directory.appendingPathComponent(Ledger.relativePath).path)
        try other.write { db in
            try db.execute(sql: "CREATE TRIGGER refuse BEFORE INSERT ON attempt BEGIN SELECT RAISE(ABORT, 'attempt refused'); END")
        }
        let (outcome, attempt) = posted(first)
        let failure = #expect(throws: DatabaseError.self) { try ledger.record(outcome, attempt: attempt) }
        #expect(failure?.message == "attempt refused")
        #expect(try states(ledger) == [.sending, .pending, .pending])
        #expect(try ledger.attempts(of: ids[0]).isEmpty)

        try other.write { db in try db.execute(sql: "DROP TRIGGER refuse") }
        try ledger.record(outcome, attempt: attempt)
        #expect(try ledger.markSending(try delivery(ledger, ids[1]), now: now)?.state == .sending)
        #expect(try states(ledger) == [.posted, .sending, .pending])
    }

    @Test func theCounterMovesOnEveryWrite() throws {
        let (site, ids) = try makeLedger()
        let ledger = try Ledger(siteDirectory: site.directory)
        let start = try ledger.version()
        let first = try #require(try ledger.markSending(try delivery(ledger, ids[0]), now: now))
        #expect(try ledger.version() == start + 1)
        let (outcome, attempt) = posted(first)
        try ledger.record(outcome, attempt: attempt)
        #expect(try ledger.version() == start + 2)
        _ = try ledger.update(where: { $0.id == ids[2] }) { $0.state = .dead }
        #expect(try Ledger(siteDirectory: site.directory).version() == start + 3)
        // A read does not move it.
        _ = try ledger.due(at: now, destinations: ["masto"])
        #expect(try ledger.version() == start + 3)
    }
}
