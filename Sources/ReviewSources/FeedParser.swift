import Foundation
import Reviews

/// A feed's items as `RemoteItem`s, with what was wrong with single items.
struct ParsedFeed: Sendable {
    /// In the feed's order; an item without a readable date has `published` nil (its source
    /// gives it the time it was first seen).
    var items: [RemoteItem]
    /// One per item left out (no identity, no link, a duplicate), at the item's line.
    var problems: [FeedParseError]
}

/// Reads an RSS 2.0, Atom 1.0 or JSON Feed 1.x document into `RemoteItem`s (docs/SPEC.md §9
/// "feed"). XML goes through libxml2's reader (`FeedXMLTree`), JSON through `JSONDecoder`
/// (`FeedJSON`). A document that breaks the rules (too big, not XML or JSON, not a feed, a
/// wrong encoding, truncated, declaring entities) is a `FeedParseError`, never a crash.
enum FeedParser {
    /// The largest feed read: 20 MB (20,000,000 bytes), far above any real feed (a WordPress
    /// feed of 50 full reviews is about 1 MB), far below what would hurt.
    static let maximumSize = 20_000_000

    /// The most items one document may hold: far above any real feed (WordPress's default is
    /// 10, a full archive a few thousand), and a bound on the work a hostile one can cause.
    static let maximumItems = 10_000

    /// - Parameters:
    ///   - charset: the HTTP `Content-Type`'s charset, if any.
    ///   - url: the feed's own URL: relative links are made absolute against it.
    static func parse(_ data: Data, charset: String?, url: String) throws(FeedParseError) -> ParsedFeed {
        guard data.count <= maximumSize else { throw FeedParseError(line: 1, message: "larger than 20 MB; not read") }
        let base = URL(string: url)
        if looksLikeJSON(data) { return try FeedJSON.parse(data, base: base) }
        let root = try FeedXMLTree.parse(data, encoding: charset)
        return try FeedXMLMapping.map(root, base: base)
    }

    /// Whether the document starts (after a UTF-8 byte-order mark and white space) with `{`.
    private static func looksLikeJSON(_ data: Data) -> Bool {
        var bytes = data.prefix(1024)[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        return bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "{")
    }

    /// `items`, refused when there are more than `maximumItems`.
    static func capped<Item>(_ items: [Item], line: Int) throws(FeedParseError) -> [Item] {
        guard items.count <= maximumItems else {
            throw FeedParseError(line: line, message: "\(items.count) items, more than \(maximumItems); not read")
        }
        return items
    }

    /// An item's link made absolute against the feed's URL; nil when it is no http(s) link.
    static func absoluteLink(_ text: String?, base: URL?) -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        let absolute = base.map { URLResolver.absolute(text, base: $0) } ?? text
        return ConfigTable.isHTTPURL(absolute) ? absolute : nil
    }

    /// The text of a title, category or summary that may be HTML: plain text (most are)
    /// skips the HTML parser.
    static func text(_ html: String) -> String {
        html.contains("<") || html.contains("&") ? HTMLText.plain(html) : HTMLDocument.normalisedSpaces(html)
    }

    /// Whether a summary is one a feed generated from the body (WordPress's ends in `[…]`),
    /// rather than one the author wrote.
    static func isGeneratedExcerpt(_ html: String) -> Bool {
        let text = Self.text(html)
        return ["[…]", "[...]", "…", "...", "Continue reading", "Continue reading →", "Read more"].contains { text.hasSuffix($0) }
    }

    /// Items with the same identity: the first one stands, each later one is a problem.
    static func droppingDuplicates(_ items: [(item: RemoteItem, line: Int)], problems: inout [FeedParseError]) -> [RemoteItem] {
        var seen = Set<String>()
        var kept: [RemoteItem] = []
        for (item, line) in items {
            if seen.insert(item.id).inserted {
                kept.append(item)
            } else {
                problems.append(FeedParseError(line: line, message: "item \(item.id) appears twice; the first one is kept"))
            }
        }
        return kept
    }
}
