import Foundation

/// One post of `wp/v2/posts` as WordPress's REST API serves it (`context=view`, with
/// `_embed=wp:term,wp:featuredmedia`), and what it is as a `RemoteItem`.
///
/// Only `id` and `link` are required: every other field may be missing or of another shape on
/// some site (plugins rewrite these answers), and is then simply absent from the item.
struct WordPressPost: Decodable {
    struct Rendered: Decodable {
        var rendered: String?
        var protected: Bool?
    }

    struct Term: Decodable {
        var name: String?
        var taxonomy: String?
    }

    struct Media: Decodable {
        var sourceURL: String?
        var altText: String?
        var caption: Rendered?

        enum CodingKeys: String, CodingKey {
            case sourceURL = "source_url", altText = "alt_text", caption
        }
    }

    /// `_embedded`, read leniently: an embed that is an error object (a private image) or
    /// of an unknown shape is no image and no terms, not a broken post.
    struct Embedded: Decodable {
        var terms: [Term] = []
        var media: Media?

        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            terms = ((try? container.decode([[Lenient<Term>]].self, forKey: Key(stringValue: "wp:term"))) ?? [])
                .flatMap { $0.compactMap(\.value) }
            media = (try? container.decode([Lenient<Media>].self, forKey: Key(stringValue: "wp:featuredmedia")))?.first?.value
        }
    }

    var id: Int
    var link: String
    var slug: String?
    var status: String?
    var dateGMT: String?
    var modifiedGMT: String?
    var embedded: Embedded?
    var title: Rendered?
    var content: Rendered?
    var excerpt: Rendered?

    enum CodingKeys: String, CodingKey {
        case id, link, slug, status, title, content, excerpt
        case dateGMT = "date_gmt", modifiedGMT = "modified_gmt", embedded = "_embedded"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        link = try container.decode(String.self, forKey: .link)
        func optional<T: Decodable>(_ key: CodingKeys) -> T? { (try? container.decodeIfPresent(T.self, forKey: key)) ?? nil }
        slug = optional(.slug)
        status = optional(.status)
        dateGMT = optional(.dateGMT)
        modifiedGMT = optional(.modifiedGMT)
        embedded = optional(.embedded)
        title = optional(.title)
        content = optional(.content)
        excerpt = optional(.excerpt)
    }

    /// The identity every WordPress post has, whichever way it is read (docs/SPEC.md §9).
    static func identity(_ id: Int) -> String { "wordpress:\(id)" }

    /// The post as a remote item: title entities decoded, dates in UTC (WordPress's `_gmt`
    /// fields carry no zone), categories and tags by name, the featured image, and the
    /// excerpt only when the author wrote one.
    var item: RemoteItem {
        let body = content?.rendered ?? ""
        let excerptHTML = excerpt?.rendered.flatMap { Self.isGenerated(excerpt: $0, body: body) ? nil : $0 }
        let terms = (embedded?.terms ?? []).filter { $0.taxonomy == nil || $0.taxonomy == "category" || $0.taxonomy == "post_tag" }
        let media = embedded?.media
        return RemoteItem(
            id: Self.identity(id), link: link, slug: slug, title: HTMLText.plain(title?.rendered ?? ""),
            published: dateGMT.flatMap(Self.date), modified: modifiedGMT.flatMap(Self.date), html: body,
            excerptHTML: excerptHTML, categories: terms.compactMap { $0.name.map(HTMLText.plain) },
            image: media?.sourceURL, imageAlt: media?.altText, imageCredit: media?.caption?.rendered,
            draft: status.map { $0 != "publish" } ?? false || content?.protected == true)
    }

    /// `2025-03-11T10:00:00`, in UTC.
    static func date(_ text: String) -> Date? {
        try? Date.ISO8601FormatStyle().parse(text.hasSuffix("Z") ? text : text + "Z")
    }

    /// Whether `excerpt` is the one WordPress makes when the author wrote none: the body's
    /// first words, cut, with `[…]` (or a theme's "Read more") after them. It says nothing
    /// the review does not say better, and would bring the facts block into the summary.
    static func isGenerated(excerpt: String, body: String) -> Bool {
        /// The first `limit` letters and digits of `html`'s text, lower case. Only the start
        /// of the body is compared, so only the start of its text is looked at (the whole
        /// body's text through `CharacterSet` was a third of a WordPress source's cold read,
        /// bench/source).
        func letters(_ html: String, limit: Int) -> String {
            var result = String.UnicodeScalarView()
            var count = 0
            for scalar in HTMLText.plain(html).unicodeScalars {
                guard count < limit else { break }
                if scalar.isASCII {
                    if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                        result.append(scalar)
                    } else if ("A"..."Z").contains(scalar) {
                        result.append(Unicode.Scalar(scalar.value + 32)!)
                    } else {
                        continue
                    }
                } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                    result.append(contentsOf: String(scalar).lowercased().unicodeScalars)
                } else {
                    continue
                }
                count += 1
            }
            return String(result)
        }
        let start = letters(excerpt, limit: 60)
        guard !start.isEmpty else { return true }
        let limit = start.unicodeScalars.count
        // The body's first 2 KiB, then 8 KiB, then all of it, until it holds enough letters
        // (a cut tag at the end is recovered from by the HTML parser).
        for size in [2048, 8192] where body.utf8.count > size {
            let head = letters(String(decoding: body.utf8.prefix(size), as: UTF8.self), limit: limit)
            if head.unicodeScalars.count >= limit { return head.hasPrefix(start) }
        }
        return letters(body, limit: limit).hasPrefix(start)
    }
}

/// A value that decodes as nil instead of failing its container.
struct Lenient<Value: Decodable>: Decodable {
    var value: Value?
    init(from decoder: any Decoder) throws { value = try? Value(from: decoder) }
}
