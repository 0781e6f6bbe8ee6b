import Foundation
import Posting
import Synchronization

/// The delivery ledger on PostgreSQL (docs/SPEC.md §11): the ledgers of many sites in one
/// database, shared by any number of `post` workers on any number of hosts.
///
/// Each method is one short transaction on one libpq connection (`PGConnection`). Sending is
/// claimed per (site, destination) through a lease row (`markSending`, PostgresLedger+Claims),
/// which keeps section 6's one-in-flight, oldest-first and rate-limit rules across workers.
/// Reads are in PostgresLedger+Reads.swift, other writes in PostgresLedger+Writes.swift.
public final class PostgresLedger: LedgerStore {
    let connection: PGConnection
    /// The key of this site's rows (`site.url` unless `[ledger] site_id`).
    public let site: String
    /// How long a claim holds a destination without renewal. A worker renews it every third
    /// of this while its request is open; a worker that dies loses it after this long.
    public let leaseDuration: Double
    /// Who holds the leases this process takes (host and pid), for people looking at the rows.
    let holder: String
    /// The leases this process holds, by delivery id, each with the task renewing it.
    let held = Mutex<[Int64: HeldLease]>([:])

    struct HeldLease {
        var destination: String
        var token: String
        var renewal: LeaseRenewal
    }

    /// Connects and brings the schema up to date.
    /// - Parameter password: kept apart from `url`, never printed (errors are redacted).
    public init(url: String, password: String?, site: String, leaseDuration: Double = 30) throws {
        connection = try PGConnection(url: url, password: password)
        self.site = site
        self.leaseDuration = leaseDuration
        holder = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
        try PostgresSchema.migrate(connection)
    }

    deinit {
        held.withLock { leases in leases.values.forEach { $0.renewal.cancel() } }
    }

    /// Runs the migrations alone (`syndicate ledger migrate`); returns the versions applied.
    public static func migrate(url: String, password: String?) throws -> [Int] {
        try PostgresSchema.migrate(PGConnection(url: url, password: password))
    }

    /// The newest schema version this program knows.
    public static var schemaVersion: Int { PostgresSchema.migrations.last!.version }

    /// A write transaction that also moves the site's change counter (`version()`).
    func write<T>(_ body: (PGSession) throws -> T) throws -> T {
        try connection.transaction { session in
            let result = try body(session)
            try session.execute("""
                INSERT INTO site_version (site, version) VALUES ($1, 1)
                ON CONFLICT (site) DO UPDATE SET version = site_version.version + 1
                """, [site])
            return result
        }
    }

    /// The columns a `Delivery` is read from, in `delivery(from:)`'s order.
    static let columns = """
        id, review, slug, destination, kind, series, state, attempts, idempotency_key, payload, review_date, next_attempt_at, \
        last_error, remote_id, remote_url, content_hash, created_at, updated_at, posted_at, adopted
        """

    static func delivery(from row: PGRow) -> Delivery {
        var delivery = Delivery(review: row.string(1) ?? "", slug: row.string(2), destination: row.string(3) ?? "", kind: row.string(4) ?? "",
                                series: row.int(5) ?? 0, idempotencyKey: row.string(8) ?? "", payload: row.data(9),
                                reviewDate: row.date(10) ?? .distantPast, contentHash: row.string(15) ?? "", now: row.date(16) ?? .distantPast)
        delivery.id = row.int64(0)
        // A state this version does not know reads as `unknown`, as in the SQLite store.
        delivery.state = row.string(6).map { DeliveryState(rawValue: $0) ?? .unknown } ?? .unknown
        delivery.attempts = row.int(7) ?? 0
        delivery.nextAttemptAt = row.date(11)
        delivery.lastError = row.string(12)
        delivery.remoteID = row.string(13)
        delivery.remoteURL = row.string(14)
        delivery.updatedAt = row.date(17) ?? delivery.createdAt
        delivery.postedAt = row.date(18)
        delivery.adopted = row.bool(19)
        return delivery
    }

    /// A new delivery's row; returns its id, or nil when the row is there already (another
    /// worker made it at the same moment).
    static func insert(_ delivery: Delivery, site: String, in session: PGSession) throws -> Int64? {
        try session.query("""
            INSERT INTO delivery (site, review, slug, destination, kind, series, state, attempts, idempotency_key, payload, review_date,
            next_attempt_at, last_error, remote_id, remote_url, content_hash, created_at, updated_at, posted_at, adopted)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
            ON CONFLICT (site, review, destination, series) DO NOTHING RETURNING id
            """, [site, delivery.review, delivery.slug, delivery.destination, delivery.kind, delivery.series, delivery.state.rawValue,
                  delivery.attempts, delivery.idempotencyKey, delivery.payload, delivery.reviewDate, delivery.nextAttemptAt,
                  delivery.lastError, delivery.remoteID, delivery.remoteURL, delivery.contentHash, delivery.createdAt,
                  delivery.updatedAt, delivery.postedAt, delivery.adopted]).first?.int64(0)
    }

    /// Every column of a delivery a command may change (`update(where:)`, `mark-posted`).
    static func update(_ delivery: Delivery, site: String, in session: PGSession) throws {
        try session.execute("""
            UPDATE delivery SET slug = $3, kind = $4, state = $5, attempts = $6, payload = $7, next_attempt_at = $8, last_error = $9,
            remote_id = $10, remote_url = $11, content_hash = $12, updated_at = $13, posted_at = $14, adopted = $15
            WHERE site = $1 AND id = $2
            """, [site, delivery.id ?? -1, delivery.slug, delivery.kind, delivery.state.rawValue, delivery.attempts, delivery.payload,
                  delivery.nextAttemptAt, delivery.lastError, delivery.remoteID, delivery.remoteURL, delivery.contentHash,
                  delivery.updatedAt, delivery.postedAt, delivery.adopted])
    }

    /// An attempt, numbered next within its delivery.
    static func insert(_ attempt: Attempt, deliveryID: Int64, in session: PGSession) throws {
        try session.execute("""
            INSERT INTO attempt (delivery_id, id, started_at, duration_ms, http_status, error_class, message)
            VALUES ($1, (SELECT COALESCE(MAX(id), 0) + 1 FROM attempt WHERE delivery_id = $1), $2, $3, $4, $5, $6)
            """, [deliveryID, attempt.startedAt, attempt.durationMs, attempt.httpStatus, attempt.errorClass, attempt.message])
    }
}
