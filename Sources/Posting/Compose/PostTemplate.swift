import Foundation
import Reviews

/// Picks and renders the template for one review on one destination: the review's own
/// `syndicate.text.NAME` when it has one (a Mustache template like any other), else the
/// destination's `template`, else the kind's default.
public struct PostTemplate: Sendable {
    public var destinationName: String
    public var configured: String?
    public var fallback: String
    public var rule: CountingRule

    public init(destinationName: String, configured: String?, fallback: String, rule: CountingRule) {
        self.destinationName = destinationName
        self.configured = configured
        self.fallback = fallback
        self.rule = rule
    }

    public func compose(_ review: Review, site: Site) throws(CompositionError) -> ComposedText {
        let template = review.syndication.text[destinationName] ?? configured ?? fallback
        return try Composer(template: template, rule: rule).compose(TemplateVariables(review: review, site: site))
    }
}
