import Foundation

/// How a destination measures a post, and how much it accepts.
public struct CountingRule: Sendable {
    /// Shown by `preview`: "grapheme clusters", "UTF-16 code units", ….
    public var unit: String
    /// nil when the destination sets no limit.
    public var limit: Int?
    public var count: @Sendable (String) -> Int

    public init(unit: String, limit: Int?, count: @escaping @Sendable (String) -> Int) {
        self.unit = unit
        self.limit = limit
        self.count = count
    }

    public func fits(_ text: String) -> Bool { limit.map { count(text) <= $0 } ?? true }

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
