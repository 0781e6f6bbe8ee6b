import Yams

/// Front matter as a tree, with the line (1-based, within the YAML text) of every node: what
/// the review parser reads, whichever YAML reader produced it.
indirect enum FrontNode: Equatable {
    case scalar(String, plain: Bool, line: Int)
    case sequence([FrontNode], line: Int)
    case mapping([Pair], line: Int)

    struct Pair: Equatable {
        var key: FrontNode
        var value: FrontNode
    }

    var line: Int {
        switch self {
        case .scalar(_, _, let line), .sequence(_, let line), .mapping(_, let line): return line
        }
    }

    var scalarText: String? {
        if case .scalar(let text, _, _) = self { return text }
        return nil
    }

    var pairs: [Pair]? {
        if case .mapping(let pairs, _) = self { return pairs }
        return nil
    }

    /// The same tree from Yams' nodes.
    init(_ node: Node) {
        let line = node.mark?.line ?? 1
        switch node {
        case .scalar(let scalar):
            self = .scalar(scalar.string, plain: scalar.style == .plain, line: line)
        case .sequence(let sequence):
            self = .sequence(sequence.map(FrontNode.init), line: line)
        case .mapping(let mapping):
            self = .mapping(mapping.map { Pair(key: FrontNode($0.key), value: FrontNode($0.value)) }, line: line)
        case .alias:
            self = .scalar("", plain: false, line: line)
        }
    }
}

/// A reader for the plain shape nearly all front matter has — `key: value` lines, quoted or
/// plain scalars, `[a, b]` and `{k: v}` flow collections, `- item` lists and indented tables —
/// that answers nil for anything else, which then goes to Yams. It exists for speed: Yams
/// was most of the cost of loading a large site. A differential test holds the two to the
/// same trees.
enum SimpleYAML {
    // Works on UTF-8 bytes: every character the syntax cares about is ASCII, and UTF-8 never
    // hides an ASCII byte inside a multi-byte character.
    private typealias Bytes = ArraySlice<UInt8>

    private struct Line {
        var number: Int
        var indent: Int
        var content: Bytes
    }

    private static let space = UInt8(ascii: " "), colon = UInt8(ascii: ":"), hash = UInt8(ascii: "#"), dash = UInt8(ascii: "-")
    private static let quote = UInt8(ascii: "\""), apostrophe = UInt8(ascii: "'"), comma = UInt8(ascii: ",")

    static func parse(_ text: String) -> FrontNode? {
        let bytes = Array(text.utf8)
        var lines: [Line] = []
        var number = 0
        var lineStart = 0
        while lineStart <= bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            number += 1
            let raw = bytes[lineStart..<lineEnd]
            lineStart = lineEnd + 1
            if !plainBytes(raw) { return nil }
            let content = raw.drop { $0 == space }
            if content.isEmpty || content.first == hash { continue }
            if content.starts(with: "---".utf8) || content.starts(with: "...".utf8) || content.first == UInt8(ascii: "%") { return nil }
            lines.append(Line(number: number, indent: raw.count - content.count, content: trimTrailing(content)))
        }
        guard let first = lines.first, first.indent == 0 else { return nil }
        var index = 0
        guard let pairs = mapping(lines, &index, indent: 0), index == lines.count else { return nil }
        return .mapping(pairs, line: first.number)
    }

    /// Bytes Yams would treat specially, refuse, or read as a line break: C0 controls
    /// (tab and CR included), DEL, C1 controls (NEL among them), U+2028/U+2029, a BOM, and
    /// U+FFFE/U+FFFF. Any of them sends the text to Yams.
    private static func plainBytes(_ line: Bytes) -> Bool {
        var index = line.startIndex
        while index < line.endIndex {
            let byte = line[index]
            if byte < 0x20 || byte == 0x7F { return false }
            if byte == 0xC2, index + 1 < line.endIndex, (0x80...0x9F).contains(line[index + 1]) { return false }
            if byte == 0xE2, index + 2 < line.endIndex, line[index + 1] == 0x80, line[index + 2] == 0xA8 || line[index + 2] == 0xA9 { return false }
            if byte == 0xEF, index + 2 < line.endIndex,
               (line[index + 1] == 0xBB && line[index + 2] == 0xBF) || (line[index + 1] == 0xBF && line[index + 2] >= 0xBE) { return false }
            index += 1
        }
        return true
    }

    private static func trimTrailing(_ bytes: Bytes) -> Bytes {
        var bytes = bytes
        while bytes.last == space { bytes = bytes.dropLast() }
        return bytes
    }

    private static func string(_ bytes: Bytes) -> String { String(decoding: bytes, as: UTF8.self) }

    private static func isKey(_ key: Bytes) -> Bool {
        guard let first = key.first, first >= 0x80 || (first | 0x20 >= UInt8(ascii: "a") && first | 0x20 <= UInt8(ascii: "z")) || first == UInt8(ascii: "_")
        else { return false }
        return key.allSatisfy { $0 >= 0x80 || ($0 | 0x20 >= UInt8(ascii: "a") && $0 | 0x20 <= UInt8(ascii: "z"))
            || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_") || $0 == dash }
    }

    private static func mapping(_ lines: [Line], _ index: inout Int, indent: Int) -> [FrontNode.Pair]? {
        var pairs: [FrontNode.Pair] = []
        var keys = Set<String>()
        while index < lines.count, lines[index].indent == indent {
            let line = lines[index]
            guard let colonIndex = line.content.firstIndex(of: colon) else { return nil }
            let keyBytes = line.content[..<colonIndex]
            let key = string(keyBytes)
            guard isKey(keyBytes), keys.insert(key).inserted else { return nil }
            let rest = line.content[(colonIndex + 1)...]
            let keyNode = FrontNode.scalar(key, plain: true, line: line.number)
            index += 1
            if rest.isEmpty {
                guard index < lines.count else { return nil }
                let next = lines[index]
                if next.content.first == dash, next.content.dropFirst().first == space, next.indent >= indent {
                    guard let items = sequence(lines, &index, indent: next.indent) else { return nil }
                    pairs.append(.init(key: keyNode, value: .sequence(items, line: next.number)))
                } else if next.indent > indent {
                    guard let nested = mapping(lines, &index, indent: next.indent) else { return nil }
                    pairs.append(.init(key: keyNode, value: .mapping(nested, line: next.number)))
                } else {
                    return nil // an empty value: rare, and its position is Yams' to tell
                }
            } else {
                guard rest.first == space, let value = inline(rest.drop { $0 == space }, line: line.number) else { return nil }
                pairs.append(.init(key: keyNode, value: value))
            }
        }
        if index < lines.count, lines[index].indent > indent { return nil }
        return pairs
    }

    private static func sequence(_ lines: [Line], _ index: inout Int, indent: Int) -> [FrontNode]? {
        var items: [FrontNode] = []
        while index < lines.count, lines[index].indent == indent, lines[index].content.first == dash,
              lines[index].content.dropFirst().first == space {
            let line = lines[index]
            guard let item = scalar(line.content.dropFirst(2).drop { $0 == space }, line: line.number) else { return nil }
            items.append(item)
            index += 1
        }
        return items
    }

    /// A value on the key's line: a flow list, a flow table, or a scalar.
    private static func inline(_ text: Bytes, line: Int) -> FrontNode? {
        if text.first == UInt8(ascii: "[") {
            guard text.last == UInt8(ascii: "]") else { return nil }
            let inner = text.dropFirst().dropLast()
            if inner.allSatisfy({ $0 == space }) { return .sequence([], line: line) }
            var items: [FrontNode] = []
            for part in inner.split(separator: comma, omittingEmptySubsequences: false) {
                guard let item = scalar(trimTrailing(part.drop { $0 == space }), line: line, inFlow: true) else { return nil }
                items.append(item)
            }
            return .sequence(items, line: line)
        }
        if text.first == UInt8(ascii: "{") {
            guard text.last == UInt8(ascii: "}") else { return nil }
            var pairs: [FrontNode.Pair] = []
            var keys = Set<String>()
            for part in text.dropFirst().dropLast().split(separator: comma, omittingEmptySubsequences: false) {
                let entry = trimTrailing(part.drop { $0 == space })
                guard let colonIndex = entry.firstIndex(of: colon) else { return nil }
                let keyBytes = entry[..<colonIndex]
                let value = entry[(colonIndex + 1)...]
                let key = string(keyBytes)
                guard isKey(keyBytes), keys.insert(key).inserted, value.first == space,
                      let node = scalar(value.drop { $0 == space }, line: line, inFlow: true) else { return nil }
                pairs.append(.init(key: .scalar(key, plain: true, line: line), value: node))
            }
            return .mapping(pairs, line: line)
        }
        return scalar(text, line: line)
    }

    /// A quoted scalar without escapes, or a plain one that cannot mean anything else.
    private static func scalar(_ text: Bytes, line: Int, inFlow: Bool = false) -> FrontNode? {
        guard let first = text.first else { return nil }
        if first == quote || first == apostrophe {
            guard text.count >= 2, text.last == first else { return nil }
            let inner = text.dropFirst().dropLast()
            guard !inner.contains(first), first == apostrophe || !inner.contains(UInt8(ascii: "\\")) else { return nil }
            return .scalar(string(inner), plain: false, line: line)
        }
        if Array("-?:,[]{}#&*!|>%@`".utf8).contains(first) { return nil }
        if text.last == colon { return nil }
        if inFlow, text.contains(colon) { return nil } // `a:?` and friends are Yams' to judge
        var previous: UInt8 = 0
        for byte in text {
            if byte == space && previous == colon { return nil } // ": " would start a mapping
            if byte == hash && previous == space { return nil } // " #" starts a comment
            if inFlow, byte == comma || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]")
                || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "}") { return nil }
            previous = byte
        }
        return .scalar(string(text), plain: true, line: line)
    }
}
