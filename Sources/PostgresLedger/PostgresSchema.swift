import Foundation

/// The PostgreSQL ledger's schema: one database holds the ledgers of many sites, every row
/// keyed by its site id (docs/SPEC.md §11).
///
/// Versioned like the SQLite ledger's: each migration runs once, in its own transaction, in
/// order, recorded in `syndicate_migration`. Hosts that start together take turns through a
/// session-level `pg_advisory_lock`, so a migration never runs twice or half-way beside
/// another. A change to the schema is a new migration at the end.
enum PostgresSchema {
    /// The advisory lock's key (any fixed number: "synd" in ASCII).
    static let lockKey: Int64 = 0x7379_6E64

    static let migrations: [(version: Int, name: String, sql: String)] = [
        (1, "deliveries, attempts, met destinations, leases, change counters", """
        CREATE TABLE delivery (
            id BIGSERIAL PRIMARY KEY,
            site TEXT NOT NULL,
            review TEXT NOT NULL,
            slug TEXT NOT NULL,
            destination TEXT NOT NULL,
            kind TEXT NOT NULL,
            series INTEGER NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            idempotency_key TEXT NOT NULL,
            payload BYTEA,
            review_date DOUBLE PRECISION NOT NULL,
            next_attempt_at DOUBLE PRECISION,
            last_error TEXT,
            remote_id TEXT,
            remote_url TEXT,
            content_hash TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            posted_at DOUBLE PRECISION,
            adopted BOOLEAN NOT NULL DEFAULT false,
            checkpoint TEXT,
            -- The lease under which it was marked `sending` (docs/SPEC.md §11).
            lease_token TEXT,
            UNIQUE (site, review, destination, series)
        );
        CREATE INDEX delivery_queue ON delivery (site, destination, state, review_date, review, series);
        CREATE INDEX delivery_by_slug ON delivery (site, slug);
        -- The backstop of the one-in-flight rule: whatever a worker does, two deliveries of one
        -- destination cannot both be `sending`.
        CREATE UNIQUE INDEX delivery_one_sending ON delivery (site, destination) WHERE state = 'sending';
        CREATE TABLE attempt (
            delivery_id BIGINT NOT NULL REFERENCES delivery (id) ON DELETE CASCADE,
            id INTEGER NOT NULL,
            started_at DOUBLE PRECISION NOT NULL,
            duration_ms INTEGER NOT NULL,
            http_status INTEGER,
            error_class TEXT,
            message TEXT,
            PRIMARY KEY (delivery_id, id)
        );
        CREATE TABLE met_destination (
            site TEXT NOT NULL,
            name TEXT NOT NULL,
            met_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (site, name)
        );
        -- One row per (site, destination): who may send there now (token, until expires_at, on
        -- the database's clock) and the wait the destination asked for (not_before, epoch s).
        CREATE TABLE destination_lease (
            site TEXT NOT NULL,
            destination TEXT NOT NULL,
            token TEXT,
            holder TEXT,
            expires_at DOUBLE PRECISION,
            not_before DOUBLE PRECISION,
            PRIMARY KEY (site, destination)
        );
        CREATE TABLE site_version (
            site TEXT PRIMARY KEY,
            version BIGINT NOT NULL
        );
        """),
    ]

    /// Brings the database's schema up to date, one migration at a time across hosts.
    /// Returns the versions it applied.
    @discardableResult
    static func migrate(_ connection: PGConnection) throws -> [Int] {
        try connection.session { session in
            try session.execute("SELECT pg_advisory_lock($1)", [lockKey])
            defer { _ = try? session.execute("SELECT pg_advisory_unlock($1)", [lockKey]) }
            try session.execute("""
                CREATE TABLE IF NOT EXISTS syndicate_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """)
            let done = Set(try session.query("SELECT version FROM syndicate_migration").compactMap { $0.int(0) })
            if let newest = done.max(), newest > migrations.last!.version {
                throw PostgresError(message: "the ledger database's schema (version \(newest)) is newer than this Syndicate knows "
                                    + "(\(migrations.last!.version)): upgrade Syndicate")
            }
            var applied: [Int] = []
            for migration in migrations where !done.contains(migration.version) {
                try session.execute("BEGIN")
                do {
                    try session.execute(migration.sql)
                    try session.execute("INSERT INTO syndicate_migration (version, name) VALUES ($1, $2)", [migration.version, migration.name])
                    try session.execute("COMMIT")
                } catch {
                    _ = try? session.execute("ROLLBACK")
                    throw error
                }
                applied.append(migration.version)
            }
            return applied
        }
    }
}
