import Foundation

/// The raw parts of a review file: front matter text and Markdown body, after the checks on
/// bytes that SPEC §2 requires (UTF-8 only, no NUL; a byte-order mark and CRLF are fine).
public struct ReviewFile: Sendable {
    /// The YAML between the `---` lines.
    public var frontMatter: String
    /// The line of the file on which the front matter's first line stands (2 normally).
    public var frontMatterFirstLine: Int
    /// The Markdown after the closing `---`, with `\n` line ends.
    public var body: String

    /// Splits a review file's bytes.
    /// - Parameter path: the file as shown in diagnostics.
    public static func split(_ data: Data, path: String) throws(Diagnostic) -> ReviewFile {
        var bytes = data[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if let nul = bytes.firstIndex(of: 0) {
            throw Diagnostic(file: path, line: lineNumber(of: nul, in: bytes), key: "file",
                             message: "contains a NUL byte: this is not a text file")
        }
        guard var text = String(validating: bytes, as: UTF8.self) else {
            let bad = firstInvalidUTF8(in: bytes)
            throw Diagnostic(file: path, line: lineNumber(of: bad, in: bytes), key: "file",
                             message: "invalid UTF-8 (byte 0x\(String(bytes[bad], radix: 16, uppercase: true)) at offset \(bad - data.startIndex))")
        }
        if text.utf8.contains(13) {
            text = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        }
        guard text.hasPrefix("---\n") || text == "---" else {
            throw Diagnostic(file: path, line: 1, key: "front matter",
                             message: "missing: a review starts with a line \"---\", then YAML, then another \"---\"")
        }
        let afterOpen = text.index(text.startIndex, offsetBy: 4, limitedBy: text.endIndex) ?? text.endIndex
        let rest = text[afterOpen...]
        // The closing fence is a line of exactly `---` (or `...`, YAML's document end).
        var lineStart = rest.startIndex
        while lineStart < rest.endIndex {
            let lineEnd = rest[lineStart...].firstIndex(of: "\n") ?? rest.endIndex
            let line = rest[lineStart..<lineEnd]
            if line == "---" || line == "..." {
                let bodyStart = lineEnd < rest.endIndex ? rest.index(after: lineEnd) : lineEnd
                return ReviewFile(frontMatter: String(rest[rest.startIndex..<lineStart]), frontMatterFirstLine: 2,
                                  body: String(rest[bodyStart...]))
            }
            lineStart = lineEnd < rest.endIndex ? rest.index(after: lineEnd) : rest.endIndex
        }
        throw Diagnostic(file: path, line: 1, key: "front matter", message: "not closed: no line \"---\" after the opening one")
    }

    private static func lineNumber(of index: Data.Index, in bytes: Data.SubSequence) -> Int {
        1 + bytes[bytes.startIndex..<index].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
    }

    private static func firstInvalidUTF8(in bytes: Data.SubSequence) -> Data.Index {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let lead = bytes[index]
            let length: Int
            switch lead {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return index
            }
            let end = index + length
            guard end <= bytes.endIndex else { return index }
            if length > 1, String(validating: bytes[index..<end], as: UTF8.self) == nil { return index }
            index = end
        }
        return bytes.startIndex
    }
}
