import CLibXML2
import Foundation

/// One element of a feed document as libxml2's reader gave it: what the RSS and Atom mappings
/// need, and no more (the text of its own text and CDATA children, its attributes, its
/// child elements).
final class FeedNode {
    /// The element's namespace URI ("" when none) and local name.
    let namespace: String
    let name: String
    /// Attributes by local name (namespace declarations left out).
    let attributes: [String: String]
    /// The line the element starts on, for messages about one item.
    let line: Int
    /// Its text and CDATA children, joined; for an Atom `type="xhtml"` construct, the markup
    /// inside its `div`.
    var text = ""
    var children: [FeedNode] = []

    init(namespace: String, name: String, attributes: [String: String], line: Int) {
        self.namespace = namespace
        self.name = name
        self.attributes = attributes
        self.line = line
    }

    /// The first child with this name (in this namespace).
    func child(_ name: String, _ namespace: String) -> FeedNode? {
        children.first { $0.name == name && $0.namespace == namespace }
    }

    func all(_ name: String, _ namespace: String) -> [FeedNode] {
        children.filter { $0.name == name && $0.namespace == namespace }
    }

    /// The trimmed text of the first such child, nil when it is missing or blank.
    func value(_ name: String, _ namespace: String) -> String? {
        guard let text = child(name, namespace)?.text.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return text
    }
}

/// A feed document that is not well-formed XML, or breaks Syndicate's rules for one.
struct FeedParseError: Error, Sendable, Equatable {
    /// The line of the document at fault (1 when the problem is the whole document).
    var line: Int
    var message: String
}

/// Reads an XML feed into `FeedNode`s with libxml2's streaming reader (`xmlReader`), safely:
/// no network (`XML_PARSE_NONET`), no DTD loading or validation, no entity substitution, and a
/// document that declares entities is refused outright, so that neither an entity bomb
/// ("billion laughs") nor an external entity (`file://`, `http://`) can do anything.
enum FeedXMLTree {
    /// Elements deeper than this below the root are skipped: `rss/channel/item/media:group/
    /// media:content/media:credit` is the deepest a mapping reads. Skipping keeps a hostile
    /// document's memory to what matters.
    static let maximumDepth = 5
    /// More elements than this kept is no feed (20 MB of `<x/>` would be millions).
    static let maximumElements = 500_000

    static let xhtmlNamespace = "http://www.w3.org/1999/xhtml"
    static let atomNamespace = "http://www.w3.org/2005/Atom"

    /// - Parameters:
    ///   - encoding: the HTTP charset, used when the document has no byte-order mark (a mark
    ///     wins; without either, the XML declaration decides, UTF-8 by default).
    /// - Returns: the root element.
    static func parse(_ data: Data, encoding: String?) throws(FeedParseError) -> FeedNode {
        syn_xml_silence_errors()
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
                            | XML_PARSE_NOCDATA.rawValue)
        let marked = hasByteOrderMark(data)
        let encoding = marked ? nil : encoding
        // White space before the XML declaration makes a document not well-formed, and is
        // what a stray blank line in a WordPress theme or plugin leaves in front of its
        // feed, often: it is skipped.
        let data = marked ? data : data.drop { [0x20, 0x09, 0x0A, 0x0D].contains($0) }
        let result: Result<FeedNode, FeedParseError> = data.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress, bytes.count > 0 else { return .failure(FeedParseError(line: 1, message: "empty answer, no feed")) }
            xmlResetLastError()
            guard let reader = xmlReaderForMemory(base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil, encoding, options) else {
                return .failure(FeedParseError(line: 1, message: encoding.map { "unknown encoding \"\($0)\"" } ?? "libxml2 could not start reading"))
            }
            defer { xmlFreeTextReader(reader) }
            return Result { () throws(FeedParseError) in try read(reader) }
        }
        return try result.get()
    }

    private static func hasByteOrderMark(_ data: Data) -> Bool {
        let head = [UInt8](data.prefix(4))
        return head.starts(with: [0xEF, 0xBB, 0xBF]) || head.starts(with: [0xFE, 0xFF]) || head.starts(with: [0xFF, 0xFE])
            || head.starts(with: [0, 0, 0xFE, 0xFF])
    }

    private static func read(_ reader: xmlTextReaderPtr) throws(FeedParseError) -> FeedNode {
        var stack: [FeedNode] = []
        var root: FeedNode?
        var kept = 0
        // False when skipping a subtree already moved the reader to the next node.
        var advance = true
        while true {
            if advance {
                let status = xmlTextReaderRead(reader)
                if status == 0 { break }
                guard status == 1 else { throw lastError(reader) }
            }
            advance = true
            switch xmlTextReaderNodeType(reader) {
            case Int32(XML_READER_TYPE_DOCUMENT_TYPE.rawValue):
                try refuseEntities(reader)
            case Int32(XML_READER_TYPE_ELEMENT.rawValue):
                if Int(xmlTextReaderDepth(reader)) > maximumDepth {
                    // Past what any mapping reads: the whole subtree is skipped.
                    let status = xmlTextReaderNext(reader)
                    guard status != -1 else { throw lastError(reader) }
                    // At the document's end (0), the next read says so.
                    advance = status == 0
                    continue
                }
                let node = element(reader)
                kept += 1
                if kept > maximumElements { throw FeedParseError(line: node.line, message: "more than \(maximumElements) elements; not a feed") }
                if node.attributes["type"] == "xhtml", node.namespace == atomNamespace {
                    try captureXHTML(reader, into: node)
                    attach(node, to: &stack, root: &root)
                } else if xmlTextReaderIsEmptyElement(reader) == 1 {
                    attach(node, to: &stack, root: &root)
                } else {
                    stack.append(node)
                }
            case Int32(XML_READER_TYPE_END_ELEMENT.rawValue):
                if let node = stack.popLast() { attach(node, to: &stack, root: &root) }
            case Int32(XML_READER_TYPE_TEXT.rawValue), Int32(XML_READER_TYPE_CDATA.rawValue),
                 Int32(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue), Int32(XML_READER_TYPE_WHITESPACE.rawValue):
                if let top = stack.last, let value = xmlTextReaderConstValue(reader) { top.text += String(cString: value) }
            default:
                // Comments, processing instructions, and references to entities no DTD of ours
                // declares: nothing of a feed.
                break
            }
        }
        guard let root, stack.isEmpty else {
            throw FeedParseError(line: Int(xmlTextReaderGetParserLineNumber(reader)), message: "the document ends before its elements do (truncated?)")
        }
        return root
    }

    private static func attach(_ node: FeedNode, to stack: inout [FeedNode], root: inout FeedNode?) {
        if let parent = stack.last { parent.children.append(node) } else if root == nil { root = node }
    }

    /// The element the reader stands on, with its attributes.
    private static func element(_ reader: xmlTextReaderPtr) -> FeedNode {
        var attributes: [String: String] = [:]
        if xmlTextReaderHasAttributes(reader) == 1 {
            while xmlTextReaderMoveToNextAttribute(reader) == 1 {
                let namespace = xmlTextReaderConstNamespaceUri(reader).map { String(cString: $0) } ?? ""
                guard namespace != "http://www.w3.org/2000/xmlns/", let name = xmlTextReaderConstLocalName(reader) else { continue }
                attributes[String(cString: name)] = xmlTextReaderConstValue(reader).map { String(cString: $0) } ?? ""
            }
            xmlTextReaderMoveToElement(reader)
        }
        return FeedNode(namespace: xmlTextReaderConstNamespaceUri(reader).map { String(cString: $0) } ?? "",
                        name: xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? "",
                        attributes: attributes, line: Int(xmlGetLineNo(xmlTextReaderCurrentNode(reader))))
    }

    /// An Atom text construct of `type="xhtml"` holds one XHTML `div` (RFC 4287 §3.1.1.3):
    /// its content, as markup, is the text. The reader is left on the construct's end.
    private static func captureXHTML(_ reader: xmlTextReaderPtr, into node: FeedNode) throws(FeedParseError) {
        guard xmlTextReaderIsEmptyElement(reader) == 0 else { return }
        let depth = xmlTextReaderDepth(reader)
        while true {
            let status = xmlTextReaderRead(reader)
            guard status == 1 else { throw status == 0 ? FeedParseError(line: node.line, message: "the document ends inside an element (truncated?)") : lastError(reader) }
            let type = xmlTextReaderNodeType(reader)
            if type == Int32(XML_READER_TYPE_END_ELEMENT.rawValue), xmlTextReaderDepth(reader) == depth { return }
            if type == Int32(XML_READER_TYPE_ELEMENT.rawValue), xmlTextReaderDepth(reader) == depth + 1 {
                // Read the div whole (libxml2 expands it), then step past it.
                if let inner = xmlTextReaderReadInnerXml(reader) {
                    // Each child is written whole, so each repeats the XHTML namespace: in the
                    // HTML a body is, that is noise.
                    node.text += String(cString: inner).replacingOccurrences(of: " xmlns=\"\(xhtmlNamespace)\"", with: "")
                    syn_xml_free(inner)
                } else {
                    throw lastError(reader)
                }
                if xmlTextReaderNext(reader) == -1 { throw lastError(reader) }
                if xmlTextReaderNodeType(reader) == Int32(XML_READER_TYPE_END_ELEMENT.rawValue), xmlTextReaderDepth(reader) == depth { return }
            }
        }
    }

    /// A document type that declares entities is refused: a feed needs none, and this is
    /// where an entity bomb or an external entity would be declared.
    private static func refuseEntities(_ reader: xmlTextReaderPtr) throws(FeedParseError) {
        if let refusal = entityRefusal(reader) { throw refusal }
    }

    private static func entityRefusal(_ reader: xmlTextReaderPtr) -> FeedParseError? {
        guard let document = xmlTextReaderCurrentDoc(reader) else { return nil }
        let declares = [document.pointee.intSubset, document.pointee.extSubset].contains { dtd in
            guard let dtd else { return false }
            return dtd.pointee.entities != nil || dtd.pointee.pentities != nil
        }
        guard declares else { return nil }
        return FeedParseError(line: max(1, Int(xmlGetLineNo(document.pointee.intSubset.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: xmlNode.self) }))),
                              message: "the document declares entities (<!ENTITY …>), which a feed never needs; refused")
    }

    /// libxml2's last error for this thread, as one line; a document that declares entities
    /// is refused for that, whatever libxml2 met first (its own guard against entity loops
    /// may stop an entity bomb before the reader shows the document type).
    private static func lastError(_ reader: xmlTextReaderPtr) -> FeedParseError {
        if let refusal = entityRefusal(reader) { return refusal }
        guard let error = xmlGetLastError(), let message = error.pointee.message else {
            return FeedParseError(line: Int(xmlTextReaderGetParserLineNumber(reader)), message: "not well-formed XML")
        }
        let text = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
        return FeedParseError(line: max(1, Int(error.pointee.line)), message: "not well-formed XML: \(text)")
    }
}
