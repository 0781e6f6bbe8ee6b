import Foundation
import Reviews

/// JSON Feed 1.1, streamed: the items are encoded one at a time so that a feed of every
/// review never sits whole in memory. Film facts go in the `_film` extension object.
final class JSONFeedWriter: FeedFormatWriter {
    private var file: UnsafeMutablePointer<FILE>?
    private let path: String
    private var itemCount = 0

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

    private func json(_ value: String) -> String { JSONString.quote(value) }

    func begin(_ channel: FeedChannel) throws {
        var header = "{\n"
        header += "  \"version\": \"https://jsonfeed.org/version/1.1\",\n"
        header += "  \"title\": \(json(channel.title)),\n"
        header += "  \"home_page_url\": \(json(channel.homeURL + "/")),\n"
        header += "  \"feed_url\": \(json(channel.selfURL)),\n"
        if !channel.description.isEmpty { header += "  \"description\": \(json(channel.description)),\n" }
        header += "  \"language\": \(json(channel.language)),\n"
        if !channel.author.isEmpty { header += "  \"authors\": [{\"name\": \(json(channel.author))}],\n" }
        if let hub = channel.hubURL { header += "  \"hubs\": [{\"type\": \"WebSub\", \"url\": \(json(hub))}],\n" }
        header += "  \"items\": ["
        try write(header)
    }

    func add(_ entry: FeedEntry) throws {
        let review = entry.review
        // Keys in sorted order, written by hand: JSONEncoder was a tenth of a large build.
        var film = JSONObject()
        film.add("directors", review.directors.isEmpty ? nil : review.directors)
        film.add("headline", review.headline.map(XMLText.clean))
        film.add("imdb", review.ids.imdb)
        film.add("kind", review.kind)
        film.add("letterboxd", review.ids.letterboxd)
        film.addRaw("rating", review.rating.map(RatingNumber.text))
        film.addRaw("runtime_minutes", review.runtimeMinutes.map(String.init))
        film.addRaw("spoilers", review.spoilers ? "true" : "false")
        film.add("title", XMLText.clean(review.title))
        film.addRaw("tmdb", review.ids.tmdb.map(String.init))
        film.add("verdict", review.verdict.map(XMLText.clean))
        film.add("where_to_watch", review.whereToWatch.map(XMLText.clean))
        film.addRaw("year", review.year.map(String.init))

        var item = JSONObject()
        item.addRaw("_film", film.text)
        item.add("content_html", entry.contentHTML)
        item.add("content_text", entry.contentHTML == nil ? entry.summary : nil)
        item.add("date_modified", FeedDates.rfc3339(review.lastModified))
        item.add("date_published", FeedDates.rfc3339(review.date))
        item.add("id", entry.permalink)
        item.add("image", entry.imageURL)
        item.add("summary", entry.summary.isEmpty ? nil : entry.summary)
        item.add("tags", review.genres.isEmpty ? nil : review.genres)
        item.add("title", XMLText.clean(review.title))
        item.add("url", entry.permalink)
        try write((itemCount == 0 ? "\n    " : ",\n    ") + item.text)
        itemCount += 1
    }

    func finish() throws {
        try write(itemCount == 0 ? "]\n}\n" : "\n  ]\n}\n")
        let closed = fclose(file)
        file = nil
        if closed != 0 { throw FeedWriteError.writeFailed(path) }
    }
}

/// A JSON object written key by key, in the order given.
struct JSONObject {
    private var body = ""

    var text: String { "{" + body + "}" }

    mutating func add(_ key: String, _ value: String?) {
        guard let value else { return }
        addRaw(key, JSONString.quote(value))
    }

    mutating func add(_ key: String, _ values: [String]?) {
        guard let values else { return }
        addRaw(key, "[" + values.map(JSONString.quote).joined(separator: ",") + "]")
    }

    /// A value that is already JSON (a number, a boolean, an object).
    mutating func addRaw(_ key: String, _ json: String?) {
        guard let json else { return }
        if !body.isEmpty { body += "," }
        body += JSONString.quote(key) + ":" + json
    }
}

/// JSON string literals (RFC 8259): quotes, backslashes and control characters escaped,
/// everything else (slashes and non-ASCII included) as it is.
enum JSONString {
    static func quote(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes -> String in
            var out = [UInt8]()
            out.reserveCapacity(bytes.count + bytes.count / 16 + 2)
            out.append(UInt8(ascii: "\""))
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                // Copy the run of plain bytes before this one in one go.
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
                case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
                case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
            out.append(UInt8(ascii: "\""))
            return String(decoding: out, as: UTF8.self)
        }
    }
}
