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

    public var description: String { Self.oneLine("\(file):\(line): \(key): \(message)") }

    /// `text` with its control characters escaped (`\n`, `\t`, `\u{1B}`): a newline in a
    /// file name, slug or value must not split the one line a problem is reported in.
    public static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.properties.generalCategory == .control: result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

/// Several diagnostics at once, for config files where every problem is worth reporting.
public struct Diagnostics: Error, Sendable, CustomStringConvertible {
    public var items: [Diagnostic]
    public init(_ items: [Diagnostic]) { self.items = items }
    public var description: String { items.map(\.description).joined(separator: "\n") }
}
