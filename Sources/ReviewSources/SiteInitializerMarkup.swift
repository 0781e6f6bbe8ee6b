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
    static func alternates(html: Data, base: URL) -> (feeds: [String], title: String?) {
        let document = HTMLDocument(String(decoding: html, as: UTF8.self))
        var feeds: [String] = []
        for link in document.elements(named: "link") {
            let attributes = Dictionary(HTMLDocument.attributes(link), uniquingKeysWith: { first, _ in first })
            let rel = attributes["rel"]?.lowercased().split(whereSeparator: \.isWhitespace) ?? []
            guard rel.contains("alternate"), let type = attributes["type"]?.lowercased().trimmingCharacters(in: .whitespaces),
                  feedTypes.contains(type), let href = attributes["href"], !href.isEmpty,
                  let url = URLResolver.absoluteHTTP(href, base: base), !feeds.contains(url) else { continue }
            feeds.append(url)
        }
        // Its text nodes: `HTMLDocument.text` leaves `<title>` out, as never shown in a body.
        let title = document.elements(named: "title").first.map {
            HTMLDocument.normalisedSpaces(HTMLDocument.children($0).filter(HTMLDocument.isText).map(HTMLDocument.content).joined())
        }
        return (feeds, title?.isEmpty == false ? title : nil)
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

    // MARK: The tree

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
