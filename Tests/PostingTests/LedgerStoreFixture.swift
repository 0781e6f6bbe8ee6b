import Foundation
import GRDB
import Posting
@testable import PostgresLedger
import SyndicateTesting
import Testing

/// The two ledger stores the shared suite (LedgerStoreSuite) runs against: every ledger
/// operation is tested once, on both.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgresql
    var testDescription: String { rawValue }
}

/// One site's ledger in one store, and what a test needs around it: another connection (as
/// another process would open), raw SQL to break or age things, a simulated crash.
struct LedgerStoreFixture {
    let kind: StoreKind
    let site: TemporarySite
    /// The site's key in the shared PostgreSQL database: unique per test, so tests share one
    /// database as many sites do.
    let siteID: String
    let store: any LedgerStore
    let leaseDuration: Double

    init(_ kind: StoreKind, leaseDuration: Double = 30) throws {
        self.kind = kind
        self.leaseDuration = leaseDuration
        site = try TemporarySite.posting(reviews: 0, destinations: "", credentials: "")
        siteID = "https://site-\(UUID().uuidString.lowercased()).example"
        switch kind {
        case .sqlite: store = try Ledger(siteDirectory: site.directory)
        case .postgresql:
            let server = try PostgresServer.shared()
            store = try PostgresLedger(url: server.url(), password: PostgresServer.password, site: siteID, leaseDuration: leaseDuration)
        }
    }

    /// The same ledger through a new connection (another command, another worker).
    func reopen(leaseDuration: Double? = nil) throws -> any LedgerStore {
        switch kind {
        case .sqlite: return try Ledger(siteDirectory: site.directory)
        case .postgresql:
            return try PostgresLedger(url: try PostgresServer.shared().url(), password: PostgresServer.password, site: siteID,
                                      leaseDuration: leaseDuration ?? self.leaseDuration)
        }
    }

    /// `UPDATE delivery SET <set> WHERE <condition>`, on this site's rows only.
    func rawUpdate(set: String, where condition: String) throws {
        switch kind {
        case .sqlite:
            let queue = try DatabaseQueue(path: site.directory.appendingPathComponent(Ledger.relativePath).path)
            try queue.write { db in try db.execute(sql: "UPDATE delivery SET \(set) WHERE \(condition)") }
        case .postgresql:
            try PostgresServer.shared().psql("UPDATE delivery SET \(set) WHERE site = '\(siteID)' AND (\(condition))",
                                             database: PostgresServer.database)
        }
    }

    /// Makes every new attempt row fail (or, with false, work again), as a full disk or a
    /// broken database would, for this site alone.
    func refuseAttempts(_ refuse: Bool) throws {
        switch kind {
        case .sqlite:
            let queue = try DatabaseQueue(path: site.directory.appendingPathComponent(Ledger.relativePath).path)
            try queue.write { db in
                try db.execute(sql: refuse ? "CREATE TRIGGER refuse BEFORE INSERT ON attempt BEGIN SELECT RAISE(ABORT, 'attempt refused'); END"
                                           : "DROP TRIGGER refuse")
            }
        case .postgresql:
            let server = try PostgresServer.shared()
            let name = "refuse_" + String(siteID.hashValue.magnitude)
            if refuse {
                try server.psql("""
                    CREATE FUNCTION \(name)() RETURNS trigger AS $$ BEGIN
                    IF EXISTS (SELECT 1 FROM delivery WHERE id = NEW.delivery_id AND site = '\(siteID)') THEN RAISE EXCEPTION 'attempt refused'; END IF;
                    RETURN NEW; END $$ LANGUAGE plpgsql;
                    CREATE TRIGGER \(name) BEFORE INSERT ON attempt FOR EACH ROW EXECUTE FUNCTION \(name)();
                    """, database: PostgresServer.database)
            } else {
                try server.psql("DROP TRIGGER \(name) ON attempt; DROP FUNCTION \(name)();", database: PostgresServer.database)
            }
        }
    }

    /// The worker that marked deliveries `sending` dies: nothing renews its leases, and they
    /// run out (PostgreSQL); SQLite has no lease, a new run finds the mark at once.
    func crash(_ worker: any LedgerStore) async throws {
        guard let worker = worker as? PostgresLedger else { return }
        worker.abandonLeases()
        try await Task.sleep(for: .seconds(leaseDuration + 0.3))
    }

    static func delivery(_ review: String, destination: String = "masto", series: Int = 0, date: Date,
                         payload: Data? = Data("{}".utf8)) -> Delivery {
        Delivery(review: review, slug: "slug-\(review)", destination: destination, kind: "mastodon", series: series,
                 idempotencyKey: "key-\(review)-\(destination)-\(series)", payload: payload, reviewDate: date, contentHash: "hash-\(review)", now: date)
    }
}
