import Foundation

/// RSS 2.0 and Atom 1.0 items as `RemoteItem`s (docs/SPEC.md §9 "feed", mapping); RSS 0.9x
/// and 1.0 (RDF) too, since they cost a namespace.
enum FeedXMLMapping {
    static let atom = FeedXMLTree.atomNamespace
    static let content = "http://purl.org/rss/1.0/modules/content/"
    static let media = "http://search.yahoo.com/mrss/"
    static let dublinCore = "http://purl.org/dc/elements/1.1/"
    static let rss1 = "http://purl.org/rss/1.0/"
    static let rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

    static func map(_ root: FeedNode, base: URL?) throws(FeedParseError) -> ParsedFeed {
        let dates = FeedDateParser()
        var problems: [FeedParseError] = []
        var items: [(item: RemoteItem, line: Int)] = []
        switch (root.namespace, root.name) {
        case ("", "rss"):
            guard let channel = root.child("channel", "") else { throw FeedParseError(line: root.line, message: "an RSS document without a <channel>; not a feed") }
            for node in try FeedParser.capped(channel.all("item", ""), line: channel.line) {
                do throws(FeedParseError) { items.append((try rssItem(node, base: base, dates: dates, namespace: ""), node.line)) } catch { problems.append(error) }
            }
        case (rdf, "RDF"):
            // RSS 1.0: the items are the channel's siblings, in RSS 1.0's namespace.
            for node in try FeedParser.capped(root.all("item", rss1), line: root.line) {
                do throws(FeedParseError) { items.append((try rssItem(node, base: base, dates: dates, namespace: rss1), node.line)) } catch { problems.append(error) }
            }
        case (atom, "feed"):
            for node in try FeedParser.capped(root.all("entry", atom), line: root.line) {
                do throws(FeedParseError) { items.append((try atomEntry(node, base: base, dates: dates), node.line)) } catch { problems.append(error) }
            }
        default:
            let name = root.namespace.isEmpty ? root.name : "\(root.name) xmlns=\"\(root.namespace)\""
            throw FeedParseError(line: root.line, message: "not an RSS or Atom feed (the document is <\(name)>)")
        }
        return ParsedFeed(items: FeedParser.droppingDuplicates(items, problems: &problems), problems: problems)
    }

    // MARK: RSS 2.0 (and 0.9x, and 1.0 in its own namespace)

    private static func rssItem(_ node: FeedNode, base: URL?, dates: FeedDateParser, namespace: String) throws(FeedParseError) -> RemoteItem {
        // RSS 1.0 names an item by its `rdf:about`.
        let guid = node.value("guid", namespace) ?? node.attributes["about"]
        // A guid that is a permalink (the default, `isPermaLink` aside) is the link when the
        // item names none.
        let permalinkGuid = node.child("guid", namespace)?.attributes["isPermaLink"]?.lowercased() == "false" ? nil : guid
        let link = FeedParser.absoluteLink(node.value("link", namespace), base: base)
            ?? alternateLink(node, base: base) ?? FeedParser.absoluteLink(permalinkGuid, base: base)
        let body = node.value("encoded", content)
        let description = node.value("description", namespace)
        let html = body ?? description ?? ""
        let categories = node.all("category", namespace).map(\.text) + node.all("subject", dublinCore).map(\.text)
        var item = try make(node, guid: guid, link: link, title: node.value("title", namespace).map(FeedParser.text) ?? "", html: html)
        item.published = (node.value("pubDate", namespace) ?? node.value("date", dublinCore)).flatMap(dates.parse)
        item.modified = (node.value("updated", atom) ?? node.value("modified", "http://purl.org/dc/terms/")).flatMap(dates.parse)
        if body != nil, let description, !FeedParser.isGeneratedExcerpt(description) { item.excerptHTML = description }
        item.categories = cleaned(categories)
        setImage(&item, node, base: base, enclosures: node.all("enclosure", "").map { ($0.attributes["url"], $0.attributes["type"]) })
        return item
    }

    // MARK: Atom 1.0

    private static func atomEntry(_ node: FeedNode, base: URL?, dates: FeedDateParser) throws(FeedParseError) -> RemoteItem {
        let content = node.child("content", atom).flatMap { $0.attributes["src"] == nil ? html(of: $0) : nil }
        let summary = node.child("summary", atom).flatMap(html(of:))
        let title = node.child("title", atom).map { FeedParser.text(html(of: $0) ?? "") } ?? ""
        var item = try make(node, guid: node.value("id", atom), link: alternateLink(node, base: base), title: title, html: content ?? summary ?? "")
        item.published = (node.value("published", atom) ?? node.value("updated", atom)).flatMap(dates.parse)
        item.modified = node.value("updated", atom).flatMap(dates.parse)
        if content != nil, let summary, !FeedParser.isGeneratedExcerpt(summary) { item.excerptHTML = summary }
        item.categories = cleaned(node.all("category", atom).map { $0.attributes["label"] ?? $0.attributes["term"] ?? "" })
        let enclosures = node.all("link", atom).filter { $0.attributes["rel"] == "enclosure" }.map { ($0.attributes["href"], $0.attributes["type"]) }
        setImage(&item, node, base: base, enclosures: enclosures)
        return item
    }

    /// An Atom text construct as HTML (RFC 4287 §3.1): `html` is HTML already, `xhtml` was
    /// captured as markup, `text` (the default) is escaped.
    private static func html(of node: FeedNode) -> String? {
        let text = node.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return nil }
        switch node.attributes["type"] ?? "text" {
        case "html", "xhtml", "text/html", "application/xhtml+xml": return text
        default: return FeedHTML.paragraphs(text)
        }
    }

    /// `<link rel="alternate" href>` (Atom's, also found in RSS items through the Atom
    /// namespace); a link without `rel` is an alternate one.
    private static func alternateLink(_ node: FeedNode, base: URL?) -> String? {
        let links = node.all("link", atom).filter { ($0.attributes["rel"] ?? "alternate") == "alternate" }
        let html = links.first { $0.attributes["type"].map { $0.contains("html") } ?? true } ?? links.first
        return FeedParser.absoluteLink(html?.attributes["href"], base: base)
    }

    // MARK: Shared

    private static func make(_ node: FeedNode, guid: String?, link: String?, title: String, html: String) throws(FeedParseError) -> RemoteItem {
        guard let id = FeedIdentity.of(guid: guid, link: link) else {
            throw FeedParseError(line: node.line, message: "an item with no guid, id or link; left out")
        }
        guard let link else { throw FeedParseError(line: node.line, message: "item \(id) has no http(s) link; left out") }
        return RemoteItem(id: id, link: link, title: title, published: nil, html: html)
    }

    private static func cleaned(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.map { FeedParser.text($0) }.filter { !$0.isEmpty && seen.insert($0.lowercased()).inserted }
    }

    /// The image: `media:content` (directly or in a `media:group`) or `media:thumbnail`, an
    /// image enclosure, else the body's first `<img>`; made absolute, http(s) only.
    private static func setImage(_ item: inout RemoteItem, _ node: FeedNode, base: URL?, enclosures: [(url: String?, type: String?)]) {
        let groups = [node] + node.all("group", media)
        let contents = groups.flatMap { $0.all("content", media) }
        let picture = contents.first { content in
            let medium = content.attributes["medium"], type = content.attributes["type"]
            return medium == "image" || type?.hasPrefix("image/") == true || (medium == nil && type == nil)
        }
        if let picture, let url = FeedParser.absoluteLink(picture.attributes["url"], base: base) {
            item.image = url
            item.imageAlt = picture.value("description", media) ?? node.value("description", media) ?? picture.value("title", media)
            item.imageCredit = picture.value("credit", media) ?? node.value("credit", media)
            return
        }
        let thumbnail = groups.compactMap { $0.child("thumbnail", media)?.attributes["url"] }.first
        let enclosure = enclosures.first { $0.type?.hasPrefix("image/") == true }?.url
        let image = thumbnail ?? enclosure ?? FeedHTML.firstImage(item.html)
        item.image = FeedParser.absoluteLink(image, base: URL(string: item.link) ?? base)
        item.imageCredit = node.value("credit", media)
    }
}
