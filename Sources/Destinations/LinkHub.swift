import Foundation
import HTTP
import Posting
import Reviews

/// `linkhub` (docs/SPEC.md §8): a Linktree-style page of the newest reviews. `PUT /links/{slug}` is an
/// upsert, so resending is safe; after each put, the links this adapter created for older
/// reviews beyond the newest `keep` are deleted. Which links it created is kept in
/// `.syndicate/linkhub-NAME.json`, so links made by hand are never touched.
public struct LinkHubDestination: DestinationKind {
    public static let kindName = "linkhub"
    public static let credentialKeys = ["token"]
    /// Link page services are many: the API root must be named.
    public static let baseURLRule = BaseURLRule.required

    /// `keep`: how many of the newest reviews' links stay.
    public static func options(_ table: inout ConfigTable) -> Int {
        table.int("keep", range: 1...1000) ?? 5
    }

    public let name: String
    public let deduplicates = true
    private let baseURL: String
    private let token: String
    private let keep: Int
    private let created: CreatedLinks
    private let http: any HTTPClient
    private let timeout: Double
    private let clock: @Sendable () -> Date

    public init(_ context: DestinationContext, options keep: Int) {
        name = context.name
        baseURL = context.baseURL ?? ""
        token = context.secret("token")
        self.keep = keep
        created = CreatedLinks(url: context.site.directory.appendingPathComponent(".syndicate/linkhub-\(context.name).json"))
        http = context.http
        timeout = context.timeout
        clock = context.clock
    }

    struct Payload: Codable {
        var slug: String
        var date: Double
        var link: Link
        struct Link: Codable {
            var title: String
            var url: String
            var thumbnail_url: String?
            var position: Int
        }
    }

    public func compose(_ review: Review, site: Site) throws -> ComposedPost {
        let title = review.year.map { "\(review.title) (\($0))" } ?? review.title
        let link = Payload.Link(title: title, url: site.permalink(review),
                                thumbnail_url: review.image.map { site.absoluteURL($0, relativeTo: review) }, position: 0)
        let payload = Payload(slug: review.slug, date: review.date.timeIntervalSince1970, link: link)
        let text = ComposedText(text: "\(title) → \(link.url)", count: title.count, limit: nil, unit: "characters", shortened: false)
        return ComposedPost(text: text, payload: try JSONCoding.encode(payload))
    }

    public func send(_ delivery: OutgoingDelivery) async -> SendResult {
        guard let payload = try? JSONDecoder().decode(Payload.self, from: delivery.payload) else {
            return .permanent(message: "the stored post is unreadable", httpStatus: nil)
        }
        let path = "/links/" + OAuth1Signer.percent(payload.slug)
        let request: HTTPRequest
        do {
            request = try HTTPRequest.json("PUT", baseURL + path, payload.link, headers: ["Authorization": "Bearer \(token)"], timeout: timeout)
        } catch {
            return .permanent(message: "cannot encode the link", httpStatus: nil)
        }
        let exchange = await ResponseClassifier.exchange(http, request, now: clock)
        guard case .answered(let response) = exchange else { return exchange.settled }
        created.add(payload.slug, date: payload.date)
        await prune()
        return .posted(remoteID: payload.slug, remoteURL: baseURL + path, httpStatus: response.status)
    }

    /// Deletes this adapter's links beyond the newest `keep`. A link already gone (404) counts
    /// as deleted; any other failure leaves it listed, to try again after the next put.
    private func prune() async {
        for slug in created.beyond(keep) {
            var request = HTTPRequest(method: "DELETE", url: baseURL + "/links/" + OAuth1Signer.percent(slug), timeout: timeout)
            request.headers["Authorization"] = "Bearer \(token)"
            if let response = try? await http.send(request), response.isSuccess || response.status == 404 {
                created.remove(slug)
            }
        }
    }

    /// The links this adapter put on the page, with their reviews' dates.
    struct CreatedLinks: Sendable {
        /// Each link's slug and its review's date.
        private let file: PrivateFile<[String: Double]>

        init(url: URL) { file = PrivateFile(url: url) }

        private func load() -> [String: Double] { file.load() ?? [:] }

        private func save(_ links: [String: Double]) { file.save(links) }

        func add(_ slug: String, date: Double) {
            var links = load()
            links[slug] = date
            save(links)
        }

        func remove(_ slug: String) {
            var links = load()
            links[slug] = nil
            save(links)
        }

        /// Slugs older than the newest `keep`, oldest last.
        func beyond(_ keep: Int) -> [String] {
            load().sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.dropFirst(keep).map(\.key)
        }
    }
}
