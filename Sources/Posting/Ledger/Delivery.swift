import Foundation
import GRDB

/// Where a delivery stands (docs/SPEC.md §6).
public enum DeliveryState: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// Created, not yet tried.
    case pending
    /// Committed just before its request left; found at start-up it means a crash.
    case sending
    /// The destination has it.
    case posted
    /// A retryable failure; tried again at `nextAttemptAt`.
    case retrying
    /// Given up: a permanent error or `max_attempts` reached. `syndicate retry` revives it.
    case dead
    /// The request may have reached the server and no answer came; settled by hand with
    /// `syndicate resolve` unless the destination can deduplicate.
    case unknown

    /// A state this version does not know (a later version's, a hand edit) reads as
    /// `unknown`, which is never sent again without the user: reading the ledger must not
    /// fail (`status` would crash) and the delivery must not be lost or doubled.
    /// `Ledger.unrecognizedStates()` names such states, for a warning.
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> DeliveryState? {
        String.fromDatabaseValue(dbValue).map { DeliveryState(rawValue: $0) ?? .unknown }
    }
}

/// One review on one destination: one attempt series (docs/SPEC.md §6). Reposts are new series.
public struct Delivery: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "delivery"

    public var id: Int64?
    /// The review's identity (`Review.id`: the slug for files, `wordpress:ID`, `feed:…`), or
    /// for a WebSub ping the feed file it announces. Deliveries are keyed on it.
    public var review: String
    /// The review's slug when the delivery was made, for people (`status`, logs); for a
    /// delivery made before identities existed it is `review`, which was the slug.
    public var slug: String
    public var destination: String
    public var kind: String
    /// 0 for the automatic delivery, then 1, 2, … for each `repost`.
    public var series: Int
    public var state: DeliveryState
    public var attempts: Int
    /// Fixed at creation and sent with every attempt, so a deduplicating destination can
    /// recognise a resend.
    public var idempotencyKey: String
    /// What the adapter composed at creation; every attempt sends exactly this.
    public var payload: Data?
    /// The review's publication time, which orders a destination's queue.
    public var reviewDate: Date
    public var nextAttemptAt: Date?
    public var lastError: String?
    public var remoteID: String?
    public var remoteURL: String?
    /// The review's digest when the delivery was created (`Review.contentHash`: a file's
    /// bytes, or a remote item's content as its source digests it).
    public var contentHash: String
    public var createdAt: Date
    public var updatedAt: Date
    public var postedAt: Date?
    /// Recorded as posted without sending by first-run adoption (docs/SPEC.md §6): the review
    /// was already published when `post` first met the destination.
    public var adopted: Bool

    enum CodingKeys: String, CodingKey {
        case id, review, slug, destination, kind, series, state, attempts, idempotencyKey = "idempotency_key", payload
        case reviewDate = "review_date", nextAttemptAt = "next_attempt_at", lastError = "last_error", remoteID = "remote_id"
        case remoteURL = "remote_url", contentHash = "content_hash", createdAt = "created_at", updatedAt = "updated_at"
        case postedAt = "posted_at", adopted
    }

    // Dates are stored as epoch seconds, so SQL can compare `next_attempt_at` with a number.
    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { .timeIntervalSince1970 }
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { .timeIntervalSince1970 }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// - Parameter slug: for people; default: `review`.
    public init(review: String, slug: String? = nil, destination: String, kind: String, series: Int, idempotencyKey: String,
                payload: Data?, reviewDate: Date, contentHash: String, now: Date) {
        self.review = review
        self.slug = slug ?? review
        self.adopted = false
        self.destination = destination
        self.kind = kind
        self.series = series
        self.state = .pending
        self.attempts = 0
        self.idempotencyKey = idempotencyKey
        self.payload = payload
        self.reviewDate = reviewDate
        self.contentHash = contentHash
        self.createdAt = now
        self.updatedAt = now
    }
}

extension Delivery {
    /// A series-0 delivery recorded as posted without anything sent: adopted by a first run
    /// (docs/SPEC.md §6) or marked by hand (`mark-posted`). The same in every ledger store.
    public static func postedWithoutSending(review: (id: String, slug: String, date: Date, contentHash: String),
                                            destination: (name: String, kind: String), now: Date, adopted: Bool) -> Delivery {
        var delivery = Delivery(review: review.id, slug: review.slug, destination: destination.name, kind: destination.kind,
                                series: 0, idempotencyKey: IdempotencyKey.random(), payload: nil, reviewDate: review.date,
                                contentHash: review.contentHash, now: now)
        delivery.state = .posted
        delivery.postedAt = now
        delivery.adopted = adopted
        if !adopted { delivery.lastError = Self.markedByHand }
        return delivery
    }

    /// An unposted delivery settled as posted by hand (`mark-posted`).
    public mutating func markPostedByHand(now: Date) {
        state = .posted
        postedAt = now
        updatedAt = now
        nextAttemptAt = nil
        lastError = Self.markedByHand
    }

    static let markedByHand = "marked as posted by hand"
}

/// One HTTP exchange (or program run) of a delivery.
public struct Attempt: Codable, Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "attempt"

    /// Its number among its delivery's attempts (1, 2, …), given by the ledger when stored.
    public var id: Int64?
    public var deliveryID: Int64
    public var startedAt: Date
    public var durationMs: Int
    public var httpStatus: Int?
    /// `posted`, `retryable`, `permanent`, `not_sent`, `no_answer`, `interrupted`.
    public var errorClass: String?
    /// Redacted before it is stored.
    public var message: String?

    enum CodingKeys: String, CodingKey {
        case id, deliveryID = "delivery_id", startedAt = "started_at", durationMs = "duration_ms"
        case httpStatus = "http_status", errorClass = "error_class", message
    }

    // Epoch seconds, like the delivery's dates.
    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { .timeIntervalSince1970 }

    public init(deliveryID: Int64, startedAt: Date, durationMs: Int, httpStatus: Int?, errorClass: String?, message: String?) {
        self.deliveryID = deliveryID
        self.startedAt = startedAt
        self.durationMs = durationMs
        self.httpStatus = httpStatus
        self.errorClass = errorClass
        self.message = message
    }
}
