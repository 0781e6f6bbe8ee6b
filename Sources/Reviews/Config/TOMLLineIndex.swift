/// Finds the line where a key of `syndicate.toml` (or of TOML front matter) is written.
///
/// TOMLKit reports positions only for syntax errors, not for the keys of a parsed document,
/// and a message that names the line is worth a small lexical pass: it tracks table headers
/// (`[site]`, `[[destination]]` counted by occurrence) and the `key =` lines under them.
struct TOMLLineIndex {
    private var keyLines: [String: Int] = [:]
    private var tableLines: [String: Int] = [:]

    init(text: String) {
        var table = ""
        var arrayCounts: [String: Int] = [:]
        var inMultilineString = false
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            let tripleQuotes = line.components(separatedBy: "\"\"\"").count - 1
                + line.components(separatedBy: "'''").count - 1
            if inMultilineString {
                if tripleQuotes % 2 == 1 { inMultilineString = false }
                continue
            }
            if tripleQuotes % 2 == 1 { inMultilineString = true }
            if line.hasPrefix("[[") {
                let name = Self.headerName(line.dropFirst(2))
                let index = arrayCounts[name, default: 0]
                arrayCounts[name] = index + 1
                table = "\(name)[\(index)]"
                tableLines[table] = lineNumber
            } else if line.hasPrefix("[") {
                table = Self.headerName(line.dropFirst())
                tableLines[table] = lineNumber
            } else if let equals = line.firstIndex(of: "="), !line.hasPrefix("#") {
                let key = line[..<equals].trimmingCharacters(in: .whitespaces)
                    .trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                guard !key.isEmpty, !key.contains(" ") || key.contains(".") else { continue }
                let first = key.split(separator: ".").first.map(String.init) ?? key
                let path = table.isEmpty ? first : "\(table).\(first)"
                if keyLines[path] == nil { keyLines[path] = lineNumber }
            }
        }
    }

    private static func headerName(_ rest: Substring) -> String {
        String(rest.prefix { $0 != "]" }).trimmingCharacters(in: .whitespaces)
    }

    /// The line of `key` in `table`, or of the table's header without a key; nil when the
    /// pass did not see it written (a key of an inline table).
    func knownLine(table: String, key: String? = nil) -> Int? {
        guard let key else { return tableLines[table] }
        let path = table.isEmpty ? key : "\(table).\(key)"
        return keyLines[path] ?? tableLines[path]
    }

    /// The line of `key` in `table` (`"site"`, `"destination[1]"`, or `""` for the root),
    /// else the table header's line, else 1.
    func line(table: String, key: String? = nil) -> Int {
        if let key {
            let path = table.isEmpty ? key : "\(table).\(key)"
            if let line = keyLines[path] ?? tableLines[path] { return line }
        }
        return tableLines[table] ?? 1
    }
}

import Foundation
