import Foundation
import Mustache
import Reviews

/// Composes a post from a Mustache template and a review, and makes it fit.
///
/// When the text is over the limit the summary is shortened at a word boundary and ends in
/// "…" (so a URL, a hashtag or a grapheme cluster is never cut); if even an empty summary
/// does not fit, the hashtags go, then the headline. A template that still does not fit is
/// an error naming the count and the limit.
public struct Composer: Sendable {
    public var template: MustacheTemplate
    public var rule: CountingRule

    /// - Parameter template: Mustache text; it renders as plain text (no HTML escaping).
    public init(template: String, rule: CountingRule) throws(CompositionError) {
        do {
            self.template = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + template)
        } catch {
            throw CompositionError.badTemplate("\(error)")
        }
        self.rule = rule
    }

    public func compose(_ variables: TemplateVariables) throws(CompositionError) -> ComposedText {
        try compose(variables, rule: rule)
    }

    /// Composes under another rule (one that depends on the review, like Mastodon's content
    /// warning), with the template already parsed.
    public func compose(_ variables: TemplateVariables, rule: CountingRule) throws(CompositionError) -> ComposedText {
        var values = variables.values
        let full = render(values)
        let fullCount = rule.count(full)
        if rule.fits(full, count: fullCount) {
            return ComposedText(text: full, count: fullCount, limit: rule.limit, unit: rule.unit, shortened: false)
        }

        for drop in [[], ["hashtags"], ["hashtags", "headline"]] {
            for key in drop { values[key] = nil }
            if let text = fitSummary(values, rule: rule) {
                return ComposedText(text: text, count: rule.count(text), limit: rule.limit, unit: rule.unit, shortened: true)
            }
        }
        throw CompositionError.tooLong(count: fullCount, limit: rule.limit ?? 0, unit: rule.unit)
    }

    private func render(_ values: [String: String]) -> String {
        let text = template.render(TemplateContext(values: values))
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
              let last = text.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(text[first...last])
    }

    /// The longest word-prefix of the summary, with "…", that fits; nil if none does.
    private func fitSummary(_ values: [String: String], rule: CountingRule) -> String? {
        let words = (values["summary"] ?? "").split(whereSeparator: \.isWhitespace)
        func text(_ count: Int) -> String {
            var values = values
            if count == words.count {
                values["summary"] = words.joined(separator: " ")
            } else if count == 0 {
                values["summary"] = nil
            } else {
                var prefix = words[..<count].joined(separator: " ")
                while let last = prefix.last, ",;:—–-".contains(last) { prefix.removeLast() }
                values["summary"] = prefix + "…"
            }
            return render(values)
        }
        if rule.fits(text(words.count)) { return text(words.count) }
        // Binary search for the longest prefix that fits: the count only grows with it.
        var low = 0, high = words.count - 1
        guard rule.fits(text(0)) else { return nil }
        while low < high {
            let middle = (low + high + 1) / 2
            if rule.fits(text(middle)) { low = middle } else { high = middle - 1 }
        }
        return text(low)
    }
}

/// A composed post and how it measures up.
public struct ComposedText: Sendable, Equatable {
    public var text: String
    public var count: Int
    public var limit: Int?
    public var unit: String
    /// True when the summary (or more) had to be cut to fit.
    public var shortened: Bool

    public init(text: String, count: Int, limit: Int?, unit: String, shortened: Bool) {
        self.text = text
        self.count = count
        self.limit = limit
        self.unit = unit
        self.shortened = shortened
    }
}

public enum CompositionError: Error, Sendable, Equatable, CustomStringConvertible {
    case badTemplate(String)
    case tooLong(count: Int, limit: Int, unit: String)

    public var description: String {
        switch self {
        case .badTemplate(let detail): return "the template is not valid Mustache: \(detail)"
        case .tooLong(let count, let limit, let unit):
            return "the post is \(count) \(unit) long even without summary, hashtags and headline; the limit is \(limit): shorten the template"
        }
    }
}

/// The templates a reviewer can post unchanged.
public enum DefaultTemplates {
    /// Headline (if any), the film with year and stars, the summary, the link, the hashtags.
    public static let post = """
    {{#headline}}{{headline}}
    {{/headline}}{{title}}{{#year}} ({{year}}){{/year}}{{#rating}} {{rating}}{{/rating}}

    {{summary}}

    {{url}}{{#hashtags}}

    {{hashtags}}{{/hashtags}}
    """
}

/// A template variable as Mustache sees it: text that renders as itself, transforms like a
/// String (`{{uppercased(title)}}`) and has no children of its own. A plain String would
/// render the same, but inside a section (`{{#year}} ({{year}}){{/year}}`) every lookup
/// would first reflect on it with a Mirror, which made rendering the slowest step of
/// composing a post.
struct TemplateText: MustacheParent, MustacheCustomRenderable, MustacheTransformable {
    let text: String

    func child(named: String) -> Any? { nil }
    var renderText: String { text }
    var isNull: Bool { false }
    func transform(_ name: String) -> Any? { text.transform(name) }
}

/// The variables of one render, looked up where they are instead of first copied into a
/// `[String: Any]` of boxed values (a dictionary per render, several renders per post when
/// the summary has to be shortened).
struct TemplateContext: MustacheParent {
    let values: [String: String]

    func child(named name: String) -> Any? { values[name].map(TemplateText.init) }
}
