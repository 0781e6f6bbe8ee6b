import Foundation

/// What a feed reader needs of an item's HTML beyond the mapping's (`HTMLDocument`,
/// `HTMLText`, `HTMLSanitizer`).
enum FeedHTML {
    /// The `src` of the first `<img>` in an HTML body, as written: a feed item's image when
    /// the feed names none.
    static func firstImage(_ html: String) -> String? {
        guard html.range(of: "<img", options: .caseInsensitive) != nil else { return nil }
        let document = HTMLDocument(html)
        // The nodes live as long as their document, which must outlive the search.
        return withExtendedLifetime(document) {
            document.elements(named: "img").lazy.compactMap { image -> String? in
                let src = HTMLDocument.attributes(image).first { $0.name == "src" }?.value.trimmingCharacters(in: .whitespacesAndNewlines)
                return src?.isEmpty == false ? src : nil
            }.first
        }
    }

    /// Plain text as HTML: escaped, each blank-line-separated block a paragraph (JSON Feed's
    /// `content_text` and `summary`, Atom's `type="text"`).
    static func paragraphs(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n")
            .components(separatedBy: "\n\n")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
            .map { "<p>" + HTMLSanitizer.escape($0, quotes: false) + "</p>" }
            .joined(separator: "\n")
    }
}
