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

    /// The per-post statements, compiled on first use. Only touched inside
    /// `database.writeWithoutTransaction`, which serialises them.
    nonisolated(unsafe) private var deliveryStatements: DeliveryStatements?
    /// Whether this instance has moved the change counter yet (same serialisation).
    nonisolated(unsafe) private var counterMoved = false

    /// Opens (creating if needed) the ledger of a site and brings its schema up to date.
    public init(siteDirectory: URL) throws {
        let url = siteDirectory.appendingPathComponent(Self.relativePath)
        // mkdir(2) rather than FileManager, whose attribute dictionary costs every command a
        // round of runtime type lookups; only a missing `.syndicate` is made (mode 0700).
        let directory = url.deletingLastPathComponent().path
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let isNew = !FileManager.default.fileExists(atPath: url.path)
        // WAL set up here rather than by GRDB's `journalMode = .wal`, which also commits a
        // throwaway table whenever the -wal file is missing, as it is after every clean close:
        // a schema change and a transaction at the start of every run, for readers of a
        // connection pool this ledger does not use.
        configuration.prepareDatabase { db in
            // A new file starts in rollback-journal mode, and the switch would sync four
            // times on the way; a crash then loses an empty file.
            // Its pages are 2 KiB rather than 4: a post's transaction changes three or four
            // pages (its delivery, the next one's, the state index, its attempt), all far
            // from full, so each post writes half the WAL bytes, and the kernel half the
            // page-cache pages. A delivery row (under 1 KiB) still never spills onto an
            // overflow page. Measured: 4-9 ms less CPU for a run of 100 posts. An existing
            // ledger keeps the size it was made with.
            if isNew { try db.execute(sql: "PRAGMA synchronous = OFF; PRAGMA page_size = 2048") }
            guard try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") == "wal" else {
                throw DatabaseError(message: "could not switch \(url.path) to WAL mode")
            }
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        database = try DatabaseQueue(path: url.path, configuration: configuration)
        // A file just made gets the schema at once; for any other, a read settles the usual
        // case, and migrating takes the write lock.
        let created = isNew ? try Self.createCurrentSchema(in: database) : false
        if !created, try !database.read({ try Self.migrator.hasCompletedMigrations($0) }), try !Self.createCurrentSchema(in: database) {
            try Self.migrator.migrate(database)
        }
    }

    /// A new ledger gets the schema the migrations end with in one transaction, recorded as
    /// migrated: running them one by one (each its own transaction, every statement after a
    /// schema change re-reading the schema) cost a first `post` about 5 ms. False, and
    /// nothing done, when the ledger has tables already.
    private static func createCurrentSchema(in database: DatabaseQueue) throws -> Bool {
        try database.writeWithoutTransaction { db in
            var created = false
            // IMMEDIATE: a second process creating the same ledger waits here, then finds it made.
            try db.inTransaction(.immediate) {
                guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") == 0 else { return .commit }
                try db.execute(sql: currentSchema)
                created = true
                return .commit
            }
            return created
        }
    }

    /// What `migrator` builds, statement for statement (a test holds the two equal). A new
    /// migration changes both.
    static let currentSchema = """
        CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
        CREATE TABLE "delivery" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "review" TEXT NOT NULL, "destination" TEXT NOT NULL, \
        "kind" TEXT NOT NULL, "series" INTEGER NOT NULL, "state" TEXT NOT NULL, "attempts" INTEGER NOT NULL, \
        "idempotency_key" TEXT NOT NULL, "payload" BLOB, "review_date" DOUBLE NOT NULL, "next_attempt_at" DOUBLE, \
        "last_error" TEXT, "remote_id" TEXT, "remote_url" TEXT, "content_hash" TEXT NOT NULL, "created_at" DOUBLE NOT NULL, \
        "updated_at" DOUBLE NOT NULL, "posted_at" DOUBLE, UNIQUE ("review", "destination", "series"));
        CREATE INDEX "delivery_by_destination" ON "delivery"("destination", "review");
        CREATE INDEX "delivery_by_state" ON "delivery"("state");
        CREATE TABLE "meta" ("key" TEXT PRIMARY KEY NOT NULL, "value" INTEGER NOT NULL);
        INSERT INTO meta (key, value) VALUES ('version', 0);
        CREATE TABLE "attempt" ("delivery_id" INTEGER NOT NULL REFERENCES "delivery"("id") ON DELETE CASCADE, \
        "id" INTEGER NOT NULL, "started_at" DOUBLE NOT NULL, "duration_ms" INTEGER NOT NULL, "http_status" INTEGER, \
        "error_class" TEXT, "message" TEXT, PRIMARY KEY ("delivery_id", "id")) WITHOUT ROWID;
        INSERT INTO grdb_migrations (identifier) VALUES ('v1: deliveries and attempts'), ('v2: change counter'),
        ('v3: attempt ids without AUTOINCREMENT'), ('v4: attempts stored by delivery');
        """

    static var migrator: DatabaseMigrator {
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
        migrator.registerMigration("v4: attempts stored by delivery") { db in
            // Attempts are only ever looked up by their delivery: stored in that order, they
            // need no separate index, and each post's transaction writes one page fewer.
            // An attempt's id becomes its number within its delivery (1, 2, …), in the order
            // the attempts were made.
            try db.execute(sql: """
                CREATE TABLE "attempt_v4" ("delivery_id" INTEGER NOT NULL REFERENCES "delivery"("id") ON DELETE CASCADE, \
                "id" INTEGER NOT NULL, "started_at" DOUBLE NOT NULL, "duration_ms" INTEGER NOT NULL, "http_status" INTEGER, \
                "error_class" TEXT, "message" TEXT, PRIMARY KEY ("delivery_id", "id")) WITHOUT ROWID;
                INSERT INTO attempt_v4 (delivery_id, id, started_at, duration_ms, http_status, error_class, message)
                SELECT delivery_id, ROW_NUMBER() OVER (PARTITION BY delivery_id ORDER BY id), started_at, duration_ms,
                http_status, error_class, message FROM attempt;
                DROP TABLE attempt;
                ALTER TABLE attempt_v4 RENAME TO attempt;
                """)
        }
        return migrator
    }

    /// Every write but a post's own transaction (`postTransaction`) goes through here and
    /// moves the change counter, which lets a cron no-op know that nothing changed since it
    /// last looked (`IdleMarker`).
    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        try database.write { db in
            try statements(db).moveCounter.execute(db)
            let result = try body(db)
            counterMoved = true
            return result
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
    // The queries every `post` runs are plain SQL: building them through the query
    // interface cost more than running them on a small ledger.

    public func due(at now: Date, destinations: [String]) throws -> [Delivery] {
        var arguments = StatementArguments(destinations)
        arguments += [now.timeIntervalSince1970]
        return try database.read { db in
            try Delivery.fetchAll(db, sql: """
                SELECT * FROM delivery WHERE destination IN (\(Self.placeholders(destinations.count)))
                AND (state = 'pending' OR (state = 'retrying' AND next_attempt_at <= ?))
                ORDER BY review_date, review, series
                """, arguments: arguments)
        }
    }

    /// The earliest scheduled retry among these destinations.
    public func nextRetry(destinations: [String]) throws -> Date? {
        try database.read { db in
            try Double.fetchOne(db, sql: """
                SELECT MIN(next_attempt_at) FROM delivery WHERE state = 'retrying'
                AND destination IN (\(Self.placeholders(destinations.count)))
                """, arguments: StatementArguments(destinations))
                .map { Date(timeIntervalSince1970: $0) }
        }
    }

    /// `?, ?, …` for an `IN` list (SQLite takes an empty one).
    private static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    public func attempts(of deliveryID: Int64) throws -> [Attempt] {
        try database.read { db in try Attempt.filter(Column("delivery_id") == deliveryID).order(Column("id")).fetchAll(db) }
    }

    // MARK: Writing

    /// Inserts new deliveries in one transaction.
    @discardableResult
    public func insert(_ deliveries: [Delivery]) throws -> [Delivery] {
        try write { db in
            let statements = try statements(db)
            return try deliveries.map { delivery in
                var delivery = delivery
                delivery.id = try statements.insert(delivery, in: db)
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
    ///
    /// Like `record(_:attempt:thenMarkSending:now:)`, only for callers holding the `PostLock`.
    public func markSending(_ delivery: Delivery, now: Date) throws -> Delivery? {
        guard delivery.id != nil else { return nil }
        return try postTransaction(outcome: nil, thenMarkSending: delivery, now: now)
    }

    /// Stores an attempt's outcome and marks the next delivery `sending`, in one transaction:
    /// how a destination's queue moves on from one post to the next. The outcome is stored
    /// even when `next` turns out to be settled already (then nil is returned, as by
    /// `markSending`).
    ///
    /// Only for callers holding the `PostLock` (the poster): the change counter moves on the
    /// first write of this instance only, not on every post. That is enough for the idle
    /// marker, which is saved only under the same lock, after the saving run's last write,
    /// and checked against the counter: every later run that writes moves it again.
    public func record(_ delivery: Delivery, attempt: Attempt?, thenMarkSending next: Delivery, now: Date) throws -> Delivery? {
        try postTransaction(outcome: (delivery, attempt), thenMarkSending: next, now: now)
    }

    /// One post's transaction on the direct statements: a post costs one short transaction
    /// and little else.
    private func postTransaction(outcome: (delivery: Delivery, attempt: Attempt?)?, thenMarkSending next: Delivery,
                                 now: Date) throws -> Delivery? {
        try database.writeWithoutTransaction { db in
            let statements = try self.statements(db)
            try statements.begin.execute(db)
            let changed: Int
            do {
                if !counterMoved { try statements.moveCounter.execute(db) }
                if let outcome, let id = outcome.delivery.id {
                    try statements.record(outcome.delivery, id: id, attempt: outcome.attempt, in: db)
                }
                changed = try next.id.map { id in
                    try statements.markSending.execute(db, .real(now.timeIntervalSince1970), .integer(id))
                } ?? 0
                try statements.commit.execute(db)
            } catch {
                _ = try? statements.rollback.execute(db)
                throw error
            }
            counterMoved = true
            guard changed == 1 else { return nil }
            var sending = next
            sending.state = .sending
            sending.attempts += 1
            sending.updatedAt = now
            return sending
        }
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
        guard let id = delivery.id else { return }
        try write { db in try statements(db).record(delivery, id: id, attempt: attempt, in: db) }
    }

    private func statements(_ db: Database) throws -> DeliveryStatements {
        if let deliveryStatements { return deliveryStatements }
        let statements = try DeliveryStatements(db)
        deliveryStatements = statements
        return statements
    }

    /// Deliveries left `sending` by a run that died become `unknown` (SPEC §6).
    @discardableResult
    public func recoverInterrupted(now: Date) throws -> [Delivery] {
        // Nearly always nothing to do: a read costs less than a write transaction.
        let stuck = try database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM delivery WHERE state = 'sending'") ?? 0 }
        guard stuck > 0 else { return [] }
        return try write { db in
            let stuck = try Delivery.filter(Column("state") == DeliveryState.sending.rawValue).fetchAll(db)
            return try stuck.map { delivery in
                var delivery = delivery
                delivery.state = .unknown
                delivery.lastError = "interrupted while sending: the request may have reached the server"
                delivery.updatedAt = now
                let attempt = Attempt(deliveryID: delivery.id!, startedAt: now, durationMs: 0, httpStatus: nil,
                                      errorClass: "interrupted", message: delivery.lastError)
                try statements(db).record(delivery, id: delivery.id!, attempt: attempt, in: db)
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

/// The statements that run once per delivery or per post, compiled once per connection.
private struct DeliveryStatements {
    let begin: DirectStatement
    let commit: DirectStatement
    let rollback: DirectStatement
    let moveCounter: DirectStatement
    let markSending: DirectStatement
    private let recordOutcome: DirectStatement
    private let insertAttempt: DirectStatement
    private let insertDelivery: DirectStatement

    init(_ db: Database) throws {
        // IMMEDIATE: the transaction writes, so it takes the write lock (waiting out
        // `busyMode`) at the start rather than failing on upgrade halfway.
        begin = try DirectStatement(db, sql: "BEGIN IMMEDIATE")
        commit = try DirectStatement(db, sql: "COMMIT")
        rollback = try DirectStatement(db, sql: "ROLLBACK")
        moveCounter = try DirectStatement(db, sql: "UPDATE meta SET value = value + 1 WHERE key = 'version'")
        markSending = try DirectStatement(db, sql: """
            UPDATE delivery SET state = 'sending', attempts = attempts + 1, updated_at = ?
            WHERE id = ? AND state IN ('pending', 'retrying')
            """)
        recordOutcome = try DirectStatement(db, sql: """
            UPDATE delivery SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?, remote_id = ?, remote_url = ?,
            updated_at = ?, posted_at = ? WHERE id = ?
            """)
        insertAttempt = try DirectStatement(db, sql: """
            INSERT INTO attempt (delivery_id, id, started_at, duration_ms, http_status, error_class, message)
            VALUES (?1, (SELECT IFNULL(MAX(id), 0) + 1 FROM attempt WHERE delivery_id = ?1), ?2, ?3, ?4, ?5, ?6)
            """)
        insertDelivery = try DirectStatement(db, sql: """
            INSERT INTO delivery (id, review, destination, kind, series, state, attempts, idempotency_key, payload, review_date,
            next_attempt_at, last_error, remote_id, remote_url, content_hash, created_at, updated_at, posted_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    /// A new delivery's row; returns its id.
    func insert(_ delivery: Delivery, in db: Database) throws -> Int64 {
        try insertDelivery.execute(db, delivery.id.map { .integer($0) } ?? .null, .text(delivery.review), .text(delivery.destination),
                                   .text(delivery.kind), .integer(delivery.series), .text(delivery.state.rawValue),
                                   .integer(delivery.attempts), .text(delivery.idempotencyKey), .blob(delivery.payload),
                                   .real(delivery.reviewDate.timeIntervalSince1970), .real(delivery.nextAttemptAt?.timeIntervalSince1970),
                                   .text(delivery.lastError), .text(delivery.remoteID), .text(delivery.remoteURL), .text(delivery.contentHash),
                                   .real(delivery.createdAt.timeIntervalSince1970), .real(delivery.updatedAt.timeIntervalSince1970),
                                   .real(delivery.postedAt?.timeIntervalSince1970))
        return db.lastInsertedRowID
    }

    /// A delivery's new state (only the columns an attempt can change) and the attempt
    /// that led to it.
    func record(_ delivery: Delivery, id: Int64, attempt: Attempt?, in db: Database) throws {
        try recordOutcome.execute(db, .text(delivery.state.rawValue), .integer(delivery.attempts), .real(delivery.nextAttemptAt?.timeIntervalSince1970),
                                  .text(delivery.lastError), .text(delivery.remoteID), .text(delivery.remoteURL),
                                  .real(delivery.updatedAt.timeIntervalSince1970), .real(delivery.postedAt?.timeIntervalSince1970), .integer(id))
        if let attempt {
            try insertAttempt.execute(db, .integer(id), .real(attempt.startedAt.timeIntervalSince1970), .integer(attempt.durationMs),
                                      .integer(attempt.httpStatus), .text(attempt.errorClass), .text(attempt.message))
        }
    }
}
