/// Refuses, before TOMLKit sees them, the inputs on which its parser (toml++) asserts and
/// aborts the process instead of reporting a syntax error. The config fuzzer found them
/// (README "Fuzzing"):
/// - a table header whose bracket is followed by anything but a key or `]` (`[=`, a lone `[`,
///   `[[[a]]]`; marzer/tomlplusplus#301);
/// - an array whose next value starts with `}` (`x = [}`, `x = [1, }`).
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
            case "[", "{":
                open.append(scalar)
            case "]", "}":
                _ = open.popLast()
            default:
                break
            }
            valueDue = scalar == "[" || (scalar == "," && open.last == "[")
            lineStart = false
            if scalar != "\"" && scalar != "'" { index += 1 }
        }
        return nil
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
