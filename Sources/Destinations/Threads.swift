import Foundation
import HTTP
import Posting
import Reviews

/// `threads` (docs/SPEC.md §8; the Threads API: threads/posts, threads_publish,
/// threads_publishing_limit, troubleshooting, refresh_access_token). An IMAGE post of the
/// review's card when it has one, else a TEXT post with the permalink as `link_attachment`;
/// never `auto_publish_text`, so every post goes through `MetaGraph`'s container flow and the
/// kind deduplicates.
public struct ThreadsDestination: DestinationKind {
    public static let kindName = "threads"
    public static let credentialKeys = ["user_id", "access_token"]
    public static let baseURLRule = BaseURLRule.defaulted("https://graph.threads.net/v1.0")
    public static func options(_ table: inout ConfigTable) {}

    static let platform = MetaPlatform(kind: kindName, containerEdge: "threads", textField: "text", publishEdge: "threads_publish", statusField: "status",
                                       statusFields: "status,error_message", quotaEdge: "threads_publishing_limit",
                                       refreshGrant: "th_refresh_token")

    public let name: String
    public let deduplicates = true
    private let template: PostTemplate
    private let graph: MetaGraph

    public init(_ context: DestinationContext, options: Void) {
        name = context.name
        template = context.template(rule: .threads)
        graph = MetaGraph(Self.platform, context: context)
    }

    public func compose(_ review: Review, site: Site) throws -> ComposedPost {
        let text = try template.compose(review, site: site)
        var form = ["text": text.text]
        if let card = MetaCard.url(review, site: site) {
            form["media_type"] = "IMAGE"
            form["image_url"] = card
            if let alt = review.imageAlt, !alt.isEmpty { form["alt_text"] = alt }
        } else {
            form["media_type"] = "TEXT"
            form["link_attachment"] = site.permalink(review)
        }
        return ComposedPost(text: text, payload: try MetaPost(form: form).encoded())
    }

    public func prepare() async { await graph.prepare() }

    public func verify() async -> Verification { await graph.verify() }

    public func send(_ delivery: OutgoingDelivery) async -> SendResult {
        guard let post = MetaPost.decode(delivery.payload) else { return .permanent(message: "the stored post is unreadable", httpStatus: nil) }
        return await graph.deliver(delivery, form: post.form)
    }
}

extension CountingRule {
    /// Threads: at most 500 UTF-8 bytes (what the service enforces, stricter than
    /// characters) and 5 links.
    package static let threads = CountingRule(unit: "UTF-8 bytes", limit: 500, accepts: { TextScanner.urls(in: $0).count <= 5 }) { $0.utf8.count }
}
