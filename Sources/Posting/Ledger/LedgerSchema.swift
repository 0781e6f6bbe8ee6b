import Foundation
import GRDB

extension Ledger {
    /// Opens the ledger at `url`, creating it (and `.syndicate`, mode 0700) if needed, and
    /// migrates it to the current schema.
    ///
    /// GRDB sets up WAL (`journalMode = .wal`, which also sets `synchronous = NORMAL`: a
    /// commit survives any crash of the program, and a power cut may lose the last few
    /// commits, which then read as `sending`, so `unknown`, never as posted twice). The busy
    /// timeout makes a command wait for another one's write instead of failing.
    ///
    /// Opening is serialised between processes by an exclusive `flock` on `.syndicate`
    /// itself, held until the schema is current, because the busy timeout does not cover two
    /// steps when several processes take them at once on a ledger still to be made: GRDB's
    /// migrator reads which migrations have run before running the others, so two processes
    /// run the same one (`table … already exists`), and the switch of a new file to WAL can
    /// fail with `database is locked`. The kernel releases the lock however its holder ends.
    static func open(_ url: URL) throws -> DatabaseQueue {
        let folder = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // Where the lock cannot be had (a file system without flock), opening goes on
        // without it: only commands that meet on a ledger still to be made or migrated need it.
        let descriptor = Foundation.open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if descriptor >= 0 { close(descriptor) } }
        while descriptor >= 0, flock(descriptor, LOCK_EX) != 0, errno == EINTR {}
        try refuseForeignFile(url)
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(10)
        do {
            let database = try DatabaseQueue(path: url.path, configuration: configuration)
            try migrator.migrate(database)
            // The ledger holds payloads and remote ids: private always, whoever made the
            // folder first (another tool, an older version) and whatever the umask. SQLite
            // gives -wal and -shm the mode of the database when it makes them; they may
            // already exist from before, so all three are set.
            chmod(folder.path, 0o700)
            for suffix in ["", "-wal", "-shm"] { chmod(url.path + suffix, 0o600) }
            return database
        } catch let error as DatabaseError {
            throw LedgerError(path: url.path, error)
        }
    }

    /// Only a missing file is a new ledger. SQLite would take an empty file (or initialise
    /// any file it can) as a new database, and a new ledger re-posts the whole back
    /// catalogue: a ledger truncated by a full disk or a bad copy must stop posting instead.
    static func refuseForeignFile(_ url: URL) throws {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            // Missing: a new ledger. Present but unreadable: SQLite's own error says why.
            return
        }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? nil
        guard header != Data("SQLite format 3\0".utf8) else { return }
        throw LedgerFileError(message: "\(relativePath): not a Syndicate ledger (\(header?.isEmpty != false ? "an empty file" : "not an SQLite database")); "
                              + "restore it from a backup, or move it away to start a new ledger (which posts every review again)")
    }

    /// The schema, defined once: a new ledger runs every migration, an older one the ones it
    /// lacks. A change to the schema is a new migration at the end.
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
            // Moved by every write (`Ledger.write`): the idle marker compares it.
            try db.create(table: "meta") { t in
                t.primaryKey("key", .text)
                t.column("value", .integer).notNull()
            }
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('version', 0)")
        }
        migrator.registerMigration("v3: attempt ids without AUTOINCREMENT") { db in
            // AUTOINCREMENT made every attempt rewrite sqlite_sequence too. Plain rowids still
            // only grow here, since an attempt is never deleted but with its delivery, and
            // deliveries are never deleted.
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
            // need no separate index. An attempt's id becomes its number within its delivery
            // (1, 2, …), in the order the attempts were made.
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
        migrator.registerMigration("v5: review identities, slugs for display, adoption") { db in
            // `review` becomes the review's identity (`Review.id`). Every row before this was
            // made by the files source, whose identity is the slug: the rows keep their key,
            // and their slug is that same text, so nothing is posted again.
            try db.execute(sql: """
                ALTER TABLE delivery ADD COLUMN slug TEXT NOT NULL DEFAULT '';
                UPDATE delivery SET slug = review;
                ALTER TABLE delivery ADD COLUMN adopted BOOLEAN NOT NULL DEFAULT 0;
                CREATE INDEX delivery_by_slug ON delivery(slug);
                """)
            // The destinations first-run adoption met with nothing to adopt (a new site with
            // no review yet): they have no delivery to show it, and must not be met again.
            // A destination with any delivery counts as met as well (`Ledger.metDestinations`).
            try db.create(table: "met_destination") { t in
                t.primaryKey("name", .text)
                t.column("met_at", .double).notNull()
            }
        }
        migrator.registerMigration("v6: delivery checkpoint") { db in
            // What an adapter did within a delivery that a later attempt must not do again
            // (Mastodon's uploaded media id): written during a send, read by the next attempt.
            try db.alter(table: "delivery") { t in t.add(column: "checkpoint", .text) }
        }
        return migrator
    }
}

/// The ledger's file is there but is not a ledger.
public struct LedgerFileError: Error, Sendable, CustomStringConvertible, LocalizedError {
    public var message: String
    public var description: String { message }
    public var errorDescription: String? { message }
}
