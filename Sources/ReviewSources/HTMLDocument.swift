import CLibXML2
import Foundation

/// A remote item's HTML parsed by libxml2's HTML parser: never the network, no DTD, errors
/// recovered from silently (WordPress bodies are fragments, rarely valid HTML). It lives for
/// one mapping, on one thread; the tree is read, never changed (what is left out is chosen
/// when it is written again, by `HTMLSanitizer`).
///
/// Its `Node`s point into the tree, which the document frees when it goes: a caller keeps the
/// document alive while it uses them (`defer { withExtendedLifetime(document) {} }`).
final class HTMLDocument {
    typealias Node = UnsafeMutablePointer<xmlNode>

    private let document: htmlDocPtr?

    /// libxml2's global set-up, which must run once before threads parse at the same time
    /// (a static `let` runs its initialiser once, whichever thread gets there first).
    private static let initialised: Void = xmlInitParser()

    /// Parses `html`, a fragment or a whole page, as UTF-8.
    init(_ html: String) {
        _ = Self.initialised
        syn_xml_silence_errors()
        let options = Int32(HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue
            | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_RECOVER.rawValue | HTML_PARSE_COMPACT.rawValue)
        var bytes = Array(html.utf8)
        // An empty buffer gives no document at all; a space gives an empty body.
        if bytes.isEmpty { bytes = [UInt8(ascii: " ")] }
        guard bytes.count < Int(Int32.max) else {
            document = nil
            return
        }
        document = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                htmlReadMemory($0.baseAddress, Int32($0.count), nil, "UTF-8", options)
            }
        }
    }

    deinit {
        if let document { xmlFreeDoc(document) }
    }

    /// The `<body>` element (libxml2 adds one around a fragment), nil for a document with none.
    var body: Node? {
        guard let document, let root = xmlDocGetRootElement(document) else { return nil }
        if Self.name(root) == "body" { return root }
        return Self.children(root).first { Self.name($0) == "body" }
    }

    /// Every element named `name` in the document, head included, in document order.
    func elements(named name: String) -> [Node] {
        guard let document, let root = xmlDocGetRootElement(document) else { return [] }
        var found: [Node] = []
        func walk(_ node: Node) {
            if Self.name(node) == name { found.append(node) }
            for child in Self.children(node) where child.pointee.type == XML_ELEMENT_NODE { walk(child) }
        }
        walk(root)
        return found
    }

    // MARK: Reading the tree

    /// An element's name in lower case; nil for text, comments and the rest.
    static func name(_ node: Node) -> String? {
        guard node.pointee.type == XML_ELEMENT_NODE, let name = node.pointee.name else { return nil }
        return String(cString: name).lowercased()
    }

    static func isText(_ node: Node) -> Bool {
        node.pointee.type == XML_TEXT_NODE || node.pointee.type == XML_CDATA_SECTION_NODE
    }

    static func children(_ node: Node) -> [Node] {
        var result: [Node] = []
        var child = node.pointee.children
        while let current = child {
            result.append(current)
            child = current.pointee.next
        }
        return result
    }

    /// A text node's text.
    static func content(_ node: Node) -> String {
        guard let content = node.pointee.content else { return "" }
        return String(cString: content)
    }

    /// An element's attributes, names in lower case, in document order.
    static func attributes(_ node: Node) -> [(name: String, value: String)] {
        var result: [(String, String)] = []
        var attribute = node.pointee.properties
        while let current = attribute {
            if let name = current.pointee.name {
                let raw = xmlNodeGetContent(UnsafeMutableRawPointer(current).assumingMemoryBound(to: xmlNode.self))
                let value = raw.map { String(cString: $0) } ?? ""
                if let raw { syn_xml_free(raw) }
                result.append((String(cString: name).lowercased(), value))
            }
            attribute = current.pointee.next
        }
        return result
    }

    /// The text a reader sees in `node`: text nodes in order, leaving out what is never
    /// shown (`HTMLSanitizer.droppedElements`), `<br>` as a space.
    static func text(_ node: Node) -> String {
        var pieces = ""
        func collect(_ node: Node) {
            if isText(node) {
                pieces += content(node)
            } else if let name = name(node) {
                if HTMLSanitizer.droppedElements.contains(name) { return }
                if name == "br" { pieces += " "; return }
                if HTMLSanitizer.blockElements.contains(name) { pieces += " " }
                for child in children(node) { collect(child) }
                if HTMLSanitizer.blockElements.contains(name) { pieces += " " }
            }
        }
        collect(node)
        return normalisedSpaces(pieces)
    }

    /// `text` on one line: runs of white space (no-break spaces included) as one space.
    ///
    /// Byte by byte over the UTF-8: every line of every remote body goes through here, and
    /// `Character.isWhitespace` (grapheme breaking, a Unicode property lookup per character)
    /// made it a fifth of a WordPress source's cold read (bench/source). Only a character
    /// whose first byte can start a non-ASCII white space (U+0085, U+00A0, U+1680,
    /// U+2000–U+205F, U+3000) is decoded and looked up.
    static func normalisedSpaces(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { source in
            // Most text needs nothing: single spaces between words, nothing that may be a
            // non-ASCII space. Then it is returned as it is, uncopied.
            var clean = source.first != 0x20 && source.last != 0x20
            var previous: UInt8 = 0
            for byte in source where clean {
                clean = !(byte < 0x20 && byte >= 0x09) && !(byte == 0x20 && previous == 0x20)
                    && byte != 0xC2 && byte != 0xE1 && byte != 0xE2 && byte != 0xE3
                previous = byte
            }
            if clean { return text }
            var out: [UInt8] = []
            out.reserveCapacity(source.count)
            var space = false
            var index = 0
            while index < source.count {
                let byte = source[index]
                let width = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
                let end = min(index + width, source.count)
                let isSpace: Bool
                if byte < 0x80 {
                    isSpace = byte == 0x20 || (0x09...0x0D).contains(byte)
                } else if byte == 0xC2 || byte == 0xE1 || byte == 0xE2 || byte == 0xE3 {
                    var decoder = UTF8()
                    var bytes = source[index..<end].makeIterator()
                    if case .scalarValue(let scalar) = decoder.decode(&bytes) { isSpace = scalar.properties.isWhitespace } else { isSpace = false }
                } else {
                    isSpace = false
                }
                if isSpace {
                    space = !out.isEmpty
                } else {
                    if space { out.append(0x20) }
                    space = false
                    for offset in index..<end { out.append(source[offset]) }
                }
                index = end
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}

/// The text of a piece of HTML, for titles and excerpts that WordPress and feeds give as HTML.
package enum HTMLText {
    /// `html`'s text on one line, entities decoded, tags and scripts left out.
    package static func plain(_ html: String) -> String {
        let document = HTMLDocument(html)
        // The tree's nodes live as long as the document: keep it to the end of the scope.
        defer { withExtendedLifetime(document) {} }
        guard let body = document.body else { return "" }
        return HTMLDocument.text(body)
    }

    /// `html` as plain text for services that take no HTML (Letterboxd's review text):
    /// paragraphs and other blocks separated by a blank line, `<br>` as a line break, list
    /// items as `• item`, white space within a line as one space.
    package static func paragraphs(_ html: String) -> String {
        let document = HTMLDocument(html)
        // The tree's nodes live as long as the document: keep it to the end of the scope.
        defer { withExtendedLifetime(document) {} }
        guard let body = document.body else { return "" }
        var out = ""
        func walk(_ node: HTMLDocument.Node) {
            if HTMLDocument.isText(node) {
                out += HTMLDocument.content(node)
                return
            }
            guard let name = HTMLDocument.name(node), !HTMLSanitizer.droppedElements.contains(name) else { return }
            if name == "br" { out += "\n"; return }
            let block = HTMLSanitizer.blockElements.contains(name)
            if block { out += "\n\n" }
            if name == "li" { out += "• " }
            for child in HTMLDocument.children(node) { walk(child) }
            if block { out += "\n\n" }
        }
        walk(body)
        let lines = out.components(separatedBy: "\n").map { HTMLDocument.normalisedSpaces($0) }
        var result: [String] = []
        for line in lines where !(line.isEmpty && (result.last?.isEmpty ?? true)) { result.append(line) }
        while result.last?.isEmpty == true { result.removeLast() }
        return result.joined(separator: "\n")
    }
}
