import Foundation
import GRDB

extension Ledger {
    /// Every delivery, optionally of some reviews (identities) and/or some destinations,
    /// oldest review first.
    public func deliveries(reviews: Set<String>?, destinations: [String]?) throws -> [Delivery] {
        try database.read { db in
            var request = Delivery.all()
            if let reviews { request = request.filter(reviews.contains(Column("review"))) }
            if let destinations { request = request.filter(destinations.contains(Column("destination"))) }
            return try request.order(Column("review_date"), Column("review"), Column("destination"), Column("series")).fetchAll(db)
        }
    }

    /// The identities of the reviews whose deliveries a SLUG argument names: deliveries keyed
    /// on it (an identity, or a slug that is one) or made when the review had that slug.
    public func reviews(named argument: String) throws -> Set<String> {
        try database.read { db in
            Set(try String.fetchAll(db, sql: "SELECT DISTINCT review FROM delivery WHERE review = ?1 OR slug = ?1", arguments: [argument]))
        }
    }

    /// Which of these destinations `post` has met before (docs/SPEC.md §6): those with any
    /// delivery at all (of any series, in any state, made by any version), and those
    /// first-run adoption recorded with nothing to adopt.
    public func metDestinations(_ names: [String]) throws -> Set<String> {
        try database.read { db in
            var met: Set<String> = []
            for name in names {
                // One index probe each, not a scan: this runs on every cron tick that is not idle.
                let found = try Bool.fetchOne(db, sql: """
                    SELECT EXISTS (SELECT 1 FROM delivery WHERE destination = ?1) OR EXISTS (SELECT 1 FROM met_destination WHERE name = ?1)
                    """, arguments: [name]) ?? false
                if found { met.insert(name) }
            }
            return met
        }
    }

    /// The states in the ledger this version does not know, with how many deliveries are in
    /// each: they read as `unknown` (`DeliveryState.fromDatabaseValue`).
    public func unrecognizedStates() throws -> [(state: String, count: Int)] {
        try database.read { db in
            let known = DeliveryState.allCases.map(\.rawValue)
            return try Row.fetchAll(db, sql: "SELECT state, count(*) FROM delivery WHERE state NOT IN (\(databaseQuestionMarks(count: known.count))) "
                                    + "GROUP BY state ORDER BY state", arguments: StatementArguments(known))
                .map { (state: $0[0], count: $0[1]) }
        }
    }

    /// The reviews (identities) that already have an automatic (series 0) delivery on each
    /// destination: the question `post` asks of every review on every run, answered without
    /// loading whole rows.
    public func reviewsWithDelivery(destinations: [String]) throws -> [String: Set<String>] {
        try database.read { db in
            // One row per review rather than per delivery: a ledger of 10,000 reviews on six
            // destinations has 60,000 deliveries.
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

    /// Deliveries that should be sent now: pending ones and retries whose time has come,
    /// oldest review first.
    public func due(at now: Date, destinations: [String]) throws -> [Delivery] {
        try database.read { db in
            try Delivery.fetchAll(db, sql: """
                SELECT * FROM delivery WHERE destination IN (\(Self.placeholders(destinations.count)))
                AND (state = 'pending' OR (state = 'retrying' AND next_attempt_at <= ?))
                ORDER BY review_date, review, series
                """, arguments: StatementArguments(destinations) + [now.timeIntervalSince1970])
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

    /// The checkpoint an earlier attempt of the delivery saved, if any.
    public func checkpoint(of deliveryID: Int64) throws -> String? {
        try database.read { db in try String.fetchOne(db, sql: "SELECT checkpoint FROM delivery WHERE id = ?", arguments: [deliveryID]) }
    }

    /// A delivery's attempts, first first.
    public func attempts(of deliveryID: Int64) throws -> [Attempt] {
        try database.read { db in try Attempt.filter(Column("delivery_id") == deliveryID).order(Column("id")).fetchAll(db) }
    }

    /// The next series number for a review on a destination (for `repost`).
    public func nextSeries(review: String, destination: String) throws -> Int {
        try database.read { db in
            let max = try Int.fetchOne(db, sql: "SELECT MAX(series) FROM delivery WHERE review = ? AND destination = ?",
                                       arguments: [review, destination])
            return (max ?? -1) + 1
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
}

extension Ledger {
    /// The destinations first-run adoption recorded as met, with when (`ledger copy`).
    package func metDestinationRecords() throws -> [(name: String, metAt: Date)] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT name, met_at FROM met_destination ORDER BY name")
                .map { (name: $0[0], metAt: Date(timeIntervalSince1970: $0[1])) }
        }
    }
}
