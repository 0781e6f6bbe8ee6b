/// A problem found in one of the site's files, located precisely enough to fix.
///
/// Its description is the one line users see: `reviews/FILE.md:LINE: KEY: message`
/// (or `syndicate.toml:LINE: KEY: message`). `key` names the front-matter or config key at
/// fault; problems that belong to no key use a word in its place (`file`, `front matter`,
/// `body`).
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    /// The path as the user knows it, relative to the site folder.
    public var file: String
    /// 1-based line number.
    public var line: Int
    public var key: String
    public var message: String

    public init(file: String, line: Int, key: String, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String { "\(file):\(line): \(key): \(message)" }
}

/// Several diagnostics at once, for config files where every problem is worth reporting.
public struct Diagnostics: Error, Sendable, CustomStringConvertible {
    public var items: [Diagnostic]
    public init(_ items: [Diagnostic]) { self.items = items }
    public var description: String { items.map(\.description).joined(separator: "\n") }
}
