import Foundation
import Reviews

extension RemoteItem {
    /// What one item is to a site.
    public enum Mapped: Sendable, Equatable {
        case review(Review)
        /// Left out by `only`: none of its categories, tags or genres is one of the names.
        case excluded
        /// Not a usable review: one diagnostic naming the item's URL (`https://…/post/:1: date: …`).
        case problem(Diagnostic)
    }

    /// The item as a `Review`, the same facts a Markdown review gives (docs/SPEC.md §9):
    ///
    /// - identity `id`; slug the item's own, else the last part of its link's path; permalink
    ///   the link; date `published`, else `firstSeen` (when the source first saw it: a feed item
    ///   with no readable date); `updated` from `modified` when later;
    /// - film facts from the body (`HTMLFacts`): the film's title is the line above the facts,
    ///   and then the post's title is the headline; else the post's title is the film's;
    /// - genres the `Genre:` fact, else the categories and tags less "Uncategorized" and the
    ///   `only` names (which pick reviews rather than describe a film);
    /// - summary the author's excerpt as text, else the first paragraph after the facts;
    /// - `html` the body sanitised (`HTMLSanitizer`) without the facts block and the title
    ///   line, since feeds and posts show the facts, headline and image on their own;
    /// - `contentHash` over what a reader sees, not over where it was fetched from: a host
    ///   move changes no hash, an edit does.
    ///
    /// - Parameter only: `[source] only`; empty keeps every item.
    public func review(site: SiteConfig, only: [String], firstSeen: Date?) -> Mapped {
        let onlyNames = Set(only.map { $0.lowercased() })
        func problem(_ key: String, _ message: String) -> Mapped {
            .problem(Diagnostic(file: link.isEmpty ? id : link, line: 1, key: key, message: message))
        }
        guard ConfigTable.isHTTPURL(link), let base = URL(string: link) else {
            return problem("link", "\"\(link)\" is not an absolute http(s) URL")
        }
        let document = HTMLDocument(html)
        // The tree's nodes live as long as the document: keep it to the end of the scope.
        defer { withExtendedLifetime(document) {} }
        let lines = document.body.map(HTMLLine.lines) ?? []
        let facts = HTMLFacts(lines: lines)
        if !onlyNames.isEmpty, !(categories + facts.genres).contains(where: { onlyNames.contains($0.lowercased()) }) {
            return .excluded
        }
        let postTitle = HTMLDocument.normalisedSpaces(title)
        guard let filmTitle = facts.title ?? (postTitle.isEmpty ? nil : postTitle) else {
            return problem("title", "the item has no title")
        }
        guard let date = published ?? firstSeen else {
            return problem("date", "the item has no readable publication date")
        }

        var review = Review(source: link, title: filmTitle, date: date, slug: slug.flatMap(Self.usableSlug) ?? Self.slug(fromLink: base, id: id))
        review.id = id
        review.permalink = link
        review.draft = draft
        if let modified, modified > date { review.updated = modified }
        if facts.title != nil, !postTitle.isEmpty, postTitle.lowercased() != filmTitle.lowercased() { review.headline = postTitle }
        review.genres = facts.genres.isEmpty ? Self.genres(from: categories, leaving: onlyNames) : facts.genres
        review.year = facts.year
        review.runtimeMinutes = facts.runtimeMinutes
        review.directors = facts.directors
        review.whereToWatch = facts.whereToWatch
        review.rating = facts.rating
        let excerpt = excerptHTML.map(HTMLText.plain) ?? ""
        review.summary = excerpt.isEmpty ? facts.firstParagraph ?? "" : excerpt
        let sanitiser = HTMLSanitizer(base: base, skipped: facts.blockNodes)
        review.html = document.body.map(sanitiser.html) ?? ""
        if let image, let safe = sanitiser.safeURL(image), URLResolver.scheme(of: safe)?.lowercased().hasPrefix("http") == true {
            review.image = safe
            review.imageAlt = imageAlt.map(HTMLDocument.normalisedSpaces).flatMap { $0.isEmpty ? nil : $0 }
            review.imageCredit = imageCredit.map(HTMLText.plain).flatMap { $0.isEmpty ? nil : $0 }
        }
        review.contentHash = Self.contentHash(review, origin: Self.origin(of: base))
        return .review(review)
    }

    /// `[source] only` as every remote kind reads it: an array of names, problems reported
    /// on the table (`syndicate.toml:LINE: source.only: …`).
    public static func onlyNames(_ table: inout ConfigTable) -> [String] {
        guard let value = table.value("only") else { return [] }
        guard case .array(let items) = value else {
            table.report("only", "expected an array of category, tag or genre names, found \(value.typeName)")
            return []
        }
        var names: [String] = []
        for item in items {
            guard case .string(let name) = item, !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                table.report("only", "expected an array of category, tag or genre names, found \(item.typeName == "string" ? "an empty name" : item.typeName) in it")
                return []
            }
            names.append(name)
        }
        return names
    }

    /// Less "Uncategorized" (WordPress's default category) and the `only` names.
    static func genres(from categories: [String], leaving only: Set<String>) -> [String] {
        var seen = Set<String>()
        return categories.map(HTMLDocument.normalisedSpaces).filter {
            let key = $0.lowercased()
            return !$0.isEmpty && key != "uncategorized" && !only.contains(key) && seen.insert(key).inserted
        }
    }

    /// A slug as a permalink or a template may hold it: no spaces, slashes, `?`, `#` or `%`.
    static func usableSlug(_ slug: String) -> String? {
        let decoded = slug.removingPercentEncoding ?? slug
        let ok = !decoded.isEmpty && decoded != "." && decoded != ".."
            && !decoded.unicodeScalars.contains { $0.value < 33 || $0.properties.isWhitespace || "/?#%\\\"<>".unicodeScalars.contains($0) }
        return ok ? decoded : nil
    }

    /// The last part of the link's path (`/2025/03/11/last-take/` → `last-take`), else one
    /// made from the identity (`wordpress:42` → `wordpress-42`) for a link like `/?p=42`.
    static func slug(fromLink link: URL, id: String) -> String {
        if let last = link.path.split(separator: "/").last, let slug = usableSlug(String(last)) { return slug }
        let made = String(id.map { $0.isLetter || $0.isNumber ? $0 : "-" })
        return usableSlug(made) ?? "item"
    }

    /// `https://host:port`, which the hash leaves out of the body's links.
    static func origin(of url: URL) -> String {
        guard let scheme = url.scheme, let host = url.host else { return "" }
        return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
    }

    /// A digest of what a reader sees of the review, with the site's own origin left out of
    /// the body (relative links are made absolute against the link, which a host move changes).
    static func contentHash(_ review: Review, origin: String) -> String {
        var hasher = FNV64()
        // The origin's every occurrence left out, byte by byte: `replacingOccurrences` copies
        // the whole body through NSString on Linux (a tenth of a WordPress source's cold
        // read, bench/source).
        func local(_ text: String) -> String {
            let needle = Array(origin.utf8)
            guard let first = needle.first else { return text }
            let bytes = Array(text.utf8)
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var index = 0
            while index < bytes.count {
                if bytes[index] == first, index + needle.count <= bytes.count, bytes[index..<index + needle.count].elementsEqual(needle) {
                    index += needle.count
                } else {
                    out.append(bytes[index])
                    index += 1
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
        let fields: [String] = [
            review.title, review.headline ?? "", String(review.date.timeIntervalSince1970), review.draft ? "draft" : "",
            review.genres.joined(separator: "\u{1F}"), review.year.map(String.init) ?? "",
            review.runtimeMinutes.map(String.init) ?? "", review.directors.joined(separator: "\u{1F}"),
            review.whereToWatch ?? "", review.rating.map { String($0) } ?? "", review.summary, local(review.html ?? ""),
            local(review.image ?? ""), review.imageAlt ?? "", review.imageCredit ?? "",
        ]
        for field in fields { hasher.add(field) }
        return hasher.hex
    }
}
