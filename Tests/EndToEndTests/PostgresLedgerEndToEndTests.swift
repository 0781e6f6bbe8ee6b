import Foundation
import Synchronization
import SyndicateTesting
import Testing

private let hookSecret = "whsec-PG-4242-secret"
private let baseEnv = ["NO_COLOR": "1", "SYNDICATE_NOW": "2025-11-24T16:00:00Z"]

private func hookSite(_ server: FakeServer, reviews: Int) throws -> TemporarySite {
    try TemporarySite.posting(reviews: reviews, destinations: """
    [[destination]]
    name = "hook"
    kind = "webhook"
    format = "json"
    """, credentials: "[hook]\nurl = \"\(server.baseURL)/hooks/\(hookSecret)\"\n")
}

/// The real binary on the PostgreSQL ledger: moving a site with `ledger copy`, `ledger
/// migrate`, several `post` at once, and the password kept out of every output.
@Suite("The PostgreSQL ledger, end to end", .serialized)
struct PostgresLedgerEndToEndTests {
    let binary = syndicateBinary()

    /// A site posted from SQLite, copied, then posting on PostgreSQL sends nothing again (only
    /// what is new); a second copy is refused and changes nothing.
    @Test func copyThenPostSendsNothingAgain() throws {
        let server = try FakeServer(responses: [.json(200, "{\"id\":\"1\",\"url\":\"https://hook.test/1\"}")])
        let site = try hookSite(server, reviews: 2)
        let postgres = try PostgresServer.shared()
        let url = postgres.url(database: try postgres.makeDatabase())
        let withPassword = baseEnv.merging(["SYNDICATE_LEDGER_PASSWORD": PostgresServer.password]) { $1 }
        let onPostgres = withPassword.merging(["SYNDICATE_LEDGER_URL": url]) { $1 }
        var outputs: [String] = []
        func syndicate(_ arguments: [String], _ environment: [String: String]) throws -> ProcessResult {
            let result = try runBounded(arguments + ["--site", site.directory.path], seconds: 60, environment: environment)
            outputs += [result.stdout, result.stderr]
            return result
        }

        #expect(try syndicate(["post"], baseEnv).status == 0)
        #expect(server.requests.count == 2)
        let copy = try syndicate(["ledger", "copy", "--to", url], withPassword)
        #expect(copy.status == 0, "\(copy.stderr)")
        #expect(copy.stderr.contains("copied 2 deliveries of https://reviews.test"))
        let again = try syndicate(["ledger", "copy", "--to", url], withPassword)
        #expect(again.status == 1 && again.stderr.contains("already has a ledger for site https://reviews.test"))

        let post = try syndicate(["post"], onPostgres)
        #expect(post.status == 0, "\(post.stderr)")
        #expect(server.requests.count == 2, "nothing is posted again")
        let status = try syndicate(["status", "--json"], onPostgres)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["state"] as? String } == ["posted", "posted"])
        #expect(rows.map { $0["attempts"] as? Int } == [1, 1])
        #expect(rows.map { $0["remote_url"] as? String } == ["https://hook.test/1", "https://hook.test/1"])

        try site.review("r0100.md", "title: \"New film\"\ndate: 2025-11-01T00:00:00Z\nyear: 2025\nrating: 4\nsummary: \"New.\"")
        let next = try syndicate(["post"], onPostgres)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(server.requests.count == 3, "only the new review")
        #expect(outputs.allSatisfy { !$0.contains(PostgresServer.password) })
    }

    /// Several `post` processes at once on one site: each review sent once, no two requests
    /// to the destination in flight together, in publication order.
    @Test func severalPostsAtOnceShareTheWork() throws {
        let meter = InFlightMeter()
        let server = try FakeServer { _, _ in
            meter.enter()
            usleep(30_000)
            meter.leave()
            return .json(200, "{\"id\":\"1\"}")
        }
        let site = try hookSite(server, reviews: 12)
        let postgres = try PostgresServer.shared()
        let environment = baseEnv.merging(["SYNDICATE_LEDGER_URL": postgres.url(database: try postgres.makeDatabase()),
                                           "SYNDICATE_LEDGER_PASSWORD": PostgresServer.password]) { $1 }
        let migrate = try runBounded(["ledger", "migrate", "--site", site.directory.path], environment: environment)
        #expect(migrate.status == 0, "\(migrate.stderr)")
        let results = ResultsBox()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            if let result = try? runBounded(["post", "--site", site.directory.path], seconds: 90, environment: environment) {
                results.all.withLock { $0.append(result) }
            }
        }
        // Until settled: a worker that found the destination busy left its work to the next run.
        for _ in 0..<5 { _ = try runBounded(["post", "--site", site.directory.path], seconds: 90, environment: environment) }
        let all = results.all.withLock { $0 }
        #expect(all.count == 4 && all.allSatisfy { $0.status == 0 }, "\(all.map(\.stderr))")
        let bodies = server.requests.map { String(decoding: $0.body, as: UTF8.self) }
        #expect(bodies.count == 12, "each review once")
        let films = bodies.compactMap { body in body.range(of: "Film [0-9]+", options: .regularExpression).map { Int(body[$0].dropFirst(5))! } }
        #expect(films == Array(0..<12), "in publication order")
        #expect(meter.most.withLock { $0 } == 1, "one request at a time to the destination")
        #expect(all.allSatisfy { !$0.stdout.contains(PostgresServer.password) && !$0.stderr.contains(PostgresServer.password) })
    }

    /// A password in the URL is refused before anything connects, and not repeated.
    @Test func aPasswordInTheURLIsAConfigError() throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try hookSite(server, reviews: 1)
        let result = try runBounded(["status", "--site", site.directory.path],
                                    environment: baseEnv.merging(["SYNDICATE_LEDGER_URL": "postgresql://u:hunter2-secret@127.0.0.1:1/x"]) { $1 })
        #expect(result.status == 2)
        #expect(result.stderr.contains("must not contain a password"))
        #expect(!result.stderr.contains("hunter2-secret") && !result.stdout.contains("hunter2-secret"))
    }
}

/// How many requests the fake had open at once, at most.
private final class InFlightMeter: Sendable {
    let now = Mutex(0), most = Mutex(0)
    func enter() {
        let open = now.withLock { $0 += 1; return $0 }
        most.withLock { $0 = max($0, open) }
    }
    func leave() { now.withLock { $0 -= 1 } }
}

private final class ResultsBox: Sendable {
    let all = Mutex<[ProcessResult]>([])
}
