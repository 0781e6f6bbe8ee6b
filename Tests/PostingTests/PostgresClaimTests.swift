import Foundation
import Synchronization
import Posting
@testable import PostgresLedger
import SyndicateTesting
import Testing

/// Claims across workers on the PostgreSQL store (docs/SPEC.md §11): what only a shared store
/// has. Each "worker" is its own connection, as another process or host would be.
@Suite("PostgreSQL claims")
struct PostgresClaimTests {
    let now = Date(timeIntervalSince1970: 2_000_000)
    typealias F = LedgerStoreFixture

    func makeThree(_ fixture: LedgerStoreFixture, destination: String = "masto") throws -> [Delivery] {
        try fixture.store.insert(["one", "two", "three"].enumerated().map { i, review in
            F.delivery(review, destination: destination, date: now.addingTimeInterval(Double(i)))
        })
    }

    func done(_ delivery: Delivery, on worker: any LedgerStore) throws {
        var delivery = delivery
        delivery.state = .posted
        try worker.record(delivery, attempt: Attempt(deliveryID: delivery.id!, startedAt: now, durationMs: 1, httpStatus: 200,
                                                     errorClass: "posted", message: nil))
    }

    /// One delivery in flight per destination, oldest first, whichever worker asks: a second
    /// worker gets nothing while the first holds the destination, then the next in order.
    @Test func oneInFlightPerDestinationInOrderAcrossWorkers() throws {
        let fixture = try F(.postgresql)
        let made = try makeThree(fixture)
        let a = try fixture.reopen(), b = try fixture.reopen()
        // B read the queue and asks for "two": the oldest due is "one", so B gets "one".
        let first = try #require(try b.markSending(made[1], now: now))
        #expect(first.review == "one")
        #expect(try a.markSending(made[1], now: now) == nil, "the destination is held by B")
        #expect(try a.markSending(made[2], now: now) == nil)
        try done(first, on: b)
        let second = try #require(try a.markSending(made[2], now: now))
        #expect(second.review == "two")
        try done(second, on: a)
        #expect(try b.markSending(made[2], now: now)?.review == "three")
        #expect(try fixture.store.deliveries().map(\.attempts) == [1, 1, 1])
    }

    /// Another destination, or the same destination of another site, is not held.
    @Test func destinationsAndSitesAreClaimedApart() throws {
        let fixture = try F(.postgresql), other = try F(.postgresql)
        let masto = try makeThree(fixture), hook = try makeThree(fixture, destination: "hook"), elsewhere = try makeThree(other)
        #expect(try fixture.store.markSending(masto[0], now: now) != nil)
        #expect(try fixture.reopen().markSending(hook[0], now: now) != nil)
        #expect(try other.store.markSending(elsewhere[0], now: now) != nil)
        #expect(try other.store.deliveries().count == 3 && fixture.store.deliveries().count == 6)
    }

    /// The lease is renewed while the request is open: long after its duration, no other
    /// worker settles the delivery, and the outcome is written.
    @Test func aLeaseIsRenewedWhileTheRequestIsOpen() async throws {
        let fixture = try F(.postgresql, leaseDuration: 1)
        let made = try makeThree(fixture)
        let a = try fixture.reopen()
        let sending = try #require(try a.markSending(made[0], now: now))
        try await Task.sleep(for: .seconds(2.5))
        #expect(try fixture.store.recoverInterrupted(now: now).isEmpty)
        #expect(try fixture.store.markSending(made[1], now: now) == nil)
        try done(sending, on: a)
        #expect(try fixture.store.deliveries().map(\.state) == [.posted, .pending, .pending])
    }

    /// A worker stalled past its lease: another settles its delivery `unknown`, and the
    /// stalled worker's late outcome is not written (LeaseLost).
    @Test func anOutcomeAfterTheLeaseWasLostIsNotWritten() async throws {
        let fixture = try F(.postgresql, leaseDuration: 0.5)
        let made = try makeThree(fixture)
        let a = try #require(try fixture.reopen() as? PostgresLedger)
        let sending = try #require(try a.markSending(made[0], now: now))
        a.stallLeases()
        try await Task.sleep(for: .seconds(0.8))
        #expect(try fixture.store.recoverInterrupted(now: now).map(\.review) == ["one"])
        #expect(throws: LeaseLost.self) { try done(sending, on: a) }
        #expect(try fixture.store.deliveries().map(\.state) == [.unknown, .pending, .pending])
        #expect(try fixture.store.attempts(of: made[0].id!).map(\.errorClass) == ["interrupted"])
    }

    /// A wait a destination asked for, learnt by one worker, holds every worker until it ends.
    @Test func aRateLimitWaitHoldsEveryWorker() throws {
        let fixture = try F(.postgresql)
        let made = try makeThree(fixture), hook = try makeThree(fixture, destination: "hook")
        try fixture.reopen().holdDestination("masto", until: now.addingTimeInterval(60))
        let b = try fixture.reopen()
        #expect(try b.markSending(made[0], now: now.addingTimeInterval(59)) == nil)
        #expect(try b.markSending(hook[0], now: now) != nil, "another destination is not held")
        #expect(try b.markSending(made[0], now: now.addingTimeInterval(60))?.review == "one")
    }

    /// The backstop: whatever a worker does, the database refuses a second `sending` of one
    /// destination of one site.
    @Test func theDatabaseRefusesTwoSendingOfOneDestination() throws {
        let fixture = try F(.postgresql)
        _ = try makeThree(fixture)
        #expect(throws: PostgresServerError.self) { try fixture.rawUpdate(set: "state = 'sending'", where: "review IN ('one', 'two')") }
        try fixture.rawUpdate(set: "state = 'sending'", where: "review = 'one'")
        #expect(try fixture.store.deliveries().map(\.state) == [.sending, .pending, .pending])
    }

    /// Many workers racing for one destination's queue: each delivery sent exactly once, one
    /// at a time, in order.
    @Test func racingWorkersSendEachDeliveryOnceInOrder() async throws {
        let fixture = try F(.postgresql)
        let made = try fixture.store.insert((0..<12).map { F.delivery(String(format: "r%02d", $0), date: now.addingTimeInterval(Double($0))) })
        let log = SendLog()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                let worker = try fixture.reopen()
                group.addTask {
                    var idle = 0
                    while idle < 50 {
                        guard let sending = try worker.markSending(made[0], now: self.now) else {
                            idle += 1
                            try await Task.sleep(for: .milliseconds(5))
                            continue
                        }
                        idle = 0
                        log.events.withLock { $0.append((sending.review, true)) }
                        try await Task.sleep(for: .milliseconds(3))
                        log.events.withLock { $0.append((sending.review, false)) }
                        try self.done(sending, on: worker)
                    }
                }
            }
            try await group.waitForAll()
        }
        let events = log.events.withLock { $0 }
        #expect(events.filter(\.start).map(\.review) == made.map(\.review), "each once, in publication order")
        // Start, end, start, end: never two in flight.
        #expect(events.enumerated().allSatisfy { $0.element.start == ($0.offset % 2 == 0) })
        #expect(try fixture.store.deliveries().allSatisfy { $0.state == .posted && $0.attempts == 1 })
    }
}

/// What racing workers did, in the order they did it.
private final class SendLog: Sendable {
    let events = Mutex<[(review: String, start: Bool)]>([])
}
