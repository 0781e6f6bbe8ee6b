import Foundation
import GRDB
@testable import Posting
import SyndicateTesting
import Testing

@Suite("Ledger migrations")
struct LedgerMigrationTests {
    /// A ledger as the first release wrote it (migrations v1 and v2), with two attempts.
    func makeFirstReleaseLedger(in site: URL) throws {
        let path = site.appendingPathComponent(Ledger.relativePath)
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: path.path)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                INSERT INTO grdb_migrations VALUES ('v1: deliveries and attempts'), ('v2: change counter');
                CREATE TABLE "delivery" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "review" TEXT NOT NULL, "destination" TEXT NOT NULL,
                  "kind" TEXT NOT NULL, "series" INTEGER NOT NULL, "state" TEXT NOT NULL, "attempts" INTEGER NOT NULL,
                  "idempotency_key" TEXT NOT NULL, "payload" BLOB, "review_date" DOUBLE NOT NULL, "next_attempt_at" DOUBLE,
                  "last_error" TEXT, "remote_id" TEXT, "remote_url" TEXT, "content_hash" TEXT NOT NULL, "created_at" DOUBLE NOT NULL,
                  "updated_at" DOUBLE NOT NULL, "posted_at" DOUBLE, UNIQUE ("review", "destination", "series"));
                CREATE INDEX "delivery_by_destination" ON "delivery"("destination", "review");
                CREATE INDEX "delivery_by_state" ON "delivery"("state");
                CREATE TABLE "attempt" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "delivery_id" INTEGER NOT NULL
                  REFERENCES "delivery"("id") ON DELETE CASCADE, "started_at" DOUBLE NOT NULL, "duration_ms" INTEGER NOT NULL,
                  "http_status" INTEGER, "error_class" TEXT, "message" TEXT);
                CREATE INDEX "attempt_by_delivery" ON "attempt"("delivery_id");
                CREATE TABLE "meta" ("key" TEXT PRIMARY KEY NOT NULL, "value" INTEGER NOT NULL);
                INSERT INTO meta VALUES ('version', 7);
                INSERT INTO delivery VALUES (1, 'a-film', 'masto', 'mastodon', 0, 'retrying', 2, 'key-1', X'7B7D', 1000, 2000,
                  'HTTP 503', NULL, NULL, 'hash', 900, 1500, NULL);
                INSERT INTO attempt VALUES (4, 1, 1000, 50, 503, 'retryable', 'HTTP 503');
                INSERT INTO attempt VALUES (9, 1, 1400, 60, 503, 'retryable', 'HTTP 503 again');
                """)
        }
    }

    @Test func attemptsKeepTheirOrderAndNewOnesFollow() throws {
        let site = try TemporarySite.posting(reviews: 1, destinations: "", credentials: "")
        try makeFirstReleaseLedger(in: site.directory)
        let ledger = try Ledger(siteDirectory: site.directory)
        let before = try ledger.attempts(of: 1)
        // Numbered within their delivery, in the order they were made (ids 4 and 9 before).
        #expect(before.map(\.id) == [1, 2])
        #expect(before.map(\.message) == ["HTTP 503", "HTTP 503 again"])
        #expect(before.map(\.startedAt.timeIntervalSince1970) == [1000, 1400])
        #expect(try ledger.version() == 7)

        var delivery = try #require(try ledger.deliveries().first)
        delivery.state = .posted
        try ledger.record(delivery, attempt: Attempt(deliveryID: 1, startedAt: Date(timeIntervalSince1970: 2000), durationMs: 40,
                                                     httpStatus: 200, errorClass: "posted", message: nil))
        #expect(try ledger.attempts(of: 1).map(\.id) == [1, 2, 3])

        let queue = try DatabaseQueue(path: site.directory.appendingPathComponent(Ledger.relativePath).path)
        let schema = try queue.read { db in try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'attempt'") }
        #expect(schema?.contains("AUTOINCREMENT") == false)
        #expect(schema?.contains("WITHOUT ROWID") == true)
        let indexes = try queue.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE tbl_name = 'attempt' AND type = 'index'") }
        #expect(indexes.isEmpty)
        let sequence = try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_sequence WHERE name = 'attempt'") }
        #expect(sequence == 0)
    }

    /// A deleted delivery takes its attempts along (SQLite's schema; the numbering itself is
    /// tested on both stores, LedgerStoreSuite).
    @Test func aDeletedDeliveryTakesItsAttemptsAlong() throws {
        let site = try TemporarySite.posting(reviews: 1, destinations: "", credentials: "")
        let ledger = try Ledger(siteDirectory: site.directory)
        let now = Date(timeIntervalSince1970: 5000)
        let made = try ledger.insert(["a", "b"].map {
            Delivery(review: $0, destination: "masto", kind: "mastodon", series: 0, idempotencyKey: "key-\($0)", payload: nil,
                     reviewDate: now, contentHash: "hash", now: now)
        })
        for delivery in [made[0], made[1], made[0]] {
            try ledger.record(delivery, attempt: Attempt(deliveryID: delivery.id!, startedAt: now, durationMs: 10, httpStatus: 503,
                                                         errorClass: "retryable", message: nil))
        }
        let queue = try DatabaseQueue(path: site.directory.appendingPathComponent(Ledger.relativePath).path)
        try queue.write { db in try db.execute(sql: "DELETE FROM delivery WHERE id = ?", arguments: [made[0].id!]) }
        #expect(try ledger.attempts(of: made[0].id!).isEmpty)
        #expect(try ledger.attempts(of: made[1].id!).count == 1)
    }

    @Test func aLedgerIsInWALModeNewOrReopened() throws {
        let site = try TemporarySite.posting(reviews: 1, destinations: "", credentials: "")
        let path = site.directory.appendingPathComponent(Ledger.relativePath).path
        func journalMode() throws -> String? {
            try DatabaseQueue(path: path).read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        }
        do { _ = try Ledger(siteDirectory: site.directory) }
        #expect(try journalMode() == "wal")
        // Reopened after a clean close (no -wal file left), it still writes.
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        let ledger = try Ledger(siteDirectory: site.directory)
        try ledger.insert([Delivery(review: "a", destination: "d", kind: "webhook", series: 0, idempotencyKey: "k", payload: nil,
                                    reviewDate: Date(timeIntervalSince1970: 0), contentHash: "h", now: Date(timeIntervalSince1970: 0))])
        #expect(try ledger.deliveries().count == 1)
        #expect(try journalMode() == "wal")
    }
}
