import Foundation
import Posting

extension PostgresLedger {
    public func deliveries(reviews: Set<String>?, destinations: [String]?) throws -> [Delivery] {
        try connection.session { session in
            try session.query("""
                SELECT \(Self.columns) FROM delivery WHERE site = $1
                AND ($2::text[] IS NULL OR review = ANY($2::text[])) AND ($3::text[] IS NULL OR destination = ANY($3::text[]))
                ORDER BY review_date, review, destination, series
                """, [site, reviews.map { Array($0) }, destinations]).map(Self.delivery)
        }
    }

    public func reviews(named argument: String) throws -> Set<String> {
        try connection.session { session in
            Set(try session.query("SELECT DISTINCT review FROM delivery WHERE site = $1 AND (review = $2 OR slug = $2)", [site, argument])
                .compactMap { $0.string(0) })
        }
    }

    public func metDestinations(_ names: [String]) throws -> Set<String> {
        try connection.session { session in
            Set(try session.query("""
                SELECT wanted.n FROM unnest($2::text[]) AS wanted(n)
                WHERE EXISTS (SELECT 1 FROM delivery d WHERE d.site = $1 AND d.destination = wanted.n)
                OR EXISTS (SELECT 1 FROM met_destination m WHERE m.site = $1 AND m.name = wanted.n)
                """, [site, names]).compactMap { $0.string(0) })
        }
    }

    public func unrecognizedStates() throws -> [(state: String, count: Int)] {
        try connection.session { session in
            try session.query("""
                SELECT state, count(*) FROM delivery WHERE site = $1 AND NOT (state = ANY($2::text[])) GROUP BY state ORDER BY state
                """, [site, DeliveryState.allCases.map(\.rawValue)]).map { (state: $0.string(0) ?? "", count: $0.int(1) ?? 0) }
        }
    }

    public func reviewsWithDelivery(destinations: [String]) throws -> [String: Set<String>] {
        try connection.session { session in
            var result: [String: Set<String>] = [:]
            for row in try session.query("""
                SELECT DISTINCT destination, review FROM delivery WHERE site = $1 AND series = 0 AND destination = ANY($2::text[])
                """, [site, destinations]) {
                result[row.string(0) ?? "", default: []].insert(row.string(1) ?? "")
            }
            return result
        }
    }

    public func due(at now: Date, destinations: [String]) throws -> [Delivery] {
        try connection.session { session in
            try session.query("""
                SELECT \(Self.columns) FROM delivery WHERE site = $1 AND destination = ANY($2::text[])
                AND (state = 'pending' OR (state = 'retrying' AND next_attempt_at <= $3))
                ORDER BY review_date, review, series
                """, [site, destinations, now]).map(Self.delivery)
        }
    }

    public func nextRetry(destinations: [String]) throws -> Date? {
        try connection.session { session in
            try session.query("""
                SELECT MIN(next_attempt_at) FROM delivery WHERE site = $1 AND state = 'retrying' AND destination = ANY($2::text[])
                """, [site, destinations]).first?.date(0)
        }
    }

    public func checkpoint(of deliveryID: Int64) throws -> String? {
        try connection.session { session in
            try session.query("SELECT checkpoint FROM delivery WHERE site = $1 AND id = $2", [site, deliveryID]).first?.string(0)
        }
    }

    public func attempts(of deliveryID: Int64) throws -> [Attempt] {
        try connection.session { session in
            try session.query("""
                SELECT a.id, a.started_at, a.duration_ms, a.http_status, a.error_class, a.message FROM attempt a
                JOIN delivery d ON d.id = a.delivery_id WHERE d.site = $1 AND a.delivery_id = $2 ORDER BY a.id
                """, [site, deliveryID]).map { row in
                var attempt = Attempt(deliveryID: deliveryID, startedAt: row.date(1) ?? .distantPast, durationMs: row.int(2) ?? 0,
                                      httpStatus: row.int(3), errorClass: row.string(4), message: row.string(5))
                attempt.id = row.int64(0)
                return attempt
            }
        }
    }

    public func nextSeries(review: String, destination: String) throws -> Int {
        try connection.session { session in
            (try session.query("SELECT MAX(series) FROM delivery WHERE site = $1 AND review = $2 AND destination = $3",
                               [site, review, destination]).first?.int(0) ?? -1) + 1
        }
    }

    public func hadNoAnswer(_ deliveryID: Int64) throws -> Bool {
        try connection.session { session in
            try session.query("""
                SELECT EXISTS (SELECT 1 FROM attempt WHERE delivery_id = $1 AND error_class IN ('no_answer', 'interrupted')
                AND id > COALESCE((SELECT MAX(id) FROM attempt WHERE delivery_id = $1 AND error_class = 'resolved'), 0))
                """, [deliveryID]).first?.bool(0) ?? false
        }
    }

    public func version() throws -> Int64 {
        try connection.session { session in
            try session.query("SELECT version FROM site_version WHERE site = $1", [site]).first?.int64(0) ?? 0
        }
    }
}
