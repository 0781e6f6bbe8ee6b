import CLibXML2
import Foundation
import Reviews

/// What `init` reads of a page or a feed, through libxml2 (README "Sources"): the feeds a page
/// links to, and a feed's own title, link and language. Nothing here touches the network or
/// expands an entity: libxml2 parses with network access off, loads no DTD and substitutes
/// no entity, and only the text nodes of an element are read.
enum SiteMarkup {
    /// A feed's channel as it describes itself.
    struct FeedHead: Equatable {
        var title: String?
        var link: String?
        var language: String?
    }

    /// The feed types a page may link to with `<link rel="alternate">`.
    static let feedTypes: Set = ["application/rss+xml", "application/atom+xml", "application/feed+json", "application/json"]

    /// The feeds an HTML page links to (`<link rel="alternate" type=…>`), absolute, in
    /// document order, and the page's `<title>`.
    static func alternates(html: Data, base: URL, charset: String?) -> (feeds: [String], title: String?) {
        syn_xml_silence_errors()
        let options = Int32(HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_RECOVER.rawValue)
        let parsed = html.withUnsafeBytes { bytes in
            htmlReadMemory(bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(clamping: bytes.count), base.absoluteString,
                           charset, options)
        }
        guard let document = parsed else { return ([], nil) }
        defer { xmlFreeDoc(document) }
        var feeds: [String] = []
        var title: String?
        walk(xmlDocGetRootElement(document)) { node in
            switch name(node) {
            case "link":
                let rel = attribute(node, "rel")?.lowercased().split(whereSeparator: \.isWhitespace) ?? []
                guard rel.contains("alternate"), let type = attribute(node, "type")?.lowercased().trimmingCharacters(in: .whitespaces),
                      feedTypes.contains(type), let href = attribute(node, "href"), !href.isEmpty else { return }
                let url = URLResolver.absoluteHTTP(href, base: base)
                if let url, !feeds.contains(url) { feeds.append(url) }
            case "title" where title == nil:
                title = text(node)
            default: break
            }
        }
        return (feeds, title)
    }

    /// The head of an RSS 2.0 (or 0.9x, or 1.0) or Atom feed; nil when the bytes are no such
    /// feed.
    static func feedHead(xml: Data, url: String, charset: String?) -> FeedHead? {
        syn_xml_silence_errors()
        // No XML_PARSE_NOENT (entities stay references, never expanded), no DTD loading.
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let parsed = xml.withUnsafeBytes { bytes in
            xmlReadMemory(bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(clamping: bytes.count), url, charset, options)
        }
        guard let document = parsed else { return nil }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else { return nil }
        switch name(root) {
        case "rss", "RDF":
            guard let channel = children(root).first(where: { name($0) == "channel" }) else { return nil }
            let fields = children(channel)
            func field(_ wanted: String) -> String? { fields.first { name($0) == wanted }.flatMap(text) }
            return FeedHead(title: field("title"), link: field("link"), language: field("language"))
        case "feed":
            let fields = children(root)
            let link = fields.first { name($0) == "link" && (attribute($0, "rel") ?? "alternate") == "alternate" }
                .flatMap { attribute($0, "href") }
            let language = xmlNodeGetLang(root).map { pointer in
                defer { syn_xml_free(pointer) }
                return String(cString: pointer)
            }
            return FeedHead(title: fields.first { name($0) == "title" }.flatMap(text), link: link, language: language)
        default:
            return nil
        }
    }

    /// The head of a JSON Feed (any version 1.x); nil when the bytes are no JSON Feed.
    static func jsonFeedHead(_ data: Data) -> FeedHead? {
        struct Head: Decodable {
            var version: String
            var title: String?
            var home_page_url: String?
            var language: String?
        }
        guard let head = try? JSONDecoder().decode(Head.self, from: data), head.version.hasPrefix("https://jsonfeed.org/version/1") else {
            return nil
        }
        return FeedHead(title: head.title, link: head.home_page_url, language: head.language)
    }

    /// Text with its HTML character references decoded (WordPress keeps a site's name with
    /// them: `Bob&#039;s Reviews`), through the HTML parser like any other markup.
    static func decodingEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        syn_xml_silence_errors()
        let html = Data("<html><body><p>\(text.replacingOccurrences(of: "<", with: "&lt;"))</p></body></html>".utf8)
        let options = Int32(HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_RECOVER.rawValue)
        let parsed = html.withUnsafeBytes { bytes in
            htmlReadMemory(bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(clamping: bytes.count), nil, "UTF-8", options)
        }
        guard let document = parsed else { return text }
        defer { xmlFreeDoc(document) }
        var decoded: String?
        walk(xmlDocGetRootElement(document)) { node in
            if decoded == nil, name(node) == "p" { decoded = Self.text(node) ?? "" }
        }
        return decoded ?? text
    }

    // MARK: The tree

    private static func walk(_ node: xmlNodePtr?, _ visit: (xmlNodePtr) -> Void) {
        var node = node
        while let current = node {
            if current.pointee.type == XML_ELEMENT_NODE {
                visit(current)
                walk(current.pointee.children, visit)
            }
            node = current.pointee.next
        }
    }

    private static func children(_ node: xmlNodePtr) -> [xmlNodePtr] {
        var result: [xmlNodePtr] = []
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { result.append(current) }
            child = current.pointee.next
        }
        return result
    }

    /// The element's local name.
    private static func name(_ node: xmlNodePtr) -> String {
        node.pointee.name.map { String(cString: $0) } ?? ""
    }

    private static func attribute(_ node: xmlNodePtr, _ name: String) -> String? {
        guard let value = xmlGetProp(node, name) else { return nil }
        defer { syn_xml_free(value) }
        return String(cString: value)
    }

    /// The element's own text and CDATA, trimmed; entity references are skipped, never
    /// expanded. Nil when empty.
    private static func text(_ node: xmlNodePtr) -> String? {
        var result = ""
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_TEXT_NODE || current.pointee.type == XML_CDATA_SECTION_NODE, let content = current.pointee.content {
                result += String(cString: content)
            }
            child = current.pointee.next
        }
        let trimmed = result.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }
}

extension URLResolver {
    /// `url` resolved against `base` when the result is an http(s) URL; nil otherwise.
    static func absoluteHTTP(_ url: String, base: URL) -> String? {
        let absolute = absolute(url, base: base)
        return ConfigTable.isHTTPURL(absolute) ? absolute : nil
    }
}
