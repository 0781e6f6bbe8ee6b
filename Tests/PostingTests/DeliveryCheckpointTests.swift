import Foundation
@testable import Posting
import SyndicateTesting
import Testing

/// The ledger's delivery checkpoint (migration "v6: delivery checkpoint"): what an adapter
/// did within a delivery, kept for its next attempt.
@Suite("Delivery checkpoint")
struct DeliveryCheckpointTests {
    @Test func aCheckpointIsKeptPerDeliveryAndSurvivesStateChanges() throws {
        let site = try TemporarySite.posting(reviews: 0, destinations: "", credentials: "")
        let ledger = try Ledger(siteDirectory: site.directory)
        let now = Date(timeIntervalSince1970: 1_750_000_000)
        let made = try ledger.insert([
            Delivery(review: "a", destination: "masto", kind: "mastodon", series: 0, idempotencyKey: "k1", payload: Data("{}".utf8),
                     reviewDate: now, contentHash: "h", now: now),
            Delivery(review: "b", destination: "masto", kind: "mastodon", series: 0, idempotencyKey: "k2", payload: Data("{}".utf8),
                     reviewDate: now, contentHash: "h", now: now),
        ])
        let first = try #require(made[0].id), second = try #require(made[1].id)
        #expect(try ledger.checkpoint(of: first) == nil)
        let before = try ledger.version()
        try ledger.saveCheckpoint("mastodon-media:42", for: first)
        #expect(try ledger.version() > before, "a checkpoint is a write the idle marker sees")
        // Recording the attempt's outcome leaves the checkpoint alone.
        var sending = try #require(try ledger.markSending(made[0], now: now))
        sending.state = .retrying
        try ledger.record(sending, attempt: nil)
        #expect(try Ledger(siteDirectory: site.directory).checkpoint(of: first) == "mastodon-media:42")
        #expect(try ledger.checkpoint(of: second) == nil)
    }
}
