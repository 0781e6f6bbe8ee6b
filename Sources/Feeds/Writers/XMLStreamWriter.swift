import CLibXML2
import Foundation

/// A thin owner of libxml2's `xmlTextWriter`, streaming to a file: libxml2 does the escaping
/// and well-formedness, this type only makes the calls Swift-shaped and checks their results.
/// Text is cleaned of characters XML 1.0 forbids before it is handed over.
final class XMLStreamWriter {
    private var writer: xmlTextWriterPtr?
    let path: String

    init(path: String) throws {
        guard let writer = xmlNewTextWriterFilename(path, 0) else {
            throw FeedWriteError.cannotOpen(path)
        }
        self.writer = writer
        self.path = path
        xmlTextWriterSetIndent(writer, 1)
        xmlTextWriterSetIndentString(writer, "  ")
    }

    deinit { close() }

    /// Frees the writer, which closes the file: until then its last bytes may not be on disk.
    func close() {
        if let writer { xmlFreeTextWriter(writer) }
        writer = nil
    }

    private func check(_ result: Int32) throws {
        if result < 0 { throw FeedWriteError.writeFailed(path) }
    }

    func startDocument() throws { try check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nil)) }

    /// Closes every open element, then the file.
    func endDocument() throws {
        try check(xmlTextWriterEndDocument(writer))
        try check(xmlTextWriterFlush(writer))
        close()
    }

    func start(_ name: String) throws { try check(xmlTextWriterStartElement(writer, name)) }

    func end() throws { try check(xmlTextWriterEndElement(writer)) }

    func attribute(_ name: String, _ value: String) throws {
        try check(xmlTextWriterWriteAttribute(writer, name, XMLText.clean(value)))
    }

    func text(_ value: String) throws { try check(xmlTextWriterWriteString(writer, XMLText.clean(value))) }

    /// `<name attr="…">text</name>`
    func element(_ name: String, _ text: String, attributes: KeyValuePairs<String, String> = [:]) throws {
        try start(name)
        for (key, value) in attributes { try attribute(key, value) }
        try self.text(text)
        try end()
    }

    /// `<name attr="…"/>`
    func emptyElement(_ name: String, attributes: KeyValuePairs<String, String>) throws {
        try start(name)
        for (key, value) in attributes { try attribute(key, value) }
        try end()
    }
}

/// What went wrong while writing a feed file.
public enum FeedWriteError: Error, CustomStringConvertible {
    case cannotOpen(String)
    case writeFailed(String)

    public var description: String {
        switch self {
        case .cannotOpen(let path): return "\(path): cannot create the file"
        case .writeFailed(let path): return "\(path): write failed (disk full or removed?)"
        }
    }
}

/// Text as XML 1.0 can carry it.
public enum XMLText {
    /// Drops what XML 1.0 forbids (C0 controls but tab, LF and CR; U+FFFE and U+FFFF) and
    /// the C1 controls and DEL, which no reader wants to see. Unchanged text is not copied.
    public static func clean(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isForbidden) else { return text }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.lazy.filter { !isForbidden($0) })
        return String(scalars)
    }

    @inline(__always)
    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x20 { return v != 0x09 && v != 0x0A && v != 0x0D }
        if v < 0x7F { return false }
        return v <= 0x9F || v == 0xFFFE || v == 0xFFFF
    }
}
