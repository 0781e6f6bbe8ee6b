import Foundation
import Posting

/// `syndicate ledger copy --to URL`: a site's SQLite ledger into PostgreSQL, so that an
/// existing site moves without posting anything again: every delivery with its state,
/// attempts, checkpoint and adoption, and every destination first-run adoption met.
///
/// One transaction. It refuses when the database has rows for the site already (a second
/// copy, or workers already posting there): merging two ledgers could hide a delivery's
/// real state, and refusing is safe to run again.
extension PostgresLedger {
    /// Returns how many deliveries were copied.
    public func copy(from ledger: Ledger) throws -> Int {
        let deliveries = try ledger.deliveries()
        let attempts = try Dictionary(uniqueKeysWithValues: deliveries.compactMap(\.id).map { ($0, try ledger.attempts(of: $0)) })
        let checkpoints = try Dictionary(uniqueKeysWithValues: deliveries.compactMap(\.id).map { ($0, try ledger.checkpoint(of: $0)) })
        let met = try ledger.metDestinationRecords()
        return try write { session in
            let existing = try session.query("""
                SELECT (SELECT count(*) FROM delivery WHERE site = $1) + (SELECT count(*) FROM met_destination WHERE site = $1)
                """, [site]).first?.int(0) ?? 0
            guard existing == 0 else { throw LedgerCopyRefused(site: site) }
            for delivery in deliveries {
                guard let oldID = delivery.id, let id = try Self.insert(delivery, site: site, in: session) else { continue }
                if let checkpoint = checkpoints[oldID] ?? nil {
                    try session.execute("UPDATE delivery SET checkpoint = $2 WHERE id = $1", [id, checkpoint])
                }
                for attempt in attempts[oldID] ?? [] {
                    try session.execute("""
                        INSERT INTO attempt (delivery_id, id, started_at, duration_ms, http_status, error_class, message)
                        VALUES ($1, $2, $3, $4, $5, $6, $7)
                        """, [id, attempt.id ?? 0, attempt.startedAt, attempt.durationMs, attempt.httpStatus, attempt.errorClass, attempt.message])
                }
            }
            for (name, metAt) in met {
                try session.execute("INSERT INTO met_destination (site, name, met_at) VALUES ($1, $2, $3)", [site, name, metAt])
            }
            return deliveries.count
        }
    }
}

/// The database has a ledger for the site already.
public struct LedgerCopyRefused: Error, Sendable, CustomStringConvertible {
    public var site: String
    public var description: String {
        "the database already has a ledger for site \(site): nothing copied (a copy is made once, into no rows of that site)"
    }
}
