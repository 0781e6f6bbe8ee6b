/// Refuses, before TOMLKit sees them, the inputs on which its parser (toml++) asserts and
/// aborts the process instead of reporting a syntax error. The config fuzzer found them
/// (README "Fuzzing"):
/// - a table header whose bracket is followed by anything but a key or `]` (`[=`, a lone `[`,
///   `[[[a]]]`; marzer/tomlplusplus#301);
/// - an array whose next value starts with `}` (`x = [}`, `x = [1, }`);
/// - a date-time whose `T` is followed by anything but a digit (`2025-03-11TA09:30`), or a
///   date followed by a space and a lone digit (`2025-03-11 1`), both found by the
///   front-matter fuzzer in TOML front matter.
///
/// Both are invalid TOML, so refusing them changes nothing for a valid file. A small lexical
/// pass (strings, comments, brackets) tells a header from an array that starts a line.
package enum TOMLPreflight {
    /// The first such input: its line and what is wrong.
    package static func problem(in text: String) -> (line: Int, message: String)? {
        let scalars = Array(text.unicodeScalars)
        var index = 0, line = 1
        /// Only white space so far on this line.
        var lineStart = true
        /// The open arrays (`[`) and inline tables (`{`) around the current position.
        var open: [Unicode.Scalar] = []
        /// The last token opened an array or separated two of its values: a value comes next.
        var valueDue = false
        /// The last token was `=`: a value comes next.
        var afterEquals = false

        func describe(_ position: Int) -> String {
            position < scalars.count && scalars[position] != "\n" ? "'\(scalars[position].escaped(asASCII: true))'" : "the end of the line"
        }

        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "\n":
                line += 1
                lineStart = true
                index += 1
                continue
            case " ", "\t", "\r":
                index += 1
                continue
            case "#":
                while index < scalars.count, scalars[index] != "\n" { index += 1 }
                continue
            case "\"", "'":
                index = skipString(scalars, from: index, line: &line)
            case "[" where lineStart && open.isEmpty:
                // A table header: `[` or `[[`, white space, then a key (or the `]` of an empty
                // name, which toml++ reports itself).
                var name = index + 1
                if name < scalars.count, scalars[name] == "[" { name += 1 }
                while name < scalars.count, scalars[name] == " " || scalars[name] == "\t" { name += 1 }
                if name >= scalars.count || !keyStart.contains(scalars[name]) {
                    return (line, "expected a table name after '[' (a line starting with '[' is a table header), saw \(describe(name))")
                }
                // Nothing else on a header's line matters here.
                while index < scalars.count, scalars[index] != "\n" { index += 1 }
                valueDue = false
                continue
            case "}" where valueDue:
                return (line, "expected a value in the array, saw '}'")
            case "0"..."9" where valueDue || afterEquals:
                if let position = timeMissingAfterT(scalars, from: index) {
                    return (line, "expected a time after '\(scalars[position - 1])' in the date-time, saw \(describe(position))")
                }
                if let position = loneDigitAfterDate(scalars, from: index) {
                    return (line, "expected a two-digit hour after the date and its space, saw \(describe(position))")
                }
            case "[", "{":
                open.append(scalar)
            case "]", "}":
                _ = open.popLast()
            default:
                break
            }
            valueDue = scalar == "[" || (scalar == "," && open.last == "[")
            afterEquals = scalar == "="
            lineStart = false
            if scalar != "\"" && scalar != "'" { index += 1 }
        }
        return nil
    }

    /// Where a value starting at `start` as a date (`YYYY-MM-DD`) goes on with `T` or `t` and
    /// then no digit: the position of that scalar.
    private static func timeMissingAfterT(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        let pattern = "DDDD-DD-DD"
        guard start + pattern.count + 1 < scalars.count else {
            // `T` at the very end of the text: nothing follows it.
            let end = start + pattern.count
            return end < scalars.count && isDate(scalars, start) && (scalars[end] == "T" || scalars[end] == "t") ? end + 1 : nil
        }
        guard isDate(scalars, start) else { return nil }
        let separator = start + pattern.count
        guard scalars[separator] == "T" || scalars[separator] == "t" else { return nil }
        return ("0"..."9").contains(scalars[separator + 1]) ? nil : separator + 1
    }

    /// Where a value starting at `start` is ten characters shaped like a date (`_` aside, as
    /// toml++ counts them), then a space, one digit and no second one (`2025-03-11 1`): the
    /// position after that digit. toml++ takes it for the start of a time and asserts.
    private static func loneDigitAfterDate(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        var chars: [Unicode.Scalar] = []
        var index = start
        while index < scalars.count, chars.count <= 10 {
            let scalar = scalars[index]
            if scalar.properties.isWhitespace || "],}#".unicodeScalars.contains(scalar) { break }
            if scalar != "_" { chars.append(scalar) }
            index += 1
        }
        guard chars.count == 10, chars[4] == "-", chars[7] == "-", index + 1 < scalars.count,
              scalars[index] == " ", ("0"..."9").contains(scalars[index + 1]) else { return nil }
        let after = index + 2
        return after < scalars.count && ("0"..."9").contains(scalars[after]) ? nil : after
    }

    private static func isDate(_ scalars: [Unicode.Scalar], _ start: Int) -> Bool {
        guard start + 10 <= scalars.count else { return false }
        for (offset, kind) in "DDDD-DD-DD".enumerated() {
            let scalar = scalars[start + offset]
            if kind == "D" ? !("0"..."9").contains(scalar) : scalar != "-" { return false }
        }
        return true
    }

    /// What may follow a header's bracket: a bare key's characters, a quote, or `]`.
    private static let keyStart = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-\"']".unicodeScalars)

    /// The index after the string that starts at `start` (basic or literal, one line or
    /// three quotes and many), counting the lines it spans; an unterminated string ends at
    /// its line's end (or the text's), where toml++ reports it.
    private static func skipString(_ scalars: [Unicode.Scalar], from start: Int, line: inout Int) -> Int {
        let quote = scalars[start]
        let triple = start + 2 < scalars.count && scalars[start + 1] == quote && scalars[start + 2] == quote
        var index = start + (triple ? 3 : 1)
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\" && quote == "\"" {
                if index + 1 < scalars.count, scalars[index + 1] == "\n" { line += 1 }
                index += 2
                continue
            }
            if scalar == "\n" {
                if !triple { return index }
                line += 1
            }
            if scalar == quote {
                if !triple { return index + 1 }
                if index + 2 < scalars.count, scalars[index + 1] == quote, scalars[index + 2] == quote {
                    // Up to two more quotes may belong to the string (`""""` ends with one inside).
                    var end = index + 3
                    while end < scalars.count, end < index + 5, scalars[end] == quote { end += 1 }
                    return end
                }
            }
            index += 1
        }
        return index
    }
}
