import CLibXML2
import Foundation

/// A feed read back with libxml2 and queried with XPath, for tests that check structure
/// rather than bytes.
final class ParsedXML {
    private let document: xmlDocPtr
    private let context: xmlXPathContextPtr

    static let namespaces = [
        "atom": "http://www.w3.org/2005/Atom",
        "content": "http://purl.org/rss/1.0/modules/content/",
        "dc": "http://purl.org/dc/elements/1.1/",
        "media": "http://search.yahoo.com/mrss/",
        "letterboxd": "https://letterboxd.com",
        "tmdb": "https://themoviedb.org",
    ]

    /// Parses a file; nil when it is not well-formed XML.
    init?(path: String) {
        guard let document = xmlReadFile(path, nil, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)) else {
            return nil
        }
        self.document = document
        context = xmlXPathNewContext(document)
        for (prefix, uri) in Self.namespaces { xmlXPathRegisterNs(context, prefix, uri) }
    }

    deinit {
        xmlXPathFreeContext(context)
        xmlFreeDoc(document)
    }

    /// The string values of every node the expression selects.
    func strings(_ xpath: String) -> [String] {
        guard let result = xmlXPathEvalExpression(xpath, context) else { return [] }
        defer { xmlXPathFreeObject(result) }
        guard let set = result.pointee.nodesetval else { return [] }
        return (0..<Int(set.pointee.nodeNr)).map { index in
            let node = set.pointee.nodeTab[index]
            guard let content = xmlNodeGetContent(node) else { return "" }
            defer { syn_xml_free(content) }
            return String(cString: content)
        }
    }

    func string(_ xpath: String) -> String? { strings(xpath).first }

    func count(_ xpath: String) -> Int { strings(xpath).count }
}
