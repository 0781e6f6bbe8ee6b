import Foundation
import Reviews

/// RSS 2.0 with the content, Dublin Core, Atom, Media RSS, Letterboxd and TMDB namespaces.
final class RSSWriter: FeedFormatWriter {
    private let xml: XMLStreamWriter
    private var author = ""

    static let namespaces: KeyValuePairs<String, String> = [
        "xmlns:atom": "http://www.w3.org/2005/Atom",
        "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        "xmlns:dc": "http://purl.org/dc/elements/1.1/",
        "xmlns:media": "http://search.yahoo.com/mrss/",
        "xmlns:letterboxd": "https://letterboxd.com",
        "xmlns:tmdb": "https://themoviedb.org",
    ]

    init(path: String) throws { xml = try XMLStreamWriter(path: path) }

    func begin(_ channel: FeedChannel) throws {
        author = channel.author
        try xml.startDocument()
        try xml.start("rss")
        try xml.attribute("version", "2.0")
        for (name, uri) in Self.namespaces { try xml.attribute(name, uri) }
        try xml.start("channel")
        try xml.element("title", channel.title)
        try xml.element("link", channel.homeURL + "/")
        try xml.element("description", channel.description.isEmpty ? channel.title : channel.description)
        try xml.element("language", channel.language)
        try xml.element("generator", "Syndicate")
        if let published = channel.published { try xml.element("pubDate", FeedDates.rfc822(published)) }
        if let updated = channel.updated { try xml.element("lastBuildDate", FeedDates.rfc822(updated)) }
        try xml.emptyElement("atom:link", attributes: ["href": channel.selfURL, "rel": "self", "type": "application/rss+xml"])
        if let hub = channel.hubURL { try xml.emptyElement("atom:link", attributes: ["href": hub, "rel": "hub"]) }
    }

    func add(_ entry: FeedEntry) throws {
        let review = entry.review
        try xml.start("item")
        try xml.element("title", review.title)
        try xml.element("link", entry.permalink)
        try xml.element("guid", entry.permalink, attributes: ["isPermaLink": "true"])
        try xml.element("pubDate", FeedDates.rfc822(review.date))
        if !author.isEmpty { try xml.element("dc:creator", author) }
        for genre in review.genres { try xml.element("category", genre) }
        try xml.element("description", entry.summary)
        if let content = entry.contentHTML { try xml.cdataElement("content:encoded", content) }
        if let image = entry.imageURL {
            try xml.start("media:content")
            try xml.attribute("url", image)
            try xml.attribute("medium", "image")
            if let alt = review.imageAlt { try xml.element("media:description", alt, attributes: ["type": "plain"]) }
            if let credit = review.imageCredit { try xml.element("media:credit", credit) }
            try xml.end()
        }
        try xml.element("letterboxd:filmTitle", review.title)
        if let year = review.year { try xml.element("letterboxd:filmYear", String(year)) }
        if let rating = review.rating { try xml.element("letterboxd:memberRating", RatingNumber.text(rating)) }
        if let tmdb = review.ids.tmdb {
            try xml.element(review.kind == "series" ? "tmdb:tvId" : "tmdb:movieId", String(tmdb))
        }
        try xml.end()
    }

    func finish() throws { try xml.endDocument() }
}

/// A rating as a number without a needless ".0": 4 → "4", 3.5 → "3.5".
enum RatingNumber {
    static func text(_ rating: Double) -> String {
        rating == rating.rounded() ? String(Int(rating)) : String(rating)
    }
}
