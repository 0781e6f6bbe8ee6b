import Foundation
import HTTP
import Posting
import Reviews
import Synchronization

/// The WebSub ping (docs/SPEC.md §8): `hub.mode=publish` for a feed that changed. Pinging twice is
/// harmless, so a ping with no answer is simply sent again.
///
/// A hub that does not answer one ping will not answer the next ones in the same run either:
/// once a ping goes unanswered, the run's other pings are not sent but left due for the next
/// `post`, so a hanging hub costs a `build` one `post.timeout`, not one per changed feed.
public struct WebSubDestination: Destination {
    public let name = WebSubKind.name
    public let kind = WebSubKind.name
    public let deduplicates = true
    private let hub: String
    private let feedsPublicURL: String
    private let http: any HTTPClient
    private let timeout: Double
    private let clock: @Sendable () -> Date
    /// Set once a ping of this run went unanswered (a reference, shared by the copies of this value).
    private let silent = Flag()

    public init(hub: String, feedsPublicURL: String, http: any HTTPClient, timeout: Double, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.hub = hub
        self.feedsPublicURL = feedsPublicURL
        self.http = http
        self.timeout = timeout
        self.clock = clock
    }

    public func compose(_ review: Review, site: Site) throws -> ComposedPost {
        // Pings announce feeds, not reviews; the payload is the feed's path.
        ComposedPost(text: ComposedText(text: "", count: 0, limit: nil, unit: "", shortened: false), payload: Data())
    }

    public func send(_ delivery: OutgoingDelivery) async -> SendResult {
        if silent.isSet {
            return .retryable(message: "not sent: the hub did not answer an earlier ping of this run", httpStatus: nil,
                              notBefore: nil, errorClass: "not_sent")
        }
        let feed = String(decoding: delivery.payload, as: UTF8.self)
        let request = HTTPRequest.form("POST", hub, [("hub.mode", "publish"), ("hub.url", feedsPublicURL + feed)], timeout: timeout)
        let exchange = await ResponseClassifier.exchange(http, request, now: clock)
        guard case .answered(let response) = exchange else {
            let result = exchange.settled
            // No HTTP status: no answer at all (a timeout, a refused or dropped connection).
            switch result {
            case .retryable(_, nil, _, _), .unknown(_, nil), .permanent(_, nil): silent.set()
            default: break
            }
            return result
        }
        return .posted(remoteID: nil, remoteURL: nil, httpStatus: response.status)
    }
}

/// A flag set once, by any of the tasks of a run.
private final class Flag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
