import Foundation
import Reviews

/// Atom 1.0 (RFC 4287). Entry ids are the permalinks, which do not change when a review is
/// edited.
final class AtomWriter: FeedFormatWriter {
    private let xml: XMLStreamWriter

    init(path: String) throws { xml = try XMLStreamWriter(path: path) }

    func begin(_ channel: FeedChannel) throws {
        try xml.startDocument()
        try xml.start("feed")
        try xml.attribute("xmlns", "http://www.w3.org/2005/Atom")
        try xml.attribute("xml:lang", channel.language)
        try xml.element("title", channel.title)
        if !channel.description.isEmpty { try xml.element("subtitle", channel.description) }
        try xml.emptyElement("link", attributes: ["rel": "alternate", "type": "text/html", "href": channel.homeURL + "/"])
        try xml.emptyElement("link", attributes: ["rel": "self", "type": "application/atom+xml", "href": channel.selfURL])
        if let hub = channel.hubURL { try xml.emptyElement("link", attributes: ["rel": "hub", "href": hub]) }
        try xml.element("id", channel.selfURL)
        // An empty feed still needs a date; the epoch keeps the output a function of the input.
        try xml.element("updated", FeedDates.rfc3339(channel.updated ?? Date(timeIntervalSince1970: 0)))
        try xml.start("author")
        try xml.element("name", channel.author.isEmpty ? channel.title : channel.author)
        try xml.end()
        try xml.element("generator", "Syndicate")
    }

    func add(_ entry: FeedEntry) throws {
        let review = entry.review
        try xml.start("entry")
        try xml.element("title", review.title)
        try xml.emptyElement("link", attributes: ["rel": "alternate", "type": "text/html", "href": entry.permalink])
        try xml.element("id", entry.permalink)
        try xml.element("published", FeedDates.rfc3339(review.date))
        try xml.element("updated", FeedDates.rfc3339(review.lastModified))
        for genre in review.genres { try xml.emptyElement("category", attributes: ["term": genre]) }
        if !entry.summary.isEmpty { try xml.element("summary", entry.summary, attributes: ["type": "text"]) }
        if let content = entry.contentHTML { try xml.cdataElement("content", content, attributes: ["type": "html"]) }
        try xml.end()
    }

    func finish() throws { try xml.endDocument() }
}
