import CLibXML2
import Foundation

/// A thin owner of libxml2's `xmlTextWriter`, streaming to a file: libxml2 does the escaping
/// and well-formedness, this type only makes the calls Swift-shaped and checks their results.
/// Text is cleaned of characters XML 1.0 forbids before it is handed over.
final class XMLStreamWriter {
    private var writer: OpaquePointer?
    let path: String

    init(path: String) throws {
        // Before any thread writes: the threads that fill the files take this default.
        syn_xml_silence_errors()
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

    /// `<name attr="…"><![CDATA[text]]></name>` for large HTML: copied as it is, not escaped
    /// character by character. A `]]>` inside splits the section. `text` must already be
    /// clean (`XMLText.clean`).
    func cdataElement(_ name: String, _ text: String, attributes: KeyValuePairs<String, String> = [:]) throws {
        try start(name)
        for (key, value) in attributes { try attribute(key, value) }
        var rest = Substring(text)
        // A byte search: Foundation's range(of:) took half of a large build.
        while let offset = Self.cdataEnd(in: rest) {
            let end = rest.utf8.index(rest.utf8.startIndex, offsetBy: offset)
            try check(xmlTextWriterWriteCDATA(writer, String(rest[..<end]) + "]]"))
            rest = rest[rest.utf8.index(end, offsetBy: 2)...]
        }
        try check(xmlTextWriterWriteCDATA(writer, String(rest)))
        try end()
    }

    /// The byte offset of the first `]]>` in `text`.
    private static func cdataEnd(in text: Substring) -> Int? {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return nil }
            var index = 0
            while index + 2 < bytes.count {
                guard let found = memchr(base + index, Int32(UInt8(ascii: "]")), bytes.count - index - 2) else { return nil }
                index = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
                if bytes[index + 1] == UInt8(ascii: "]"), bytes[index + 2] == UInt8(ascii: ">") { return index }
                index += 1
            }
            return nil
        }
    }

    /// `<name attr="…"/>`
    func emptyElement(_ name: String, attributes: KeyValuePairs<String, String>) throws {
        try start(name)
        for (key, value) in attributes { try attribute(key, value) }
        try end()
    }
}

/// What went wrong while writing a feed file.
public enum FeedWriteError: Error, Sendable, CustomStringConvertible {
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
        guard needsCleaning(text) else { return text }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.lazy.filter { !isForbidden($0) })
        return String(scalars)
    }

    /// A byte scan for the encodings of forbidden characters: feeds pass megabytes of HTML
    /// through here, nearly always clean.
    static func needsCleaning(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var index = 0
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                if byte < 0x20 {
                    if byte != 0x09 && byte != 0x0A && byte != 0x0D { return true }
                } else if byte == 0x7F {
                    return true
                } else if byte == 0xC2, index + 1 < count, bytes[index + 1] >= 0x80, bytes[index + 1] <= 0x9F {
                    return true
                } else if byte == 0xEF, index + 2 < count, bytes[index + 1] == 0xBF, bytes[index + 2] >= 0xBE {
                    return true
                }
                index += 1
            }
            return false
        }
    }

    @inline(__always)
    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x20 { return v != 0x09 && v != 0x0A && v != 0x0D }
        if v < 0x7F { return false }
        return v <= 0x9F || v == 0xFFFE || v == 0xFFFF
    }
}
