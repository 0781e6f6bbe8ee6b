import Foundation
import Posting
import Synchronization

/// Claims: how several workers share the sending and keep docs/SPEC.md §6 (§11).
///
/// A lease row per (site, destination) says who may send there. A claim is one short
/// transaction: it locks that row with `FOR UPDATE SKIP LOCKED` (a worker never waits for
/// another's claim: it moves on), checks the lease is free and no wait stands, then marks
/// the destination's oldest due delivery `sending` with the lease's token. Claiming the
/// destination, not a delivery, is what keeps the order: `SKIP LOCKED` on delivery rows
/// alone would let a second worker take the next delivery of a busy destination. The
/// unique partial index `delivery_one_sending` is the backstop. No transaction or lock is
/// open while the request is: the lease is renewed by its own short updates, and the
/// outcome is written only while the token still matches.
extension PostgresLedger {
    /// The database's clock, in epoch seconds: leases are compared with it alone, so the
    /// workers' clocks may disagree.
    static let databaseNow = "extract(epoch from clock_timestamp())"

    public func markSending(_ delivery: Delivery, now: Date) throws -> Delivery? {
        let destination = delivery.destination
        let token = UUID().uuidString.lowercased()
        let claimed: Delivery? = try write { session in
            try session.execute("INSERT INTO destination_lease (site, destination) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                                [site, destination])
            guard let lease = try session.query("""
                SELECT token IS NOT NULL AND expires_at > \(Self.databaseNow), COALESCE(not_before, 0) > $3
                FROM destination_lease WHERE site = $1 AND destination = $2 FOR UPDATE SKIP LOCKED
                """, [site, destination, now]).first else { return nil }  // another worker is claiming it
            // Held by a live worker, or a wait the destination asked for still stands.
            if lease.bool(0) || lease.bool(1) { return nil }
            // A delivery left `sending` under an expired lease is settled (`unknown`) by the
            // next recovery first: one in flight per destination, even a dead one.
            let inFlight = try session.query("SELECT 1 FROM delivery WHERE site = $1 AND destination = $2 AND state = 'sending'",
                                             [site, destination])
            guard inFlight.isEmpty else { return nil }
            guard var next = try session.query("""
                SELECT \(Self.columns) FROM delivery WHERE site = $1 AND destination = $2
                AND (state = 'pending' OR (state = 'retrying' AND next_attempt_at <= $3))
                ORDER BY review_date, review, series LIMIT 1 FOR UPDATE
                """, [site, destination, now]).first.map(Self.delivery), let id = next.id else { return nil }
            try session.execute("""
                UPDATE delivery SET state = 'sending', attempts = attempts + 1, updated_at = $3, lease_token = $4 WHERE site = $1 AND id = $2
                """, [site, id, now, token])
            try session.execute("""
                UPDATE destination_lease SET token = $3, holder = $4, expires_at = \(Self.databaseNow) + $5 WHERE site = $1 AND destination = $2
                """, [site, destination, token, holder, leaseDuration])
            next.state = .sending
            next.attempts += 1
            next.updatedAt = now
            return next
        }
        guard let claimed, let id = claimed.id else { return nil }
        let renewal = renew(destination: destination, token: token)
        held.withLock { $0[id] = HeldLease(destination: destination, token: token, renewal: renewal) }
        return claimed
    }

    /// Keeps the lease while the request is open: every third of its duration, pushed out
    /// by a whole duration, until the outcome is recorded (or the lease is found lost). On a
    /// thread of its own, not a task: the cooperative pool's few threads may all be busy
    /// with blocking work exactly while a request is slow, and a renewal must not wait.
    private func renew(destination: String, token: String) -> LeaseRenewal {
        let renewal = LeaseRenewal()
        let connection = self.connection, site = self.site, duration = leaseDuration
        let thread = Thread {
            while renewal.wait(duration / 3) {
                let kept = try? connection.session { session in
                    try session.query("""
                        UPDATE destination_lease SET expires_at = \(Self.databaseNow) + $4 WHERE site = $1 AND destination = $2 AND token = $3
                        RETURNING 1
                        """, [site, destination, token, duration])
                }
                if kept?.isEmpty == true { return }
            }
        }
        thread.name = "syndicate-lease-renewal"
        thread.start()
        return renewal
    }

    public func record(_ delivery: Delivery, attempt: Attempt?) throws {
        guard let id = delivery.id else { return }
        // Kept (and renewed) until the outcome is written: a write that fails may be retried.
        let lease = held.withLock { $0[id] }
        try write { session in
            let changed: [PGRow]
            if let lease {
                // Only while this worker's lease still stands: once it expired and another
                // worker settled or took the destination, this outcome is not written.
                changed = try session.query("""
                    UPDATE delivery d SET state = $3, attempts = $4, next_attempt_at = $5, last_error = $6, remote_id = $7, remote_url = $8,
                    updated_at = $9, posted_at = $10, lease_token = NULL
                    WHERE d.site = $1 AND d.id = $2 AND d.state = 'sending' AND d.lease_token = $11
                    AND EXISTS (SELECT 1 FROM destination_lease l WHERE l.site = d.site AND l.destination = d.destination AND l.token = $11)
                    RETURNING 1
                    """, Self.outcome(delivery, site: site, id: id) + [lease.token])
                guard !changed.isEmpty else {
                    held.withLock { $0.removeValue(forKey: id) }?.renewal.cancel()
                    throw LeaseLost(destination: lease.destination)
                }
                try session.execute("""
                    UPDATE destination_lease SET token = NULL, holder = NULL, expires_at = NULL WHERE site = $1 AND destination = $2 AND token = $3
                    """, [site, lease.destination, lease.token])
            } else {
                // Settled without sending (by this loop or a command): never over another
                // worker's `sending`.
                changed = try session.query("""
                    UPDATE delivery SET state = $3, attempts = $4, next_attempt_at = $5, last_error = $6, remote_id = $7, remote_url = $8,
                    updated_at = $9, posted_at = $10 WHERE site = $1 AND id = $2 AND state <> 'sending' RETURNING 1
                    """, Self.outcome(delivery, site: site, id: id))
            }
            if let attempt, !changed.isEmpty { try Self.insert(attempt, deliveryID: id, in: session) }
        }
        held.withLock { $0.removeValue(forKey: id) }?.renewal.cancel()
    }

    private static func outcome(_ delivery: Delivery, site: String, id: Int64) -> [PGValue?] {
        [site, id, delivery.state.rawValue, delivery.attempts, delivery.nextAttemptAt, delivery.lastError, delivery.remoteID,
         delivery.remoteURL, delivery.updatedAt, delivery.postedAt]
    }

    /// Only deliveries whose lease has expired (or was never held: one copied from SQLite
    /// mid-send): a live worker may still be waiting for the answer.
    @discardableResult
    public func recoverInterrupted(now: Date) throws -> [Delivery] {
        let stuck = try connection.session { session in
            try session.query("SELECT count(*) FROM delivery WHERE site = $1 AND state = 'sending'", [site]).first?.int(0) ?? 0
        }
        guard stuck > 0 else { return [] }
        return try write { session in
            let expired = try session.query("""
                SELECT \(Self.columns.split(separator: ",").map { "d." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
                FROM delivery d WHERE d.site = $1 AND d.state = 'sending' AND NOT EXISTS (SELECT 1 FROM destination_lease l
                WHERE l.site = d.site AND l.destination = d.destination AND l.token = d.lease_token AND l.expires_at > \(Self.databaseNow))
                FOR UPDATE OF d SKIP LOCKED
                """, [site]).map(Self.delivery)
            return try expired.map { delivery in
                var delivery = delivery
                delivery.state = .unknown
                delivery.lastError = "interrupted while sending: the request may have reached the server"
                delivery.updatedAt = now
                try session.execute("""
                    UPDATE delivery SET state = 'unknown', last_error = $3, updated_at = $4, lease_token = NULL WHERE site = $1 AND id = $2
                    """, [site, delivery.id!, delivery.lastError, now])
                try session.execute("""
                    UPDATE destination_lease SET token = NULL, holder = NULL, expires_at = NULL
                    WHERE site = $1 AND destination = $2 AND (expires_at IS NULL OR expires_at <= \(Self.databaseNow))
                    """, [site, delivery.destination])
                try Self.insert(Attempt(deliveryID: delivery.id!, startedAt: now, durationMs: 0, httpStatus: nil, errorClass: "interrupted",
                                        message: delivery.lastError), deliveryID: delivery.id!, in: session)
                return delivery
            }
        }
    }
}

extension PostgresLedger {
    /// As if this worker died mid-request: its leases are no longer renewed or released
    /// (tests of lease expiry and of a lost lease).
    package func abandonLeases() {
        held.withLock { leases in
            leases.values.forEach { $0.renewal.cancel() }
            leases.removeAll()
        }
    }

    /// Stops renewing the leases held, but keeps their tokens: the worker is merely stalled
    /// (a test of an outcome written after its lease ran out).
    package func stallLeases() {
        held.withLock { leases in leases.values.forEach { $0.renewal.cancel() } }
    }
}

/// Stops a lease's renewal thread.
final class LeaseRenewal: Sendable {
    private let condition = NSCondition()
    private let cancelled = Mutex(false)

    /// Sleeps up to `seconds`; false once cancelled.
    func wait(_ seconds: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if !cancelled.withLock({ $0 }) { _ = condition.wait(until: Date().addingTimeInterval(seconds)) }
        return !cancelled.withLock { $0 }
    }

    func cancel() {
        condition.lock()
        cancelled.withLock { $0 = true }
        condition.broadcast()
        condition.unlock()
    }
}
