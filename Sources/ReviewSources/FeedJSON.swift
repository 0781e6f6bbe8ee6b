import Foundation

/// JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) items as `RemoteItem`s, through
/// `JSONDecoder`.
enum FeedJSON {
    private struct Document: Decodable {
        var version: String
        var items: [Item]
    }

    private struct Item: Decodable {
        var id: Identifier?
        var url: String?
        var title: String?
        var contentHtml: String?
        var contentText: String?
        var summary: String?
        var image: String?
        var bannerImage: String?
        var datePublished: String?
        var dateModified: String?
        var tags: [String]?
    }

    /// An item's `id`: a string in 1.1, a number in some 1.0 feeds.
    private struct Identifier: Decodable {
        var text: String
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self.text = text
            } else {
                text = String(try container.decode(Int64.self))
            }
        }
    }

    static func parse(_ data: Data, base: URL?) throws(FeedParseError) -> ParsedFeed {
        var data = data
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data = data.dropFirst(3) }
        let document: Document
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            document = try decoder.decode(Document.self, from: data)
        } catch let error as DecodingError {
            throw FeedParseError(line: 1, message: "not a JSON Feed: \(describe(error))")
        } catch {
            throw FeedParseError(line: 1, message: "not a JSON Feed: \(error)")
        }
        guard document.version.hasPrefix("https://jsonfeed.org/version/") else {
            throw FeedParseError(line: 1, message: "not a JSON Feed (version \"\(document.version)\")")
        }
        let dates = FeedDateParser()
        var problems: [FeedParseError] = []
        var items: [(item: RemoteItem, line: Int)] = []
        for (index, entry) in try FeedParser.capped(document.items, line: 1).enumerated() {
            let link = FeedParser.absoluteLink(entry.url, base: base)
            guard let id = FeedIdentity.of(guid: entry.id?.text, link: link) else {
                problems.append(FeedParseError(line: 1, message: "items[\(index)] has no id or url; left out"))
                continue
            }
            guard let link else {
                problems.append(FeedParseError(line: 1, message: "items[\(index)] (\(id)) has no http(s) url; left out"))
                continue
            }
            let body = entry.contentHtml ?? entry.contentText.map(FeedHTML.paragraphs)
            var item = RemoteItem(id: id, link: link, title: FeedParser.text(entry.title ?? ""),
                                  published: entry.datePublished.flatMap(dates.parse),
                                  modified: entry.dateModified.flatMap(dates.parse),
                                  html: body ?? entry.summary.map(FeedHTML.paragraphs) ?? "")
            if body != nil, let summary = entry.summary, !summary.isEmpty { item.excerptHTML = FeedHTML.paragraphs(summary) }
            var seen = Set<String>()
            item.categories = (entry.tags ?? []).filter { !$0.isEmpty && seen.insert($0.lowercased()).inserted }
            item.image = FeedParser.absoluteLink(entry.image ?? entry.bannerImage ?? FeedHTML.firstImage(item.html), base: URL(string: link))
            items.append((item, 1))
        }
        return ParsedFeed(items: FeedParser.droppingDuplicates(items, problems: &problems), problems: problems)
    }

    /// A decoding error in one line, with the path to the value at fault.
    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(path(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "not valid JSON"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
    }
}
