import Foundation
import Reviews

/// What `init` reads of a page or a feed (README "Sources"): the feeds a page links to, and a
/// feed's own title, link and language, through the readers the remote sources use
/// (`HTMLDocument`, `FeedXMLTree`, `JSONDecoder`): libxml2 with network access off, no DTD
/// loaded, no entity substituted.
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
        // The tree's nodes live as long as the document: keep it to the end of the scope.
        defer { withExtendedLifetime(document) {} }
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

    /// The head of an RSS (2.0, 0.9x or 1.0) or Atom feed, read with the feed source's own
    /// reader (`FeedXMLTree`: no network, no DTD, no entity); nil when the bytes are no such
    /// feed.
    static func feedHead(xml: Data, charset: String?) -> FeedHead? {
        guard let root = try? FeedXMLTree.parse(xml, encoding: charset) else { return nil }
        func head(_ node: FeedNode, _ namespace: String, link: String?, language: String?) -> FeedHead {
            FeedHead(title: node.value("title", namespace).map(FeedParser.text), link: link, language: language)
        }
        switch (root.namespace, root.name) {
        case ("", "rss"):
            guard let channel = root.child("channel", "") else { return nil }
            return head(channel, "", link: channel.value("link", ""), language: channel.value("language", ""))
        case (FeedXMLMapping.rdf, "RDF"):
            guard let channel = root.child("channel", FeedXMLMapping.rss1) else { return nil }
            return head(channel, FeedXMLMapping.rss1, link: channel.value("link", FeedXMLMapping.rss1), language: nil)
        case (FeedXMLMapping.atom, "feed"):
            // A link without `rel` is an alternate one (RFC 4287 §4.2.7.2).
            let link = root.all("link", FeedXMLMapping.atom).first { ($0.attributes["rel"] ?? "alternate") == "alternate" }?.attributes["href"]
            return head(root, FeedXMLMapping.atom, link: link, language: root.attributes["lang"])
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
}

extension URLResolver {
    /// `url` resolved against `base` when the result is an http(s) URL; nil otherwise.
    static func absoluteHTTP(_ url: String, base: URL) -> String? {
        let absolute = absolute(url, base: base)
        return ConfigTable.isHTTPURL(absolute) ? absolute : nil
    }
}
