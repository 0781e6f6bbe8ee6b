import Foundation
import Reviews

/// Picks and renders the template for one review on one destination: the review's own
/// `syndicate.text.NAME` when it has one (a Mustache template like any other), else the
/// destination's `template`, else the kind's default.
public struct PostTemplate: Sendable {
    public var destinationName: String
    public var rule: CountingRule
    /// Parsed once: a backlog composes hundreds of posts from it.
    private let standard: Result<Composer, CompositionError>

    public init(destinationName: String, configured: String?, fallback: String, rule: CountingRule) {
        self.destinationName = destinationName
        self.rule = rule
        do {
            standard = .success(try Composer(template: configured ?? fallback, rule: rule))
        } catch {
            standard = .failure(error)
        }
    }

    /// - Parameter rule: a rule for this review only (default: the template's).
    public func compose(_ review: Review, site: Site, rule: CountingRule? = nil) throws(CompositionError) -> ComposedText {
        let variables = TemplateVariables(review: review, site: site)
        let rule = rule ?? self.rule
        if let own = review.syndication.text[destinationName] {
            return try Composer(template: own, rule: rule).compose(variables)
        }
        return try standard.get().compose(variables, rule: rule)
    }
}
