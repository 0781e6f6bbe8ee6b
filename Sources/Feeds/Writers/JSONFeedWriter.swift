import Foundation
import Reviews

/// JSON Feed 1.1, streamed: the items are encoded one at a time so that a feed of every
/// review never sits whole in memory. Film facts go in the `_film` extension object.
final class JSONFeedWriter: FeedFormatWriter {
    private var file: UnsafeMutablePointer<FILE>?
    private let path: String
    private var itemCount = 0
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    init(path: String) throws {
        guard let file = fopen(path, "wb") else { throw FeedWriteError.cannotOpen(path) }
        self.file = file
        self.path = path
    }

    deinit { if let file { fclose(file) } }

    private func write(_ text: String) throws {
        var text = text
        let written = text.withUTF8 { fwrite($0.baseAddress, 1, $0.count, file) }
        if written != text.utf8.count { throw FeedWriteError.writeFailed(path) }
    }

    private func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    func begin(_ channel: FeedChannel) throws {
        var header = "{\n"
        header += "  \"version\": \"https://jsonfeed.org/version/1.1\",\n"
        header += "  \"title\": \(try json(channel.title)),\n"
        header += "  \"home_page_url\": \(try json(channel.homeURL + "/")),\n"
        header += "  \"feed_url\": \(try json(channel.selfURL)),\n"
        if !channel.description.isEmpty { header += "  \"description\": \(try json(channel.description)),\n" }
        header += "  \"language\": \(try json(channel.language)),\n"
        if !channel.author.isEmpty { header += "  \"authors\": [{\"name\": \(try json(channel.author))}],\n" }
        if let hub = channel.hubURL { header += "  \"hubs\": [{\"type\": \"WebSub\", \"url\": \(try json(hub))}],\n" }
        header += "  \"items\": ["
        try write(header)
    }

    func add(_ entry: FeedEntry) throws {
        let review = entry.review
        let item = Item(
            id: entry.permalink, url: entry.permalink, title: XMLText.clean(review.title),
            summary: entry.summary.isEmpty ? nil : entry.summary,
            content_html: entry.contentHTML,
            content_text: entry.contentHTML == nil ? entry.summary : nil,
            image: entry.imageURL,
            date_published: FeedDates.rfc3339(review.date),
            date_modified: FeedDates.rfc3339(review.lastModified),
            tags: review.genres.isEmpty ? nil : review.genres,
            _film: Film(review))
        try write((itemCount == 0 ? "\n    " : ",\n    ") + (try json(item)))
        itemCount += 1
    }

    func finish() throws {
        try write(itemCount == 0 ? "]\n}\n" : "\n  ]\n}\n")
        let closed = fclose(file)
        file = nil
        if closed != 0 { throw FeedWriteError.writeFailed(path) }
    }

    private struct Item: Encodable {
        var id, url, title: String
        var summary, content_html, content_text, image: String?
        var date_published, date_modified: String
        var tags: [String]?
        var _film: Film
    }

    /// The film's facts, under JSON Feed's extension rule (a key starting with `_`).
    private struct Film: Encodable {
        var title: String
        var kind: String
        var year: Int?
        var runtime_minutes: Int?
        var directors: [String]?
        var where_to_watch: String?
        var rating: Double?
        var verdict: String?
        var headline: String?
        var spoilers: Bool
        var tmdb: Int?
        var imdb: String?
        var letterboxd: String?

        init(_ review: Review) {
            title = review.title
            kind = review.kind
            year = review.year
            runtime_minutes = review.runtimeMinutes
            directors = review.directors.isEmpty ? nil : review.directors
            where_to_watch = review.whereToWatch
            rating = review.rating
            verdict = review.verdict.map(XMLText.clean)
            headline = review.headline.map(XMLText.clean)
            spoilers = review.spoilers
            tmdb = review.ids.tmdb
            imdb = review.ids.imdb
            letterboxd = review.ids.letterboxd
        }
    }
}
