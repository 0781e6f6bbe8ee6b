import Destinations
import Foundation
import Posting
import PostgresLedger
import SyndicateTesting
import Testing

/// The dispatch loop on the PostgreSQL store: what only a shared ledger does differently.
@Suite("The posting engine on PostgreSQL")
struct PostgresPosterTests {
    let start = Date(timeIntervalSince1970: 1_764_000_000)

    /// A 429 with Retry-After holds the whole destination on its lease row: the next review
    /// is not sent before the wait ends (by this worker or any other), then both go, in order.
    @Test func aRetryAfterHoldsTheDestinationForEveryWorker() async throws {
        let server = try FakeServer(responses: [.json(429, "{\"error\":\"slow down\"}", headers: [("Retry-After", "120")]),
                                                .json(200, "{\"id\":\"1\"}")])
        let site = try TemporarySite.posting(reviews: 2, destinations: """
        [[destination]]
        name = "hook"
        kind = "webhook"
        format = "json"
        """, credentials: "[hook]\nurl = \"\(server.baseURL)/hooks/x\"\n")
        let clock = TestClock(start)
        let siteID = "https://poster-\(UUID().uuidString.lowercased()).example"
        let postgres = try PostgresServer.shared()
        func worker() throws -> PostingSession {
            var session = try PostingSession.open(siteDirectory: site.directory, clock: { clock.now })
            session.ledger = try PostgresLedger(url: postgres.url(), password: PostgresServer.password, site: siteID)
            return session
        }
        let a = try worker()
        let first = try await a.poster.post(index: try await a.readReviews())
        #expect(first.count(.retrying) == 1 && server.requests.count == 1, "r0001 waits for the destination")

        clock.advance(60)
        let b = try worker()
        _ = try await b.poster.post(index: try await b.readReviews())
        #expect(server.requests.count == 1, "another worker honours the wait too")

        clock.advance(61)
        _ = try await b.poster.post(index: try await b.readReviews())
        #expect(server.requests.count == 3)
        let slugs = server.requests.map { ($0.json?["review"] as? [String: Any])?["slug"] as? String }
        #expect(slugs == ["r0000", "r0000", "r0001"], "in publication order")
        #expect(try b.ledger.deliveries().allSatisfy { $0.state == .posted })
    }
}
