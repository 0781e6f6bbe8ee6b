import TOMLKit

/// Hugo's TOML front matter (between `+++` lines) as the same tree YAML front matter gives,
/// so that one reader checks every field whatever the syntax (docs/SPEC.md §9).
///
/// TOML values are typed already; they become scalars that the YAML typing reads back the
/// same: a string is a quoted scalar (always text), a number, boolean or date a plain one.
enum TOMLFrontMatter {
    /// - Throws: a `front matter` diagnostic on the line of the syntax error.
    static func compose(_ text: String, path: String, lineOffset: Int) throws(Diagnostic) -> FrontNode {
        // TOMLKit's parser aborts the process on a few invalid inputs: refuse those first.
        if let problem = TOMLPreflight.problem(in: text) {
            throw Diagnostic(file: path, line: problem.line + lineOffset, key: "front matter", message: "invalid TOML: \(problem.message)")
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw Diagnostic(file: path, line: error.source.begin.line + lineOffset, key: "front matter",
                             message: "invalid TOML: \(error.description)")
        } catch {
            throw Diagnostic(file: path, line: 1 + lineOffset, key: "front matter", message: "invalid TOML: \(error)")
        }
        let lines = TOMLLineIndex(text: text)
        return table(root, path: "", line: 1, lines: lines)
    }

    private static func table(_ table: TOMLTable, path: String, line: Int, lines: TOMLLineIndex) -> FrontNode {
        var pairs: [FrontNode.Pair] = []
        for key in table.keys {
            guard let value = table[key] else { continue }
            // A key of an inline table is not seen by the line pass: its table's line stands.
            let keyLine = lines.knownLine(table: path, key: key) ?? line
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            pairs.append(FrontNode.Pair(key: .scalar(key, plain: false, line: keyLine),
                                        value: node(value, path: childPath, line: keyLine, lines: lines)))
        }
        // In the order written, as YAML gives them: the first problem reported is the first line.
        pairs.sort { $0.key.line < $1.key.line }
        return .mapping(pairs, line: line)
    }

    private static func node(_ value: any TOMLValueConvertible, path: String, line: Int, lines: TOMLLineIndex) -> FrontNode {
        if let string = value.string { return .scalar(string, plain: false, line: line) }
        if let int = value.int { return .scalar(String(int), plain: true, line: line) }
        if let double = value.double { return .scalar(double.isFinite ? String(double) : ".nan", plain: true, line: line) }
        if let bool = value.bool { return .scalar(bool ? "true" : "false", plain: true, line: line) }
        if let dateTime = value.dateTime { return .scalar(text(dateTime), plain: true, line: line) }
        if let date = value.date { return .scalar(text(date), plain: true, line: line) }
        if let array = value.array {
            return .sequence((0..<array.count).map { node(array[$0], path: path, line: line, lines: lines) }, line: line)
        }
        if let table = value.table { return self.table(table, path: path, line: lines.knownLine(table: path) ?? line, lines: lines) }
        // A bare time of day is no value any field takes; as a mapping, every field refuses it.
        return .mapping([], line: line)
    }

    private static func text(_ date: TOMLDate) -> String {
        pad(date.year, 4) + "-" + pad(date.month, 2) + "-" + pad(date.day, 2)
    }

    /// RFC 3339, which `SiteDate` reads; without an offset a local time (in `site.timezone`).
    private static func text(_ dateTime: TOMLDateTime) -> String {
        let time = dateTime.time
        var text = text(dateTime.date) + "T" + pad(time.hour, 2) + ":" + pad(time.minute, 2) + ":" + pad(time.second, 2)
        if time.nanoSecond > 0 { text += "." + pad(time.nanoSecond, 9) }
        if let offset = dateTime.offset?.offset {
            let minutes = abs(offset)
            text += offset == 0 ? "Z" : (offset < 0 ? "-" : "+") + pad(minutes / 60, 2) + ":" + pad(minutes % 60, 2)
        }
        return text
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
