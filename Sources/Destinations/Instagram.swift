import Foundation
import HTTP
import Posting
import Reviews

/// `instagram` (docs/SPEC.md §8; the Instagram API with Instagram Login: content-publishing,
/// ig-user/media, media_publish, content_publishing_limit, refresh_access_token). The
/// review's card goes out by its public URL with the caption; the container flow of
/// `MetaGraph` makes every resend safe, so the kind deduplicates.
public struct InstagramDestination: DestinationKind {
    public static let kindName = "instagram"
    public static let credentialKeys = ["user_id", "access_token"]
    public static let baseURLRule = BaseURLRule.defaulted("https://graph.instagram.com/v21.0")
    public static func options(_ table: inout ConfigTable) {}

    static let platform = MetaPlatform(kind: kindName, containerEdge: "media", textField: "caption", publishEdge: "media_publish", statusField: "status_code",
                                       statusFields: "status_code,status", quotaEdge: "content_publishing_limit",
                                       refreshGrant: "ig_refresh_token")

    /// Links in captions are not clickable: the reader is sent to the bio (the link hub).
    public static let defaultTemplate = """
    {{#headline}}{{headline}}
    {{/headline}}{{title}}{{#year}} ({{year}}){{/year}}{{#rating}} {{rating}}{{/rating}}

    {{summary}}

    Link in bio{{#hashtags}}

    {{hashtags}}{{/hashtags}}
    """

    public let name: String
    public let deduplicates = true
    private let template: PostTemplate
    private let graph: MetaGraph

    public init(_ context: DestinationContext, options: Void) {
        name = context.name
        template = context.template(fallback: Self.defaultTemplate, rule: .instagram)
        graph = MetaGraph(Self.platform, context: context)
    }

    public func compose(_ review: Review, site: Site) throws -> ComposedPost {
        guard let card = MetaCard.url(review, site: site) else {
            throw MetaCompositionError(description: "Instagram posts need an image: this review has none (`image`), so it has no card"
                                       + (site.config.images.cards ? "" : " ([images] cards is off)"))
        }
        let text = try template.compose(review, site: site)
        var form = ["image_url": card, "caption": text.text]
        if let alt = review.imageAlt, !alt.isEmpty { form["alt_text"] = alt }
        return ComposedPost(text: text, payload: try MetaPost(form: form).encoded())
    }

    public func prepare() async { await graph.prepare() }

    public func verify() async -> Verification { await graph.verify() }

    public func send(_ delivery: OutgoingDelivery) async -> SendResult {
        guard let post = MetaPost.decode(delivery.payload) else { return .permanent(message: "the stored post is unreadable", httpStatus: nil) }
        return await graph.deliver(delivery, form: post.form)
    }
}

/// Instagram's caption rules, counted as the service would (the conservative reading).
package enum InstagramCaption {
    /// @mentions: `@` at a start or after white space, then a letter, digit, `_` or `.`.
    package static func mentions(in text: String) -> Int {
        var count = 0
        var previous: Character = " "
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            if text[index] == "@", previous.isWhitespace, next < text.endIndex,
               text[next].isLetter || text[next].isNumber || text[next] == "_" || text[next] == "." {
                count += 1
            }
            previous = text[index]
            index = next
        }
        return count
    }
}

extension CountingRule {
    /// Instagram: at most 2,200 UTF-16 code units, 30 hashtags and 20 @mentions.
    package static let instagram = CountingRule(unit: "UTF-16 code units", limit: 2200, accepts: { text in
        TextScanner.hashtags(in: text).count <= 30 && InstagramCaption.mentions(in: text) <= 20
    }) { $0.utf16.count }
}
