import Foundation
import GRDB

extension Ledger {
    /// Inserts new deliveries in one transaction; returns them with their ids.
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

    /// Commits `sending` before the request leaves (docs/SPEC.md §6): if the process dies now, the
    /// next run knows the request may have gone out.
    ///
    /// Returns nil, and changes nothing, when the delivery is no longer `pending` or
    /// `retrying` in the ledger: another command (`mark-posted`, `resolve`) settled it since
    /// this run read it, and it must not be sent.
    public func markSending(_ delivery: Delivery, now: Date) throws -> Delivery? {
        guard let id = delivery.id else { return nil }
        let marked = try write { db in
            try db.cachedStatement(sql: """
                UPDATE delivery SET state = 'sending', attempts = attempts + 1, updated_at = ?
                WHERE id = ? AND state IN ('pending', 'retrying')
                """).execute(arguments: [now.timeIntervalSince1970, id])
            return db.changesCount == 1
        }
        guard marked else { return nil }
        var sending = delivery
        sending.state = .sending
        sending.attempts += 1
        sending.updatedAt = now
        return sending
    }

    /// Keeps what an adapter did within a delivery's attempt (`DeliveryCheckpoint`), committed
    /// at once, so a crash right after it does not make the next attempt do it again.
    public func saveCheckpoint(_ value: String, for deliveryID: Int64) throws {
        try write { db in
            try db.execute(sql: "UPDATE delivery SET checkpoint = ? WHERE id = ?", arguments: [value, deliveryID])
        }
    }

    /// Stores a delivery's new state together with the attempt that led to it, in one
    /// transaction.
    public func record(_ delivery: Delivery, attempt: Attempt?) throws {
        guard let id = delivery.id else { return }
        try write { db in try Self.record(delivery, id: id, attempt: attempt, in: db) }
    }

    /// A delivery's new state (only the columns an attempt can change, so that a concurrent
    /// command's other changes stand) and the attempt that led to it, numbered next within
    /// its delivery.
    private static func record(_ delivery: Delivery, id: Int64, attempt: Attempt?, in db: Database) throws {
        try db.cachedStatement(sql: """
            UPDATE delivery SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?, remote_id = ?, remote_url = ?,
            updated_at = ?, posted_at = ? WHERE id = ?
            """).execute(arguments: [delivery.state, delivery.attempts, delivery.nextAttemptAt?.timeIntervalSince1970,
                                     delivery.lastError, delivery.remoteID, delivery.remoteURL,
                                     delivery.updatedAt.timeIntervalSince1970, delivery.postedAt?.timeIntervalSince1970, id])
        guard let attempt else { return }
        try db.cachedStatement(sql: """
            INSERT INTO attempt (delivery_id, id, started_at, duration_ms, http_status, error_class, message)
            VALUES (?1, (SELECT IFNULL(MAX(id), 0) + 1 FROM attempt WHERE delivery_id = ?1), ?2, ?3, ?4, ?5, ?6)
            """).execute(arguments: [id, attempt.startedAt.timeIntervalSince1970, attempt.durationMs, attempt.httpStatus,
                                     attempt.errorClass, attempt.message])
    }

    /// Deliveries left `sending` by a run that died become `unknown` (docs/SPEC.md §6).
    @discardableResult
    public func recoverInterrupted(now: Date) throws -> [Delivery] {
        // Nearly always nothing to do: a read does not move the change counter.
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
                try Self.record(delivery, id: delivery.id!, attempt: attempt, in: db)
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

    /// First-run adoption (docs/SPEC.md §6): records each review as posted on each destination
    /// without sending (0 attempts, no remote URL, `adopted`), and each destination as met,
    /// in one transaction. A review that has a delivery there already keeps it.
    /// Returns how many deliveries were recorded.
    @discardableResult
    public func adopt(reviews: [(id: String, slug: String, date: Date, contentHash: String)], destinations: [(name: String, kind: String)],
                      now: Date) throws -> Int {
        try write { db in
            var adopted = 0
            for destination in destinations {
                try db.execute(sql: "INSERT OR IGNORE INTO met_destination (name, met_at) VALUES (?, ?)",
                               arguments: [destination.name, now.timeIntervalSince1970])
                for review in reviews {
                    var delivery = Delivery.postedWithoutSending(review: review, destination: destination, now: now, adopted: true)
                    try delivery.insert(db, onConflict: .ignore)
                    adopted += db.changesCount
                }
            }
            return adopted
        }
    }

    /// Records each review × destination as posted without sending (`mark-posted`): a new
    /// series-0 delivery, or the existing unposted one settled. Returns how many changed.
    public func markPosted(reviews: [(id: String, slug: String, date: Date, contentHash: String)], destinations: [(name: String, kind: String)],
                           now: Date) throws -> Int {
        try write { db in
            var changed = 0
            for destination in destinations {
                for review in reviews {
                    if var existing = try Delivery.filter(Column("review") == review.id && Column("destination") == destination.name
                                                          && Column("series") == 0).fetchOne(db) {
                        guard existing.state != .posted else { continue }
                        existing.markPostedByHand(now: now)
                        try existing.update(db)
                    } else {
                        var delivery = Delivery.postedWithoutSending(review: review, destination: destination, now: now, adopted: false)
                        try delivery.insert(db)
                    }
                    changed += 1
                }
            }
            return changed
        }
    }
}
