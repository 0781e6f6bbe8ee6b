import Foundation
import HTTP
import Reviews

/// A place reviews are posted to.
///
/// What every conformer guarantees:
/// - `compose` is pure and offline: the same review gives the same post, and it is what
///   `preview` prints. Its `payload` is stored with the delivery; every attempt of that
///   delivery sends exactly that payload, with the delivery's idempotency key.
/// - `send` never throws and never retries on its own: it makes one attempt and reports it
///   as a `SendResult`, classifying failures honestly. A request that may have reached the
///   server without an answer is `.unknown`, never `.retryable`, unless the destination
///   deduplicates (`deduplicates == true`), in which case resending the payload with the
///   same key cannot create a second post.
/// - Secrets stay inside the adapter; messages it returns may be shown and stored (they are
///   redacted again before that, as a second line of defence).
///
/// The kinds a config names conform to `DestinationKind` (in the Destinations target), which
/// adds what the config and the registry need; the WebSub ping is a destination of no kind.
public protocol Destination: Sendable {
    /// The destination's unique name (its credentials table, its column in the ledger).
    var name: String { get }
    /// Its kind, as `status` shows it.
    var kind: String { get }
    /// Whether resending a delivery (same payload, same key) can never post twice.
    var deduplicates: Bool { get }
    /// What would be posted for `review`, measured under this destination's rule. Offline:
    /// whatever it needs from the service comes from `prepare`'s cache.
    func compose(_ review: Review, site: Site) throws -> ComposedPost
    /// Called once per run, before any delivery of this destination is composed or sent, and
    /// only when one is about to be: the place to refresh cached limits. Best effort.
    func prepare() async
    /// Whether a delivery created at `createdAt` may be resent now, same key and payload,
    /// without risk of a second post (default: `deduplicates`).
    func resendIsSafe(createdAt: Date, now: Date) -> Bool
    /// The key fixed when a delivery is created (default: a random UUID).
    func newIdempotencyKey(now: Date) -> String
    /// Checks the credentials with a harmless call (`check --online`); never posts.
    func verify() async -> Verification
    /// One attempt at delivering.
    func send(_ delivery: OutgoingDelivery) async -> SendResult
}

/// What `check --online` learnt about a destination's credentials.
public enum Verification: Sendable, Equatable {
    case ok(String)
    case failed(String)
    /// The service offers no harmless call to check with.
    case unsupported(String)
}

extension Destination {
    public func prepare() async {}

    public func verify() async -> Verification { .unsupported("no harmless call to check the credentials with") }

    /// Whether a delivery created at `createdAt` may be resent now with the same key and
    /// payload without risk of a second post. Services that forget keys after a while
    /// (Mastodon: one hour) say no once that time has passed.
    public func resendIsSafe(createdAt: Date, now: Date) -> Bool { deduplicates }

    /// A fresh idempotency key; adapters whose service needs a particular shape (Bluesky's
    /// record keys are TIDs) provide their own.
    public func newIdempotencyKey(now: Date) -> String { IdempotencyKey.random() }
}

/// A composed post: the text people will read, how it measures up, and the adapter's payload.
public struct ComposedPost: Sendable {
    public var text: ComposedText
    /// Adapter-specific, stored in the ledger with the delivery.
    public var payload: Data
    /// A content warning sent beside the text (and counted with it), for `preview` to show.
    public var contentWarning: String?

    public init(text: ComposedText, payload: Data, contentWarning: String? = nil) {
        self.text = text
        self.payload = payload
        self.contentWarning = contentWarning
    }
}

/// What an adapter gets for one attempt.
public struct OutgoingDelivery: Sendable {
    /// The review's slug (what people and `command` programs know it by).
    public var review: String
    public var idempotencyKey: String
    public var payload: Data
    /// 1 for the first attempt.
    public var attempt: Int
    public var createdAt: Date
    /// What earlier attempts of this delivery got done, and where to keep what this one does.
    public var checkpoint: DeliveryCheckpoint

    public init(review: String, idempotencyKey: String, payload: Data, attempt: Int, createdAt: Date,
                checkpoint: DeliveryCheckpoint = .none) {
        self.review = review
        self.idempotencyKey = idempotencyKey
        self.payload = payload
        self.attempt = attempt
        self.createdAt = createdAt
        self.checkpoint = checkpoint
    }
}

/// Progress within one delivery that must survive a crash: a step with an effect of its own
/// before the post (Mastodon's media upload) is saved here as soon as it is done, and the
/// next attempt reads it back instead of doing the step again. Kept in the ledger with the
/// delivery (its `checkpoint` column).
public struct DeliveryCheckpoint: Sendable {
    /// What an earlier attempt saved, nil when none did.
    public var value: String?
    private let store: @Sendable (String) -> Bool

    public init(value: String?, store: @escaping @Sendable (String) -> Bool) {
        self.value = value
        self.store = store
    }

    /// Nothing saved, nowhere to save (a delivery outside the ledger: the fuzzers).
    public static let none = DeliveryCheckpoint(value: nil) { _ in false }

    /// Saves `value`, committed before it returns.
    /// - Returns: false when it could not be saved.
    @discardableResult
    public func save(_ value: String) -> Bool { store(value) }
}

/// How one attempt ended.
public enum SendResult: Sendable, Equatable {
    /// The destination has the post. The URL may be unknown (a 2xx with an unreadable body).
    case posted(remoteID: String?, remoteURL: String?, httpStatus: Int?)
    /// Worth trying again, not before `notBefore` when the server said so.
    case retryable(message: String, httpStatus: Int?, notBefore: Date?, errorClass: String)
    /// Will not succeed by retrying: the server's own message.
    case permanent(message: String, httpStatus: Int?)
    /// May or may not have been posted.
    case unknown(message: String, httpStatus: Int?)
}

/// Random idempotency keys.
public enum IdempotencyKey {
    /// A version 4 UUID in lower case.
    public static func random() -> String { UUID().uuidString.lowercased() }
}
