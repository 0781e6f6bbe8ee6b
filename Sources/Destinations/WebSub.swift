import Foundation
import HTTP
import Posting
import Reviews

/// The WebSub ping (docs/SPEC.md §8): `hub.mode=publish` for a feed that changed. Pinging twice is
/// harmless, so a ping with no answer is simply sent again.
public struct WebSubDestination: Destination {
    public let name = WebSubKind.name
    public let kind = WebSubKind.name
    public let deduplicates = true
    private let hub: String
    private let feedsPublicURL: String
    private let http: any HTTPClient
    private let timeout: Double
    private let clock: @Sendable () -> Date

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
        let feed = String(decoding: delivery.payload, as: UTF8.self)
        let request = HTTPRequest.form("POST", hub, [("hub.mode", "publish"), ("hub.url", feedsPublicURL + feed)], timeout: timeout)
        let exchange = await ResponseClassifier.exchange(http, request, now: clock)
        guard case .answered(let response) = exchange else { return exchange.settled }
        return .posted(remoteID: nil, remoteURL: nil, httpStatus: response.status)
    }
}
