import CLibXML2
import Foundation

/// What a feed reader needs to know of an item's HTML, read with libxml2's HTML parser (no
/// network, errors silenced: HTML in feeds is rarely valid, and the parser recovers).
enum FeedHTML {
    /// The text of an HTML fragment (tags dropped, entities decoded, white space collapsed):
    /// for titles and summaries written as HTML.
    static func text(_ html: String) -> String {
        guard html.contains("<") || html.contains("&") else { return collapse(html) }
        return withDocument(html) { document in
            guard let root = xmlDocGetRootElement(document), let content = xmlNodeGetContent(root) else { return "" }
            defer { syn_xml_free(content) }
            return collapse(String(cString: content))
        } ?? collapse(html)
    }

    /// The `src` of the first `<img>` in an HTML body, as written.
    static func firstImage(_ html: String) -> String? {
        guard html.range(of: "<img", options: .caseInsensitive) != nil else { return nil }
        return withDocument(html) { document -> String? in
            guard let context = xmlXPathNewContext(document) else { return nil }
            defer { xmlXPathFreeContext(context) }
            guard let result = xmlXPathEvalExpression(firstImageSource, context) else { return nil }
            defer { xmlXPathFreeObject(result) }
            guard let nodes = result.pointee.nodesetval, nodes.pointee.nodeNr > 0, let node = nodes.pointee.nodeTab[0],
                  let value = xmlNodeGetContent(node) else { return nil }
            defer { syn_xml_free(value) }
            let src = String(cString: value).trimmingCharacters(in: .whitespacesAndNewlines)
            return src.isEmpty ? nil : src
        } ?? nil
    }

    private static let firstImageSource: [xmlChar] = Array("(//img[@src])[1]/@src".utf8) + [0]

    /// Plain text as HTML: escaped, each blank-line-separated block a paragraph (JSON Feed's
    /// `content_text`, Atom's `type="text"`).
    static func paragraphs(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n")
            .components(separatedBy: "\n\n")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
            .map { "<p>" + escape($0) + "</p>" }
            .joined(separator: "\n")
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    private static func withDocument<T>(_ html: String, _ body: (htmlDocPtr) -> T) -> T? {
        syn_xml_silence_errors()
        let options = Int32(HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
                            | HTML_PARSE_RECOVER.rawValue)
        let bytes = Array(html.utf8)
        guard !bytes.isEmpty else { return nil }
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                htmlReadMemory($0, Int32(buffer.count), nil, "UTF-8", options)
            }
        }
        guard let document else { return nil }
        defer { xmlFreeDoc(document) }
        return body(document)
    }

    private static func collapse(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
