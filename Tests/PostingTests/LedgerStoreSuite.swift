import Foundation
import Posting
import SyndicateTesting
import Testing

/// Every ledger operation, run on both stores (SQLite and PostgreSQL): what commands and the
/// dispatch loop rely on holds whichever store keeps the ledger. Claims across workers, which
/// only a shared store has, are in PostgresClaimTests.
@Suite("Ledger stores")
struct LedgerStoreSuite {
    let now = Date(timeIntervalSince1970: 1_000_000)
    typealias F = LedgerStoreFixture

    /// Three pending deliveries on `masto`, reviews one, two, three in that order of date.
    func makeThree(_ fixture: LedgerStoreFixture) throws -> [Int64] {
        try fixture.store.insert(["one", "two", "three"].enumerated().map { i, review in
            F.delivery(review, date: now.addingTimeInterval(Double(i)))
        }).compactMap(\.id)
    }

    func delivery(_ ledger: any LedgerStore, _ id: Int64) throws -> Delivery {
        try #require(try ledger.deliveries().first { $0.id == id })
    }

    func states(_ ledger: any LedgerStore) throws -> [DeliveryState] {
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

    // MARK: Reads and inserts

    /// Every field comes back as stored (a binary payload, dates to the sub-second, flags),
    /// ordered by review date, filtered by review and destination.
    @Test(arguments: StoreKind.allCases) func insertedDeliveriesReadBackWhole(_ kind: StoreKind) throws {
        let fixture = try F(kind)
        var odd = F.delivery("b", destination: "webhook", date: now.addingTimeInterval(0.25), payload: Data([0, 1, 0xff, 0x5c, 0x78, 10]))
        odd.nextAttemptAt = now.addingTimeInterval(60.5)
        odd.lastError = "it's \"quoted\"\n"
        odd.remoteID = "r"
        odd.remoteURL = "https://x.example/1"
        odd.adopted = true
        let made = try fixture.store.insert([F.delivery("c", date: now.addingTimeInterval(5)), odd, F.delivery("a", date: now)])
        #expect(made.allSatisfy { $0.id != nil })
        let read = try fixture.reopen().deliveries()
        #expect(read.map(\.review) == ["a", "b", "c"])
        #expect(read[1] == made[1])
        #expect(try fixture.store.deliveries(reviews: ["a", "c"]).map(\.review) == ["a", "c"])
        #expect(try fixture.store.deliveries(destinations: ["webhook"]).map(\.review) == ["b"])
        #expect(try fixture.store.deliveries(reviews: ["a"], destinations: ["webhook"]).isEmpty)
        #expect(try fixture.store.reviews(named: "slug-b") == ["b"])
        #expect(try fixture.store.reviews(named: "c") == ["c"])
        #expect(try fixture.store.reviews(named: "nothing").isEmpty)
    }

    /// Only series 0 counts as "has a delivery"; the next series follows the highest.
    @Test(arguments: StoreKind.allCases) func reviewsWithDeliveryAndNextSeries(_ kind: StoreKind) throws {
        let fixture = try F(kind)
        try fixture.store.insert([F.delivery("a", date: now), F.delivery("b", series: 1, date: now),
                                  F.delivery("a", destination: "hook", date: now), F.delivery("a", series: 3, date: now)])
        let has = try fixture.store.reviewsWithDelivery(destinations: ["masto", "hook", "other"])
        #expect(has["masto"] == ["a"] && has["hook"] == ["a"] && has["other"] == nil)
        #expect(try fixture.store.nextSeries(review: "a", destination: "masto") == 4)
        #expect(try fixture.store.nextSeries(review: "b", destination: "masto") == 2)
        #expect(try fixture.store.nextSeries(review: "z", destination: "masto") == 0)
    }

    /// Pending and due retries, oldest review first; a retry not due yet waits, and is the
    /// next retry.
    @Test(arguments: StoreKind.allCases) func dueAndNextRetry(_ kind: StoreKind) throws {
        let fixture = try F(kind)
        let ids = try makeThree(fixture)
        #expect(try fixture.store.nextRetry(destinations: ["masto"]) == nil)
        _ = try fixture.store.update(where: { $0.id == ids[0] }) { $0.state = .retrying; $0.nextAttemptAt = self.now.addingTimeInterval(100) }
        _ = try fixture.store.update(where: { $0.id == ids[1] }) { $0.state = .retrying; $0.nextAttemptAt = self.now.addingTimeInterval(10) }
        #expect(try fixture.store.due(at: now, destinations: ["masto"]).map(\.review) == ["three"])
        #expect(try fixture.store.due(at: now.addingTimeInterval(10), destinations: ["masto"]).map(\.review) == ["two", "three"])
        #expect(try fixture.store.due(at: now, destinations: ["other"]).isEmpty)
        #expect(try fixture.store.nextRetry(destinations: ["masto"]) == now.addingTimeInterval(10))
    }

    /// A state this version does not know is named, counted, and reads as `unknown`.
    @Test(arguments: StoreKind.allCases) func unrecognizedStatesAreCountedAndReadAsUnknown(_ kind: StoreKind) throws {
        let fixture = try F(kind)
        _ = try makeThree(fixture)
        #expect(try fixture.store.unrecognizedStates().isEmpty)
        try fixture.rawUpdate(set: "state = 'frozen'", where: "review IN ('one', 'two')")
        let found = try fixture.store.unrecognizedStates()
        #expect(found.map(\.state) == ["frozen"] && found.map(\.count) == [2])
        #expect(try states(fixture.store) == [.unknown, .unknown, .pending])
    }

    // MARK: The two transactions of a send

    /// `sending` is committed on its own before the request leaves, and the outcome on its
    /// own after: another connection in between sees the delivery `sending`.
    @Test(arguments: StoreKind.allCases) func sendingThenOutcomeEachCommitted(_ kind: StoreKind) throws {
        let fixture = try F(kind)
        let ids = try makeThree(fixture)
        let ledger = fixture.store
        let first = try #require(try ledger.markSending(try delivery(ledger, ids[0]), now: now))
        #expect(first.id == ids[0] && first.state == .sending && first.attempts == 1)
        let reader = try fixture.reopen()
        #expect(try states(reader) == [.sending, .pending, .pending])

        let (outcome, attempt) = posted(first)
        try ledger.record(outcome, attempt: attempt)
        let stored = try reader.deliveries().sorted { $0.id! < $1.id! }
        #expect(stored.map(\.state) == [.posted, .pending, .pending])
        #expect(stored[0].remoteID == "remote-one" && stored[0].postedAt == now && stored[0].attempts == 1)
        #expect(try reader.attempts(of: ids[0]).map(\.httpStatus) == [200])
    }

    @Test(arguments: StoreKind.allCases) func aSettledDeliveryIsNotMarkedSending(_ kind: StoreKind) throws {
        let fixture = try F(kind)
        let ids = try makeThree(fixture)
        let ledger = fixture.store
        // Another command settled every delivery after this run read them.
        let read = try delivery(ledger, ids[1])
        _ = try fixture.reopen().update(where: { _ in true }) { $0.state = .posted }
        #expect(try ledger.markSending(read, now: now) == nil)
        #expect(try states(ledger) == [.posted, .posted, .posted])
        #expect(try delivery(ledger, ids[1]).attempts == 0)
    }

    /// An outcome that cannot be stored leaves the delivery `sending` (committed before the
    /// request left) and no transaction open: once the database works again, it is stored.
    @Test(arguments: StoreKind.allCases) func aFailingOutcomeRollsBackAndLeavesTheSendingMark(_ kind: StoreKind) throws {
        let fixture = try F(kind)
        let ids = try makeThree(fixture)
        let ledger = fixture.store
        let first = try #require(try ledger.markSending(try delivery(ledger, ids[0]), now: now))
        try fixture.refuseAttempts(true)
        let (outcome, attempt) = posted(first)
        let failure = #expect(throws: (any Error).self) { try ledger.record(outcome, attempt: attempt) }
        #expect("\(failure.map { $0 } as Any)".contains("attempt refused"))
        #expect(try states(ledger) == [.sending, .pending, .pending])
        #expect(try ledger.attempts(of: ids[0]).isEmpty)

        try fixture.refuseAttempts(false)
        try ledger.record(outcome, attempt: attempt)
        #expect(try ledger.markSending(try delivery(ledger, ids[1]), now: now)?.state == .sending)
        #expect(try states(ledger) == [.posted, .sending, .pending])
    }

    @Test(arguments: StoreKind.allCases) func theCounterMovesOnEveryWrite(_ kind: StoreKind) throws {
        let fixture = try F(kind)
        let ids = try makeThree(fixture)
        let ledger = fixture.store
        let start = try ledger.version()
        let first = try #require(try ledger.markSending(try delivery(ledger, ids[0]), now: now))
        #expect(try ledger.version() == start + 1)
        let (outcome, attempt) = posted(first)
        try ledger.record(outcome, attempt: attempt)
        #expect(try ledger.version() == start + 2)
        _ = try ledger.update(where: { $0.id == ids[2] }) { $0.state = .dead }
        #expect(try fixture.reopen().version() == start + 3)
        // A read does not move it.
        _ = try ledger.due(at: now, destinations: ["masto"])
        #expect(try ledger.version() == start + 3)
    }

    /// Each delivery numbers its own attempts, in the order they were made.
    @Test(arguments: StoreKind.allCases) func attemptsAreNumberedPerDelivery(_ kind: StoreKind) throws {
        let fixture = try F(kind)
        let made = try fixture.store.insert(["a", "b"].map { F.delivery($0, date: now) })
        for (index, delivery) in [made[0], made[1], made[0]].enumerated() {
            var delivery = delivery
            delivery.state = .retrying
            try fixture.store.record(delivery, attempt: Attempt(deliveryID: delivery.id!, startedAt: now.addingTimeInterval(Double(index)),
                                                                durationMs: 10, httpStatus: 503, errorClass: "retryable", message: "busy"))
        }
        let attempts = try fixture.reopen().attempts(of: made[0].id!)
        #expect(attempts.map(\.id) == [1, 2])
        #expect(attempts.map(\.startedAt) == [now, now.addingTimeInterval(2)])
        #expect(attempts.map(\.message) == ["busy", "busy"] && attempts.map(\.durationMs) == [10, 10])
        #expect(try fixture.store.attempts(of: made[1].id!).map(\.id) == [1])
    }

    /// A checkpoint is kept per delivery, is a write the idle marker sees, and survives the
    /// outcome being recorded.
    @Test(arguments: StoreKind.allCases) func aCheckpointIsKeptPerDeliveryAndSurvivesStateChanges(_ kind: StoreKind) throws {
        let fixture = try F(kind)
        let ledger = fixture.store
        let made = try ledger.insert([F.delivery("a", date: now), F.delivery("b", date: now)])
        let first = try #require(made[0].id), second = try #require(made[1].id)
        #expect(try ledger.checkpoint(of: first) == nil)
        let before = try ledger.version()
        try ledger.saveCheckpoint("mastodon-media:42", for: first)
        #expect(try ledger.version() > before, "a checkpoint is a write the idle marker sees")
        var sending = try #require(try ledger.markSending(made[0], now: now))
        sending.state = .retrying
        try ledger.record(sending, attempt: nil)
        #expect(try fixture.reopen().checkpoint(of: first) == "mastodon-media:42")
        #expect(try ledger.checkpoint(of: second) == nil)
    }

    /// A request that got no answer counts until it is resolved by hand.
    @Test(arguments: StoreKind.allCases) func hadNoAnswerUntilResolved(_ kind: StoreKind) throws {
        let fixture = try F(kind)
        let made = try fixture.store.insert([F.delivery("a", date: now)])
        let id = try #require(made[0].id)
        #expect(try fixture.store.hadNoAnswer(id) == false)
        var delivery = made[0]
        delivery.state = .unknown
        try fixture.store.record(delivery, attempt: Attempt(deliveryID: id, startedAt: now, durationMs: 1, httpStatus: nil,
                                                            errorClass: "no_answer", message: "timeout"))
        #expect(try fixture.store.hadNoAnswer(id))
        delivery.state = .posted
        try fixture.store.record(delivery, attempt: Attempt(deliveryID: id, startedAt: now, durationMs: 0, httpStatus: nil,
                                                            errorClass: "resolved", message: nil))
        #expect(try fixture.store.hadNoAnswer(id) == false)
    }

    // MARK: Recovery

    /// A delivery a dead run left `sending` becomes `unknown`, with an `interrupted` attempt,
    /// once no live worker can still be waiting for its answer.
    @Test(arguments: StoreKind.allCases) func aDeadRunsSendingBecomesUnknown(_ kind: StoreKind) async throws {
        let fixture = try F(kind, leaseDuration: 1)
        let ids = try makeThree(fixture)
        let worker = try fixture.reopen()
        _ = try #require(try worker.markSending(try delivery(worker, ids[0]), now: now))
        try await fixture.crash(worker)
        let recovered = try fixture.store.recoverInterrupted(now: now)
        #expect(recovered.map(\.id) == [ids[0]] && recovered.map(\.state) == [.unknown])
        #expect(try states(fixture.store) == [.unknown, .pending, .pending])
        #expect(try fixture.store.attempts(of: ids[0]).map(\.errorClass) == ["interrupted"])
        #expect(try fixture.store.hadNoAnswer(ids[0]))
        #expect(try fixture.store.recoverInterrupted(now: now).isEmpty)
        // The destination is free again.
        #expect(try fixture.store.markSending(try delivery(fixture.store, ids[1]), now: now)?.id == ids[1])
    }

    // MARK: Commands' writes

    /// First-run adoption: posted without sending, 0 attempts, adopted; destinations met even
    /// with nothing to adopt; a review with a delivery keeps it.
    @Test(arguments: StoreKind.allCases) func adoptionRecordsPostedAndMeetsDestinations(_ kind: StoreKind) throws {
        let fixture = try F(kind)
        try fixture.store.insert([F.delivery("a", date: now)])
        #expect(try fixture.store.metDestinations(["masto", "hook", "empty"]) == ["masto"])
        let reviews = [(id: "a", slug: "slug-a", date: now, contentHash: "h"), (id: "b", slug: "slug-b", date: now, contentHash: "h")]
        let count = try fixture.store.adopt(reviews: reviews, destinations: [("masto", "mastodon"), ("hook", "webhook")], now: now)
        #expect(count == 3)
        #expect(try fixture.store.adopt(reviews: [], destinations: [("empty", "webhook")], now: now) == 0)
        #expect(try fixture.reopen().metDestinations(["masto", "hook", "empty", "never"]) == ["masto", "hook", "empty"])
        let adopted = try fixture.store.deliveries().filter(\.adopted)
        #expect(adopted.count == 3 && adopted.allSatisfy { $0.state == .posted && $0.attempts == 0 && $0.remoteURL == nil && $0.postedAt == now })
        #expect(try fixture.store.deliveries(reviews: ["a"], destinations: ["masto"]).map(\.state) == [.pending])
    }

    /// `mark-posted` settles an unposted delivery or makes a posted one; a posted one is not changed.
    @Test(arguments: StoreKind.allCases) func markPostedSettlesOrCreates(_ kind: StoreKind) throws {
        let fixture = try F(kind)
        try fixture.store.insert([F.delivery("a", date: now), F.delivery("p", date: now)])
        _ = try fixture.store.update(where: { $0.review == "p" }) { $0.state = .posted }
        let reviews = [("a", "slug-a", now, "h"), ("n", "slug-n", now, "h"), ("p", "slug-p", now, "h")].map {
            (id: $0.0, slug: $0.1, date: $0.2, contentHash: $0.3)
        }
        #expect(try fixture.store.markPosted(reviews: reviews, destinations: [("masto", "mastodon")], now: now) == 2)
        let all = try fixture.store.deliveries()
        #expect(all.count == 3 && all.allSatisfy { $0.state == .posted })
        #expect(all.first { $0.review == "n" }?.lastError == "marked as posted by hand")
        #expect(all.first { $0.review == "p" }?.lastError == nil)
    }

    /// `retry`, `resolve`: a change to the matching deliveries, in one transaction.
    @Test(arguments: StoreKind.allCases) func updateChangesOnlyTheMatchingDeliveries(_ kind: StoreKind) throws {
        let fixture = try F(kind)
        _ = try makeThree(fixture)
        let changed = try fixture.store.update(where: { $0.review != "two" }) { d in
            d.state = .dead
            d.lastError = "gave up"
            d.attempts = 8
        }
        #expect(changed.map(\.review).sorted() == ["one", "three"])
        let read = try fixture.reopen().deliveries()
        #expect(read.map(\.state) == [.dead, .pending, .dead] && read.map(\.attempts) == [8, 0, 8])
    }

    /// Settling a delivery without sending (no payload, a key too old) is recorded.
    @Test(arguments: StoreKind.allCases) func aDeliverySettledWithoutSendingIsRecorded(_ kind: StoreKind) throws {
        let fixture = try F(kind)
        let ids = try makeThree(fixture)
        var settled = try delivery(fixture.store, ids[2])
        settled.state = .unknown
        settled.lastError = "no answer earlier"
        try fixture.store.record(settled, attempt: nil)
        #expect(try delivery(fixture.reopen(), ids[2]).lastError == "no answer earlier")
        #expect(try fixture.store.attempts(of: ids[2]).isEmpty)
    }
}
