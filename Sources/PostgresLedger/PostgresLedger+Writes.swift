import Foundation
import Posting

extension PostgresLedger {
    /// Deliveries another worker created at the same moment (same review, destination and
    /// series) are left out of the result: that worker has them.
    @discardableResult
    public func insert(_ deliveries: [Delivery]) throws -> [Delivery] {
        try write { session in
            let inserted: [Delivery] = try deliveries.compactMap { delivery in
                guard let id = try Self.insert(delivery, site: site, in: session) else { return nil }
                var inserted = delivery
                inserted.id = id
                return inserted
            }
            // Wakes the `post --watch` workers of the site when this commits.
            if !inserted.isEmpty { try Self.notify(site, in: session) }
            return inserted
        }
    }

    public func saveCheckpoint(_ value: String, for deliveryID: Int64) throws {
        try write { session in
            try session.execute("UPDATE delivery SET checkpoint = $3 WHERE site = $1 AND id = $2", [site, deliveryID, value])
        }
    }

    public func update(where filter: @escaping @Sendable (Delivery) -> Bool,
                       _ change: @escaping @Sendable (inout Delivery) -> Void) throws -> [Delivery] {
        try write { session in
            // Locked so that a worker's claim waits for this change (a `retry` of a delivery
            // another worker is about to mark `sending`).
            let changed = try session.query("SELECT \(Self.columns) FROM delivery WHERE site = $1 ORDER BY id FOR UPDATE", [site])
                .map(Self.delivery).filter(filter).map { delivery in
                    var delivery = delivery
                    change(&delivery)
                    try Self.update(delivery, site: site, in: session)
                    return delivery
                }
            // A `retry` or `resolve --as retry` may have made something due.
            if !changed.isEmpty { try Self.notify(site, in: session) }
            return changed
        }
    }

    @discardableResult
    public func adopt(reviews: [(id: String, slug: String, date: Date, contentHash: String)], destinations: [(name: String, kind: String)],
                      now: Date) throws -> Int {
        try write { session in
            var adopted = 0
            for destination in destinations {
                try session.execute("INSERT INTO met_destination (site, name, met_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                                    [site, destination.name, now])
                for review in reviews {
                    let delivery = Delivery.postedWithoutSending(review: review, destination: destination, now: now, adopted: true)
                    if try Self.insert(delivery, site: site, in: session) != nil { adopted += 1 }
                }
            }
            return adopted
        }
    }

    public func markPosted(reviews: [(id: String, slug: String, date: Date, contentHash: String)], destinations: [(name: String, kind: String)],
                           now: Date) throws -> Int {
        try write { session in
            var changed = 0
            for destination in destinations {
                for review in reviews {
                    if var existing = try session.query("""
                        SELECT \(Self.columns) FROM delivery WHERE site = $1 AND review = $2 AND destination = $3 AND series = 0 FOR UPDATE
                        """, [site, review.id, destination.name]).first.map(Self.delivery) {
                        guard existing.state != .posted else { continue }
                        existing.markPostedByHand(now: now)
                        try Self.update(existing, site: site, in: session)
                    } else {
                        let delivery = Delivery.postedWithoutSending(review: review, destination: destination, now: now, adopted: false)
                        _ = try Self.insert(delivery, site: site, in: session)
                    }
                    changed += 1
                }
            }
            return changed
        }
    }

    public func holdDestination(_ name: String, until date: Date) throws {
        try write { session in
            try session.execute("""
                INSERT INTO destination_lease (site, destination, not_before) VALUES ($1, $2, $3)
                ON CONFLICT (site, destination) DO UPDATE SET not_before = GREATEST(COALESCE(destination_lease.not_before, 0), $3)
                """, [site, name, date])
        }
    }
}

extension PostgresLedger {
    /// `NOTIFY` the site's `post --watch` workers (`DeliveryNotifications`), at commit.
    static func notify(_ site: String, in session: PGSession) throws {
        try session.execute("SELECT pg_notify($1, $2)", [DeliveryNotifications.channel, site])
    }
}
