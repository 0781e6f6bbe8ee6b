import Foundation

/// What the commands and the dispatch loop ask of a delivery ledger (docs/SPEC.md §6, §11),
/// whichever store keeps it: `Ledger` (SQLite, one site, the default) or the PostgreSQL store
/// (many sites and many workers). One test suite runs against both (LedgerStoreSuite).
///
/// Every method is one short transaction or a read; none is held across an HTTP request.
public protocol LedgerStore: Sendable {
    // MARK: Reads

    /// Every delivery, optionally of some reviews (identities) and/or some destinations,
    /// oldest review first.
    func deliveries(reviews: Set<String>?, destinations: [String]?) throws -> [Delivery]
    /// The identities of the reviews whose deliveries a SLUG argument names.
    func reviews(named argument: String) throws -> Set<String>
    /// Which of these destinations `post` has met before (first-run adoption).
    func metDestinations(_ names: [String]) throws -> Set<String>
    /// States this version does not know, with their counts (they read as `unknown`).
    func unrecognizedStates() throws -> [(state: String, count: Int)]
    /// destination → the reviews that have an automatic (series 0) delivery there.
    func reviewsWithDelivery(destinations: [String]) throws -> [String: Set<String>]
    /// Deliveries that should be sent now, oldest review first.
    func due(at now: Date, destinations: [String]) throws -> [Delivery]
    /// The earliest scheduled retry among these destinations.
    func nextRetry(destinations: [String]) throws -> Date?
    /// The checkpoint an earlier attempt of the delivery saved, if any.
    func checkpoint(of deliveryID: Int64) throws -> String?
    /// A delivery's attempts, first first.
    func attempts(of deliveryID: Int64) throws -> [Attempt]
    /// The next series number for a review on a destination (for `repost`).
    func nextSeries(review: String, destination: String) throws -> Int
    /// Whether a request of this delivery went out and got no answer since it was last
    /// settled by hand.
    func hadNoAnswer(_ deliveryID: Int64) throws -> Bool
    /// A counter that moves on every write (the idle marker compares it).
    func version() throws -> Int64

    // MARK: Writes

    /// Inserts new deliveries in one transaction; returns them with their ids.
    @discardableResult
    func insert(_ deliveries: [Delivery]) throws -> [Delivery]
    /// Commits `sending` before the request leaves. Returns the delivery to send now, or nil
    /// when nothing may be sent on its destination now (it was settled meanwhile; with
    /// several workers, another holds the destination, or a rate-limit wait stands).
    ///
    /// The SQLite store marks exactly `delivery`. The PostgreSQL store claims the
    /// destination's lease and marks that destination's oldest due delivery, which is
    /// `delivery` unless another worker changed the queue since it was read.
    func markSending(_ delivery: Delivery, now: Date) throws -> Delivery?
    /// Keeps what an adapter did within an attempt, committed at once.
    func saveCheckpoint(_ value: String, for deliveryID: Int64) throws
    /// Stores a delivery's new state with the attempt that led to it, in one transaction.
    /// After `markSending`, it also releases the destination's lease; when that lease was
    /// lost meanwhile it throws `LeaseLost` and writes nothing.
    func record(_ delivery: Delivery, attempt: Attempt?) throws
    /// Deliveries left `sending` by a run that died become `unknown` (with the PostgreSQL
    /// store: only those whose lease has expired).
    @discardableResult
    func recoverInterrupted(now: Date) throws -> [Delivery]
    /// Applies `change` to every delivery matching `filter`, in one transaction.
    func update(where filter: @escaping @Sendable (Delivery) -> Bool, _ change: @escaping @Sendable (inout Delivery) -> Void) throws -> [Delivery]
    /// First-run adoption; returns how many deliveries were recorded.
    @discardableResult
    func adopt(reviews: [(id: String, slug: String, date: Date, contentHash: String)], destinations: [(name: String, kind: String)],
               now: Date) throws -> Int
    /// `mark-posted`; returns how many changed.
    func markPosted(reviews: [(id: String, slug: String, date: Date, contentHash: String)], destinations: [(name: String, kind: String)],
                    now: Date) throws -> Int
    /// A wait a destination asked for (Retry-After, a rate-limit reset): no delivery of it is
    /// sent before `date`. The PostgreSQL store keeps it on the destination's row, so every
    /// worker honours it; the SQLite store has one worker, whose retry time holds it already.
    func holdDestination(_ name: String, until date: Date) throws
}

extension LedgerStore {
    public func deliveries() throws -> [Delivery] { try deliveries(reviews: nil, destinations: nil) }
    public func deliveries(reviews: Set<String>) throws -> [Delivery] { try deliveries(reviews: reviews, destinations: nil) }
    public func deliveries(destinations: [String]) throws -> [Delivery] { try deliveries(reviews: nil, destinations: destinations) }
}

/// The outcome of an attempt could not be written: the worker's lease on the destination
/// expired (it was stopped too long) and another worker may have taken the delivery over.
public struct LeaseLost: Error, Sendable, CustomStringConvertible {
    public var destination: String
    public init(destination: String) { self.destination = destination }
    public var description: String {
        "the lease on \(destination) expired before the outcome was written; the delivery is settled as unknown by the next run"
    }
}

extension Ledger: LedgerStore {
    /// One worker per site (the post lock): the delivery's own retry time holds the wait.
    public func holdDestination(_ name: String, until date: Date) throws {}
}
