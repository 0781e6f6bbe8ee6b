import Foundation
import GRDB

/// The delivery ledger: `.syndicate/ledger.sqlite` (SQLite in WAL mode, through GRDB).
///
/// Every state change is one transaction, so a crash leaves each delivery in a state it
/// really was in. The ledger knows nothing about HTTP or adapters.
public final class Ledger: Sendable {
    public static let relativePath = ".syndicate/ledger.sqlite"

    /// One connection, in WAL mode: other processes (`status` during a `post`) still read
    /// while this one writes, and opening one connection instead of a pool's writer and
    /// reader saves 1–2 ms of every command's start.
    private let database: DatabaseQueue

    /// Opens (creating if needed) the ledger of a site and brings its schema up to date.
    public init(siteDirectory: URL) throws {
        let url = siteDirectory.appendingPathComponent(Self.relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.journalMode = .wal
        database = try DatabaseQueue(path: url.path, configuration: configuration)
        // A read settles the usual case; migrating takes the write lock.
        if try !database.read({ try Self.migrator.hasCompletedMigrations($0) }) {
            try Self.migrator.migrate(database)
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: deliveries and attempts") { db in
            try db.create(table: "delivery") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("review", .text).notNull()
                t.column("destination", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("series", .integer).notNull()
                t.column("state", .text).notNull()
                t.column("attempts", .integer).notNull()
                t.column("idempotency_key", .text).notNull()
                t.column("payload", .blob)
                t.column("review_date", .double).notNull()
                t.column("next_attempt_at", .double)
                t.column("last_error", .text)
                t.column("remote_id", .text)
                t.column("remote_url", .text)
                t.column("content_hash", .text).notNull()
                t.column("created_at", .double).notNull()
                t.column("updated_at", .double).notNull()
                t.column("posted_at", .double)
                t.uniqueKey(["review", "destination", "series"])
            }
            try db.create(index: "delivery_by_destination", on: "delivery", columns: ["destination", "review"])
            try db.create(index: "delivery_by_state", on: "delivery", columns: ["state"])
            try db.create(table: "attempt") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("delivery_id", .integer).notNull().references("delivery", onDelete: .cascade)
                t.column("started_at", .double).notNull()
                t.column("duration_ms", .integer).notNull()
                t.column("http_status", .integer)
                t.column("error_class", .text)
                t.column("message", .text)
            }
            try db.create(index: "attempt_by_delivery", on: "attempt", columns: ["delivery_id"])
        }
        migrator.registerMigration("v2: change counter") { db in
            try db.create(table: "meta") { t in
                t.primaryKey("key", .text)
                t.column("value", .integer).notNull()
            }
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('version', 0)")
        }
        migrator.registerMigration("v3: attempt ids without AUTOINCREMENT") { db in
            // AUTOINCREMENT made every attempt rewrite sqlite_sequence too: one page more in
            // each post's transaction. Plain rowids still only grow here, since an attempt is
            // never deleted but with its delivery, and deliveries are never deleted.
            try db.create(table: "attempt_v3") { t in
                t.primaryKey("id", .integer)
                t.column("delivery_id", .integer).notNull().references("delivery", onDelete: .cascade)
                t.column("started_at", .double).notNull()
                t.column("duration_ms", .integer).notNull()
                t.column("http_status", .integer)
                t.column("error_class", .text)
                t.column("message", .text)
            }
            try db.execute(sql: """
                INSERT INTO attempt_v3 (id, delivery_id, started_at, duration_ms, http_status, error_class, message)
                SELECT id, delivery_id, started_at, duration_ms, http_status, error_class, message FROM attempt
                """)
            try db.drop(table: "attempt")
            try db.rename(table: "attempt_v3", to: "attempt")
            try db.create(index: "attempt_by_delivery", on: "attempt", columns: ["delivery_id"])
            try db.execute(sql: "DELETE FROM sqlite_sequence WHERE name = 'attempt'")
        }
        return migrator
    }

    /// Every write goes through here and bumps the change counter, which lets a cron no-op
    /// know that nothing changed since it last looked (`IdleMarker`).
    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        try database.write { db in
            // Cached: a post writes a few times per delivery, and compiling costs more than running.
            try db.cachedStatement(sql: "UPDATE meta SET value = value + 1 WHERE key = 'version'").execute()
            return try body(db)
        }
    }

    /// The change counter of a site's ledger, read without opening it for writing (so
    /// nothing is created, migrated or checkpointed); nil when there is no ledger yet.
    public static func peekVersion(siteDirectory: URL) -> Int64? {
        let path = siteDirectory.appendingPathComponent(relativePath).path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        guard let queue = try? DatabaseQueue(path: path, configuration: configuration) else { return nil }
        return try? queue.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'version'") }
    }

    /// The change counter: it moves on every write through this type.
    public func version() throws -> Int64 {
        try database.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'version'") ?? 0 }
    }

    // MARK: Reading

    /// Every delivery, optionally of one review and/or some destinations, oldest review first.
    public func deliveries(review: String? = nil, destinations: [String]? = nil) throws -> [Delivery] {
        try database.read { db in
            var request = Delivery.all()
            if let review { request = request.filter(Column("review") == review) }
            if let destinations { request = request.filter(destinations.contains(Column("destination"))) }
            return try request.order(Column("review_date"), Column("review"), Column("destination"), Column("series")).fetchAll(db)
        }
    }

    /// The slugs that already have an automatic (series 0) delivery on each destination: the
    /// cron no-op's question, answered without loading whole rows.
    public func reviewsWithDelivery(destinations: [String]) throws -> [String: Set<String>] {
        try database.read { db in
            // One row per review (not per delivery): the cron no-op reads this every tick.
            var result: [String: Set<String>] = [:]
            let wanted = Set(destinations)
            let rows = try Row.fetchCursor(db, sql: "SELECT review, group_concat(destination, char(10)) FROM delivery WHERE series = 0 GROUP BY review")
            while let row = try rows.next() {
                let review: String = row[0]
                let names: String = row[1]
                for name in names.split(separator: "\n") where wanted.contains(String(name)) {
                    result[String(name), default: []].insert(review)
                }
            }
            return result
        }
    }

    /// Deliveries that should be sent now: pending ones and retries whose time has come.
    public func due(at now: Date, destinations: [String]) throws -> [Delivery] {
        try database.read { db in
            try Delivery
                .filter(destinations.contains(Column("destination")))
                .filter(Column("state") == DeliveryState.pending.rawValue
                        || (Column("state") == DeliveryState.retrying.rawValue && Column("next_attempt_at") <= now.timeIntervalSince1970))
                .order(Column("review_date"), Column("review"), Column("series"))
                .fetchAll(db)
        }
    }

    /// The earliest scheduled retry among these destinations.
    public func nextRetry(destinations: [String]) throws -> Date? {
        try database.read { db in
            try Double.fetchOne(db, Delivery.select(min(Column("next_attempt_at")))
                .filter(Column("state") == DeliveryState.retrying.rawValue && destinations.contains(Column("destination"))))
                .map { Date(timeIntervalSince1970: $0) }
        }
    }

    public func attempts(of deliveryID: Int64) throws -> [Attempt] {
        try database.read { db in try Attempt.filter(Column("delivery_id") == deliveryID).order(Column("id")).fetchAll(db) }
    }

    // MARK: Writing

    /// Inserts new deliveries in one transaction.
    @discardableResult
    public func insert(_ deliveries: [Delivery]) throws -> [Delivery] {
        try write { db in
            try deliveries.map { delivery in
                var delivery = delivery
                try delivery.insert(db)
                return delivery
            }
        }
    }

    /// The next series number for a review on a destination (for `repost`).
    public func nextSeries(review: String, destination: String) throws -> Int {
        try database.read { db in
            let max = try Int.fetchOne(db, sql: "SELECT MAX(series) FROM delivery WHERE review = ? AND destination = ?",
                                       arguments: [review, destination])
            return (max ?? -1) + 1
        }
    }

    /// Commits `sending` before the request leaves: if the process dies now, the next run
    /// knows the request may have gone out.
    /// Returns nil, and changes nothing, when the delivery is no longer `pending` or
    /// `retrying` in the ledger: another command (`mark-posted`, `resolve`) settled it since
    /// this run read it, and it must not be sent.
    public func markSending(_ delivery: Delivery, now: Date) throws -> Delivery? {
        guard delivery.id != nil else { return nil }
        return try write { db in try Self.markSending(delivery, now: now, in: db) }
    }

    /// Stores an attempt's outcome and marks the next delivery `sending`, in one transaction:
    /// how a destination's queue moves on from one post to the next. The outcome is stored
    /// even when `next` turns out to be settled already (then nil is returned, as by
    /// `markSending`).
    public func record(_ delivery: Delivery, attempt: Attempt?, thenMarkSending next: Delivery, now: Date) throws -> Delivery? {
        try write { db in
            try Self.record(delivery, attempt: attempt, in: db)
            return try Self.markSending(next, now: now, in: db)
        }
    }

    private static func markSending(_ delivery: Delivery, now: Date, in db: Database) throws -> Delivery? {
        guard let id = delivery.id else { return nil }
        try db.cachedStatement(sql: """
            UPDATE delivery SET state = 'sending', attempts = attempts + 1, updated_at = ?
            WHERE id = ? AND state IN ('pending', 'retrying')
            """).execute(arguments: [now.timeIntervalSince1970, id])
        guard db.changesCount == 1 else { return nil }
        var sending = delivery
        sending.state = .sending
        sending.attempts += 1
        sending.updatedAt = now
        return sending
    }

    /// Whether a request of this delivery went out and got no answer (or was cut short by a
    /// crash) since it was last settled by hand: such a delivery may only be resent while the
    /// destination still recognises its idempotency key.
    public func hadNoAnswer(_ deliveryID: Int64) throws -> Bool {
        try database.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM attempt WHERE delivery_id = ? AND error_class IN ('no_answer', 'interrupted')
                AND id > COALESCE((SELECT MAX(id) FROM attempt WHERE delivery_id = ? AND error_class = 'resolved'), 0))
                """, arguments: [deliveryID, deliveryID]) ?? false
        }
    }

    /// Stores a delivery's new state together with the attempt that led to it.
    public func record(_ delivery: Delivery, attempt: Attempt?) throws {
        guard delivery.id != nil else { return }
        try write { db in try Self.record(delivery, attempt: attempt, in: db) }
    }

    /// Plain SQL on the columns an attempt can change, through cached statements: this runs
    /// for every attempt.
    private static func record(_ delivery: Delivery, attempt: Attempt?, in db: Database) throws {
        guard let id = delivery.id else { return }
        try db.cachedStatement(sql: """
            UPDATE delivery SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?, remote_id = ?, remote_url = ?,
            updated_at = ?, posted_at = ? WHERE id = ?
            """).execute(arguments: [delivery.state.rawValue, delivery.attempts, delivery.nextAttemptAt?.timeIntervalSince1970,
                                     delivery.lastError, delivery.remoteID, delivery.remoteURL, delivery.updatedAt.timeIntervalSince1970,
                                     delivery.postedAt?.timeIntervalSince1970, id])
        if let attempt {
            try db.cachedStatement(sql: """
                INSERT INTO attempt (delivery_id, started_at, duration_ms, http_status, error_class, message)
                VALUES (?, ?, ?, ?, ?, ?)
                """).execute(arguments: [id, attempt.startedAt.timeIntervalSince1970, attempt.durationMs, attempt.httpStatus,
                                         attempt.errorClass, attempt.message])
        }
    }

    /// Deliveries left `sending` by a run that died become `unknown` (SPEC §6).
    @discardableResult
    public func recoverInterrupted(now: Date) throws -> [Delivery] {
        // Nearly always nothing to do: a read costs less than a write transaction.
        let stuck = try database.read { db in try Delivery.filter(Column("state") == DeliveryState.sending.rawValue).fetchCount(db) }
        guard stuck > 0 else { return [] }
        return try write { db in
            let stuck = try Delivery.filter(Column("state") == DeliveryState.sending.rawValue).fetchAll(db)
            return try stuck.map { delivery in
                var delivery = delivery
                delivery.state = .unknown
                delivery.lastError = "interrupted while sending: the request may have reached the server"
                delivery.updatedAt = now
                try delivery.update(db)
                var attempt = Attempt(deliveryID: delivery.id!, startedAt: now, durationMs: 0, httpStatus: nil,
                                      errorClass: "interrupted", message: delivery.lastError)
                try attempt.insert(db)
                return delivery
            }
        }
    }

    /// Applies `change` to every delivery matching `filter`, in one transaction.
    public func update(where filter: @escaping @Sendable (Delivery) -> Bool, _ change: @escaping @Sendable (inout Delivery) -> Void) throws -> [Delivery] {
        try write { db in
            try Delivery.fetchAll(db).filter(filter).map { delivery in
                var delivery = delivery
                change(&delivery)
                try delivery.update(db)
                return delivery
            }
        }
    }
}

extension Ledger {
    /// Records each review × destination as posted without sending (`mark-posted`): a new
    /// series-0 delivery, or the existing unposted one settled. Returns how many changed.
    public func markPosted(reviews: [(slug: String, date: Date, contentHash: String)], destinations: [(name: String, kind: String)],
                           now: Date) throws -> Int {
        try write { db in
            var changed = 0
            for destination in destinations {
                for review in reviews {
                    if var existing = try Delivery.filter(Column("review") == review.slug && Column("destination") == destination.name
                                                          && Column("series") == 0).fetchOne(db) {
                        guard existing.state != .posted else { continue }
                        existing.state = .posted
                        existing.postedAt = now
                        existing.updatedAt = now
                        existing.nextAttemptAt = nil
                        existing.lastError = "marked as posted by hand"
                        try existing.update(db)
                    } else {
                        var delivery = Delivery(review: review.slug, destination: destination.name, kind: destination.kind, series: 0,
                                                idempotencyKey: IdempotencyKey.random(), payload: nil, reviewDate: review.date,
                                                contentHash: review.contentHash, now: now)
                        delivery.state = .posted
                        delivery.postedAt = now
                        delivery.lastError = "marked as posted by hand"
                        try delivery.insert(db)
                    }
                    changed += 1
                }
            }
            return changed
        }
    }
}
