import Foundation

/// The raw parts of a review file: front matter text and Markdown body, after the checks on
/// bytes that docs/SPEC.md §2 requires (UTF-8 only, no NUL; a byte-order mark and CRLF are fine).
public struct ReviewFile: Sendable {
    /// How the front matter is written: YAML between `---` lines (Jekyll, Hugo), or TOML
    /// between `+++` lines (Hugo).
    public enum Format: Sendable { case yaml, toml }

    /// The text between the fence lines.
    public var frontMatter: String
    public var format: Format
    /// The line of the file on which the front matter's first line stands (2 normally).
    public var frontMatterFirstLine: Int
    /// The Markdown after the closing `---`, with `\n` line ends.
    public var body: String

    /// Splits a review file's bytes.
    /// - Parameter path: the file as shown in diagnostics.
    public static func split(_ data: Data, path: String) throws(Diagnostic) -> ReviewFile {
        // Byte-level checks go through memchr: a build reads tens of thousands of files.
        let (hasBOM, nulOffset, hasCR) = data.withUnsafeBytes { raw -> (Bool, Int?, Bool) in
            guard let base = raw.baseAddress, raw.count > 0 else { return (false, nil, false) }
            let bom = raw.count >= 3 && raw[0] == 0xEF && raw[1] == 0xBB && raw[2] == 0xBF
            let nul = memchr(base, 0, raw.count).map { base.distance(to: UnsafeRawPointer($0)) }
            return (bom, nul, memchr(base, 13, raw.count) != nil)
        }
        let bytes = hasBOM ? data.dropFirst(3) : data[...]
        if let nulOffset {
            let nul = data.startIndex + nulOffset
            throw Diagnostic(file: path, line: lineNumber(of: nul, in: bytes), key: "file",
                             message: "contains a NUL byte: this is not a text file")
        }
        guard var text = String(validating: bytes, as: UTF8.self) else {
            let bad = firstInvalidUTF8(in: bytes)
            throw Diagnostic(file: path, line: lineNumber(of: bad, in: bytes), key: "file",
                             message: "invalid UTF-8 (byte 0x\(String(bytes[bad], radix: 16, uppercase: true)) at offset \(bad - data.startIndex))")
        }
        if hasCR {
            text = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        }
        let format: Format
        if text.hasPrefix("---\n") || text == "---" {
            format = .yaml
        } else if text.hasPrefix("+++\n") || text == "+++" {
            format = .toml
        } else {
            throw Diagnostic(file: path, line: 1, key: "front matter",
                             message: "missing: a review starts with a line \"---\", then YAML, then another \"---\" (or TOML between \"+++\" lines)")
        }
        let fence = format == .yaml ? "---" : "+++"
        // Scan lines as UTF-8 bytes: Character iteration would break graphemes for nothing.
        let utf8 = text.utf8
        var lineStart = utf8.index(utf8.startIndex, offsetBy: min(4, utf8.count))
        let frontStart = lineStart
        while lineStart < utf8.endIndex {
            let lineEnd = utf8[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? utf8.endIndex
            let length = utf8.distance(from: lineStart, to: lineEnd)
            // YAML may also end its document with `...`; TOML has only its fence.
            if length == 3, utf8[lineStart...].starts(with: fence.utf8) || (format == .yaml && utf8[lineStart...].starts(with: "...".utf8)) {
                let bodyStart = lineEnd < utf8.endIndex ? utf8.index(after: lineEnd) : lineEnd
                return ReviewFile(frontMatter: String(text[frontStart..<lineStart]), format: format, frontMatterFirstLine: 2,
                                  body: String(text[bodyStart...]))
            }
            lineStart = lineEnd < utf8.endIndex ? utf8.index(after: lineEnd) : utf8.endIndex
        }
        throw Diagnostic(file: path, line: 1, key: "front matter", message: "not closed: no line \"\(fence)\" after the opening one")
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
