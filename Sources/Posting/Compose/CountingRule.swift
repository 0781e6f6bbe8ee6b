import Foundation

/// How a destination measures a post, and how much it accepts.
public struct CountingRule: Sendable {
    /// Shown by `preview`: "grapheme clusters", "UTF-16 code units", ….
    public var unit: String
    /// nil when the destination sets no limit.
    public var limit: Int?
    public var count: @Sendable (String) -> Int
    /// A second limit some services set, in UTF-8 bytes (Bluesky: 3000).
    public var byteLimit: Int?
    /// Limits that are not a length (Instagram's 30 hashtags, Threads' 5 links): false when
    /// the text breaks one, so that it is shortened like an over-long one.
    public var accepts: @Sendable (String) -> Bool

    public init(unit: String, limit: Int?, byteLimit: Int? = nil, accepts: @escaping @Sendable (String) -> Bool = { _ in true },
                count: @escaping @Sendable (String) -> Int) {
        self.unit = unit
        self.limit = limit
        self.byteLimit = byteLimit
        self.accepts = accepts
        self.count = count
    }

    public func fits(_ text: String) -> Bool {
        fits(text, count: limit == nil ? 0 : count(text))
    }

    /// `fits`, with the text's `count` already known.
    public func fits(_ text: String, count: Int) -> Bool {
        if let byteLimit, text.utf8.count > byteLimit { return false }
        guard accepts(text) else { return false }
        return limit.map { count <= $0 } ?? true
    }

    /// Characters as people see them.
    public static func graphemes(limit: Int?) -> CountingRule {
        CountingRule(unit: "characters", limit: limit) { $0.count }
    }

    /// JavaScript's `length`, which Discord and Slack enforce.
    public static func utf16(limit: Int?) -> CountingRule {
        CountingRule(unit: "UTF-16 code units", limit: limit) { $0.utf16.count }
    }

    public static let unlimited = CountingRule(unit: "characters", limit: nil) { $0.count }
}

/// Finds what services treat specially in a text: links and hashtags.
public enum TextScanner {
    /// A link: `http://` or `https://` up to white space, less trailing punctuation.
    public static func urls(in text: String) -> [Range<String.Index>] {
        var ranges: [Range<String.Index>] = []
        var search = text.startIndex
        while let start = nextScheme(in: text, from: search) {
            var end = text[start...].firstIndex(where: \.isWhitespace) ?? text.endIndex
            while end > start, let last = text[..<end].last, ".,;:!?)]}'\"”’…".contains(last) { end = text.index(before: end) }
            if text.distance(from: start, to: end) > 8 { ranges.append(start..<end) }
            search = end > start ? end : text.index(after: start)
        }
        return ranges
    }

    /// Where the next `http://` or `https://` starts, found in the UTF-8 bytes (every post is
    /// scanned several times while it is fitted to its limit).
    private static func nextScheme(in text: String, from index: String.Index) -> String.Index? {
        let utf8 = text.utf8
        var i = index
        while let h = utf8[i...].firstIndex(of: UInt8(ascii: "h")) {
            var rest = utf8[utf8.index(after: h)...]
            if rest.starts(with: "ttp".utf8) {
                rest = rest.dropFirst(3)
                if rest.first == UInt8(ascii: "s") { rest = rest.dropFirst() }
                if rest.starts(with: "://".utf8) { return h }
            }
            i = utf8.index(after: h)
        }
        return nil
    }

    /// Hashtags: `#` after a start or a space, then letters, digits and `_`, not only digits.
    public static func hashtags(in text: String) -> [Range<String.Index>] {
        var ranges: [Range<String.Index>] = []
        let links = urls(in: text)
        var index = text.startIndex
        while let hash = text[index...].firstIndex(of: "#") {
            let after = text.index(after: hash)
            let atBoundary = hash == text.startIndex || text[text.index(before: hash)].isWhitespace
            let end = text[after...].firstIndex(where: { !($0.isLetter || $0.isNumber || $0 == "_") }) ?? text.endIndex
            let tag = text[after..<end]
            if atBoundary, !tag.isEmpty, !tag.allSatisfy(\.isNumber), !links.contains(where: { $0.contains(hash) }) {
                ranges.append(hash..<end)
            }
            index = end > after ? end : after
            if index >= text.endIndex { break }
        }
        return ranges
    }
}

