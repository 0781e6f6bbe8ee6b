import Foundation
import Yams

/// Turns a review file into a `Review`, or the list of everything wrong with it.
///
/// Keys this tool does not know are left alone: front matter is shared with the site
/// generator (`layout`, `author`, …). Inside Syndicate's own tables (`ids`, `syndicate`)
/// an unknown key is an error, because there it can only be a typo.
public struct FrontMatterParser: Sendable {
    public var timeZone: TimeZone
    /// `[source] only`: a review must have one of these among its categories, tags or genres
    /// (compared without case); empty keeps every file.
    public var only: [String] = []
    /// `site.url`, against which a review's own site-relative `permalink` or `url` is made absolute.
    public var siteURL: String?

    public init(timeZone: TimeZone) { self.timeZone = timeZone }

    /// Parses one review file.
    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - path: the file relative to the site (`reviews/x.md`), as diagnostics show it.
    /// - Returns: the review, or every problem found (never an empty list).
    public func parse(_ data: Data, path: String) -> Result<Review, ReviewProblems> {
        var parser = self
        parser.only = []
        return parser.parseIfSelected(data, path: path, name: nil)!
    }

    /// Parses one review file unless `only` leaves it out (then nil, and nothing is reported:
    /// on a blog of mixed topics the other posts are not reviews at all).
    /// - Parameter name: the name that gives the default slug and date (a page bundle's
    ///   folder name); default: the file's name.
    public func parseIfSelected(_ data: Data, path: String, name: String?) -> Result<Review, ReviewProblems>? {
        let file: ReviewFile
        do {
            file = try ReviewFile.split(data, path: path)
        } catch {
            return .failure(ReviewProblems([error]))
        }
        var context = Context(path: path, lineOffset: file.frontMatterFirstLine - 1, timeZone: timeZone, siteURL: siteURL)
        let root: FrontNode?
        switch file.format {
        case .yaml:
            do {
                if let line = YAMLAnchors.firstLine(in: file.frontMatter) {
                    return .failure(ReviewProblems([Diagnostic(file: path, line: line + context.lineOffset, key: "front matter",
                                                               message: "anchors and aliases (&name, *name) are not allowed")]))
                }
                // Scalars are typed when a field reads them (`PlainScalar`), not all at once.
                root = try Yams.compose(yaml: file.frontMatter, .basic, .default, .utf8).map(FrontNode.init)
            } catch {
                return .failure(ReviewProblems([context.yamlDiagnostic(error)]))
            }
        case .toml:
            do {
                root = try TOMLFrontMatter.compose(file.frontMatter, path: path, lineOffset: context.lineOffset)
            } catch {
                return .failure(ReviewProblems([error]))
            }
        }
        guard let root, let mapping = root.pairs, !(file.format == .toml && mapping.isEmpty) else {
            let empty = root == nil || file.format == .toml
            return .failure(ReviewProblems([Diagnostic(file: path, line: 1, key: "front matter",
                                                       message: empty ? "empty: title and date are required" : "must be a mapping of keys to values")]))
        }
        if !only.isEmpty, !Context.isSelected(mapping, only: only) { return nil }
        context.only = only
        let ownName = path.split(separator: "/").last.map(String.init) ?? path
        let fileName = name ?? ownName
        context.isBundle = fileName != ownName
        let review = context.review(from: mapping, body: file.body, fileName: fileName)
        if !context.problems.isEmpty {
            return .failure(ReviewProblems(context.problems.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)))
        }
        guard var review else {
            return .failure(ReviewProblems([Diagnostic(file: path, line: 1, key: "front matter", message: "invalid")]))
        }
        review.contentHash = FNV64.hex(of: data)
        return .success(review)
    }

    /// The slug a file name gives: without a leading `YYYY-MM-DD-` and the `.md` or
    /// `.markdown` extension, white space as `-`.
    public static func defaultSlug(fileName: String) -> String {
        var name = Substring(fileName)
        if name.hasSuffix(".md") { name = name.dropLast(3) } else if name.hasSuffix(".markdown") { name = name.dropLast(9) }
        if name.utf8.count > 11, datePrefix(name) != nil { name = name.dropFirst(11) }
        // Spaces are no part of a URL: Hugo writes them as "-", so a file named with them
        // (which no earlier version accepted) gets the slug its site gives it.
        guard name.contains(where: \.isWhitespace) else { return String(name) }
        return name.split(whereSeparator: \.isWhitespace).joined(separator: "-")
    }

    /// Whether a slug can be part of a URL (`slug` in front matter must be).
    static func isUsableSlug(_ slug: String) -> Bool { Context.isValidSlug(slug) }

    /// Jekyll's date in a file name: the `YYYY-MM-DD` that starts `YYYY-MM-DD-slug.md`.
    static func datePrefix(_ name: Substring) -> Substring? {
        let bytes = Array(name.utf8.prefix(11))
        guard bytes.count == 11, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "-"),
              bytes[0..<4].allSatisfy({ $0 >= 48 && $0 <= 57 }), bytes[5..<7].allSatisfy({ $0 >= 48 && $0 <= 57 }),
              bytes[8..<10].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return name.prefix(10)
    }
}

/// Everything wrong with one review file.
public struct ReviewProblems: Error, Sendable {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
}

private struct Context {
    let path: String
    let lineOffset: Int
    let timeZone: TimeZone
    let siteURL: String?
    var only: [String] = []
    /// A Hugo page bundle's index, whose relative image is one of the bundle's files.
    var isBundle = false
    var problems: [Diagnostic] = []

    init(path: String, lineOffset: Int, timeZone: TimeZone, siteURL: String?) {
        self.path = path
        self.lineOffset = lineOffset
        self.timeZone = timeZone
        self.siteURL = siteURL
    }

    /// The keys whose values `only` is matched against: Jekyll's categories (and `category`),
    /// tags, and the genres in every spelling.
    static let selectingKeys: Set<String> = ["categories", "category", "tags", "tag", "genres", "genre"]

    /// Whether one of the file's categories, tags or genres is in `only`, read quietly: a file
    /// that is no review on a mixed blog owes this tool no valid front matter. A text value
    /// also counts word by word, as Jekyll reads `categories: film reviews`.
    static func isSelected(_ mapping: [FrontNode.Pair], only: [String]) -> Bool {
        let wanted = Set(only.map { $0.lowercased() })
        func matches(_ text: String) -> Bool {
            wanted.contains(text.lowercased()) || text.split(whereSeparator: \.isWhitespace).contains { wanted.contains($0.lowercased()) }
        }
        for pair in mapping {
            guard let key = pair.key.scalarText, selectingKeys.contains(key) else { continue }
            switch pair.value {
            case .scalar(let text, _, _): if matches(text) { return true }
            case .sequence(let items, _): if items.contains(where: { $0.scalarText.map(matches) ?? false }) { return true }
            case .mapping: continue
            }
        }
        return false
    }

    func line(_ node: FrontNode?) -> Int { node.map { $0.line + lineOffset } ?? 1 }

    mutating func report(_ node: FrontNode?, _ key: String, _ message: String) {
        problems.append(Diagnostic(file: path, line: line(node), key: key, message: message))
    }

    func yamlDiagnostic(_ error: Error) -> Diagnostic {
        switch error {
        case let YamlError.scanner(context, problem, mark, _),
             let YamlError.parser(context, problem, mark, _),
             let YamlError.composer(context, problem, mark, _):
            let detail = context.map { "\(problem) \($0.text)" } ?? problem
            return Diagnostic(file: path, line: mark.line + lineOffset, key: "front matter", message: "invalid YAML: \(detail)")
        case let YamlError.duplicatedKeysInMapping(duplicates, context):
            return Diagnostic(file: path, line: context.mark.line + lineOffset, key: duplicates.first ?? "front matter",
                              message: "key appears more than once")
        default:
            return Diagnostic(file: path, line: 1, key: "front matter", message: "invalid YAML: \(error)")
        }
    }

    mutating func review(from mapping: [FrontNode.Pair], body: String, fileName: String) -> Review? {
        var fields: [String: (key: FrontNode, value: FrontNode)] = [:]
        for pair in mapping {
            let (key, value) = (pair.key, pair.value)
            guard let name = key.scalarText else {
                report(key, "front matter", "keys must be plain names")
                continue
            }
            fields[name] = (key, value)
        }
        func field(_ names: String...) -> (name: String, node: FrontNode)? {
            for name in names { if let entry = fields[name] { return (name, entry.value) } }
            return nil
        }
        /// A field with several spellings (docs/SPEC.md §9), of which a file may use one: two
        /// would leave it unclear which one the author meant.
        func spelling(_ names: String...) -> (name: String, node: FrontNode)? {
            let present = names.compactMap { name in fields[name].map { (name: name, key: $0.key, node: $0.value) } }
            if present.count > 1 {
                let later = present.max { $0.key.line < $1.key.line }!
                report(later.key, later.name, "\(present.map { "`\($0.name)`" }.joined(separator: " and ")) are two spellings of one field: keep one")
            }
            return present.first.map { ($0.name, $0.node) }
        }

        let title = requiredString(field("title"), key: "title")
        let date: Date?
        if let dateField = field("date") {
            date = self.date(dateField.node, key: dateField.name)
        } else if let prefix = FrontMatterParser.datePrefix(Substring(fileName)) {
            // Jekyll's posts carry their date in the file name.
            date = self.date(.scalar(String(prefix), plain: true, line: 1 - lineOffset), key: "date")
        } else {
            report(nil, "date", "required (or a file name starting with the date, like 2025-03-11-title.md)")
            date = nil
        }

        var slug = FrontMatterParser.defaultSlug(fileName: fileName)
        if let (key, node) = field("slug"), let text = string(node, key: key) {
            if Self.isValidSlug(text) { slug = text } else {
                report(node, key, "\"\(text)\" is not a usable slug: use letters, digits and \"-\", with no spaces, \"/\", \"?\" or \"#\"")
            }
        } else if !Self.isValidSlug(slug) {
            report(nil, "slug", "the file name gives no usable slug (\"\(slug)\"): rename the file or set slug")
        }
        // Not `spelling`: Jekyll themes commonly carry both an `excerpt` and an SEO
        // `description`; the most specific one written is the summary.
        let summaryField = field("summary", "excerpt", "description")
        let directorsField = spelling("directors", "director")
        let genresField = spelling("genres", "genre")
        let imageField = spelling("image", "poster")
        let permalinkField = spelling("permalink", "url")

        guard let title, let date else { return nil }
        var review = Review(source: path, title: title, date: date, slug: slug)
        if let (key, node) = field("draft") { review.draft = bool(node, key: key) ?? false }
        // Jekyll's way to keep a post off the site.
        if let (key, node) = field("published"), bool(node, key: key) == false { review.draft = true }
        if let (key, node) = field("updated", "lastmod", "last_modified_at") { review.updated = self.date(node, key: key) }
        if let (key, node) = field("headline") { review.headline = nonEmptyString(node, key: key) }
        if let (key, node) = field("kind") { review.kind = nonEmptyString(node, key: key) ?? review.kind }
        // `categories` are genres unless the file names its genres too; then (a Jekyll blog of
        // mixed topics) they only pick the reviews. The names `only` picks by are topics, not genres.
        if let (key, node) = genresField ?? field("categories") {
            let topics = Set(only.map { $0.lowercased() })
            review.genres = stringList(node, key: key).filter { !topics.contains($0.lowercased()) }
        }
        if let (key, node) = field("year") {
            if let year = int(node, key: key) {
                if (1870...2200).contains(year) { review.year = year } else { report(node, key, "\(year) is not a plausible release year") }
            }
        }
        if let (key, node) = field("runtime") { review.runtimeMinutes = runtime(node, key: key) }
        if let (key, node) = directorsField { review.directors = stringList(node, key: key) }
        if let (key, node) = field("where_to_watch") { review.whereToWatch = nonEmptyString(node, key: key) }
        if let (key, node) = field("rating") { review.rating = rating(node, key: key) }
        if let (key, node) = field("verdict") { review.verdict = nonEmptyString(node, key: key) }
        if let (key, node) = summaryField { review.summary = nonEmptyString(node, key: key).map(TemplateTags.plainText) ?? "" }
        if review.summary.isEmpty { review.summary = Markdown.firstParagraphText(body) ?? "" }
        if let (key, node) = imageField { review.image = imageURL(node, key: key) }
        if let (key, node) = permalinkField { review.permalink = ownPermalink(node, key: key) }
        if let (key, node) = field("image_alt") { review.imageAlt = nonEmptyString(node, key: key) }
        if let (key, node) = field("image_credit") { review.imageCredit = nonEmptyString(node, key: key) }
        if let (key, node) = field("spoilers") { review.spoilers = bool(node, key: key) ?? false }
        if let (key, node) = field("tags") { review.tags = stringList(node, key: key) }
        if let (_, node) = field("ids") { review.ids = ids(node) }
        if let (_, node) = field("syndicate") { review.syndication = overrides(node) }
        return review
    }

    static func isValidSlug(_ slug: String) -> Bool {
        !slug.isEmpty && slug != "." && slug != ".."
            && !slug.unicodeScalars.contains(where: { $0.value < 33 || $0.properties.isWhitespace || "/?#%\\\"<>".unicodeScalars.contains($0) })
    }

    // MARK: Typed values

    private func describe(_ node: FrontNode) -> String {
        switch node {
        case .scalar(let text, let plain, _):
            switch PlainScalar(text, plain: plain) {
            case .int: return "an integer"
            case .float: return "a number"
            case .bool: return "true/false"
            case .null: return "nothing"
            case .string: return plain && PlainScalar.overflows(text) ? "a number out of range" : "a string"
            }
        case .mapping: return "a table"
        case .sequence: return "a list"
        }
    }

    mutating func requiredString(_ field: (name: String, node: FrontNode)?, key: String) -> String? {
        guard let field else {
            report(nil, key, "required")
            return nil
        }
        guard let text = nonEmptyString(field.node, key: field.name) else {
            if field.node.scalarText?.trimmedWhitespace.isEmpty == true {
                report(field.node, key, "must not be empty")
            }
            return nil
        }
        return text
    }

    /// Any scalar is accepted as text (a film called `1984` is still a title).
    mutating func string(_ node: FrontNode, key: String) -> String? {
        guard case .scalar(let text, let plain, _) = node else {
            report(node, key, "expected text, found \(describe(node))")
            return nil
        }
        if PlainScalar.isNull(text, plain: plain) { return nil }
        return text
    }

    mutating func nonEmptyString(_ node: FrontNode, key: String) -> String? {
        guard let text = string(node, key: key)?.trimmedWhitespace, !text.isEmpty else {
            return nil
        }
        return text
    }

    mutating func stringList(_ node: FrontNode, key: String) -> [String] {
        switch node {
        case .scalar:
            return nonEmptyString(node, key: key).map { [$0] } ?? []
        case .sequence(let sequence, _):
            var items: [String] = []
            var seen = Set<String>() // a set, not `items.contains`: 10^5 tags must stay linear
            for item in sequence {
                if let text = nonEmptyString(item, key: key), seen.insert(text).inserted { items.append(text) }
            }
            return items
        default:
            report(node, key, "expected a list of text, found \(describe(node))")
            return []
        }
    }

    mutating func bool(_ node: FrontNode, key: String) -> Bool? {
        guard case .scalar(let text, let plain, _) = node, case .bool(let value) = PlainScalar(text, plain: plain, rules: .bools) else {
            report(node, key, "expected true or false, found \(describe(node))")
            return nil
        }
        return value
    }

    mutating func int(_ node: FrontNode, key: String) -> Int? {
        guard case .scalar(let text, let plain, _) = node, case .int(let value) = PlainScalar(text, plain: plain, rules: .ints) else {
            report(node, key, "expected a whole number, found \(describe(node))")
            return nil
        }
        return value
    }

    mutating func date(_ node: FrontNode, key: String) -> Date? {
        guard case .scalar(let text, _, _) = node else {
            report(node, key, "expected a date, found \(describe(node))")
            return nil
        }
        guard let date = SiteDate.parse(text, timeZone: timeZone) else {
            report(node, key, "\"\(text)\" is not a date: use YYYY-MM-DD or RFC 3339 like 2025-03-11T09:30:00-04:00")
            return nil
        }
        // Feed dates are written in UTC with four-digit years (RFC 3339, RFC 822), so an
        // instant outside them (0999-12-31, or 9999-12-31 with a western offset) is refused.
        guard SiteDate.feedYears.contains(date.timeIntervalSince1970) else {
            report(node, key, "\"\(text)\" is outside the years 1000 to 9999 (in UTC) that feed dates can hold")
            return nil
        }
        return date
    }

    /// An image address as links in the body are allowed to be: http(s), or a path resolved
    /// against the review's page. `javascript:`, `data:` and the like would reach `<img src>`,
    /// `media:content` and the JSON Feed; control characters, which browsers drop from URLs
    /// (`java\tscript:`), are refused with them.
    mutating func imageURL(_ node: FrontNode, key: String) -> String? {
        guard let text = nonEmptyString(node, key: key) else { return nil }
        let scheme = URLResolver.scheme(of: text)?.lowercased()
        guard scheme == nil || scheme == "http" || scheme == "https",
              !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            report(node, key, "\"\(text)\" is not an image address: use http(s) or a path on the site")
            return nil
        }
        // `assets/x.jpg` is a path from the site's root in Jekyll themes and Hugo's static/
        // alike; only a page bundle's image is one of its own files, beside its page.
        if scheme == nil, !isBundle, !text.hasPrefix("/"), let siteURL, let base = URL(string: siteURL + "/") {
            return URLResolver.absolute(text, base: base)
        }
        return text
    }

    /// A review's own `permalink` (Jekyll) or `url` (Hugo): a path on the site, made absolute
    /// against `site.url`, or an http(s) URL.
    mutating func ownPermalink(_ node: FrontNode, key: String) -> String? {
        guard let text = nonEmptyString(node, key: key) else { return nil }
        let scheme = URLResolver.scheme(of: text)?.lowercased()
        guard scheme == nil || scheme == "http" || scheme == "https",
              !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.isWhitespace }) else {
            report(node, key, "\"\(text)\" is not a permalink: use a path on the site like \"/reviews/the-film/\" or an http(s) URL")
            return nil
        }
        if text.split(separator: "/").contains(where: { $0.hasPrefix(":") }) {
            report(node, key, "\"\(text)\" uses Jekyll placeholders (:title, :year): write the review's own path")
            return nil
        }
        guard scheme == nil, let siteURL, let base = URL(string: siteURL + "/") else { return text }
        return URLResolver.absolute(text, base: base)
    }

    mutating func runtime(_ node: FrontNode, key: String) -> Int? {
        guard case .scalar(let text, let plain, _) = node else {
            report(node, key, "expected minutes or text like \"1h 31m\", found \(describe(node))")
            return nil
        }
        if case .int(let minutes) = PlainScalar(text, plain: plain, rules: .ints) {
            guard minutes > 0, minutes < 100_000 else {
                report(node, key, "\(minutes) is not a running time in minutes")
                return nil
            }
            return minutes
        }
        guard let minutes = RuntimeParser.minutes(text) else {
            report(node, key, "\"\(text)\" is not a running time: use minutes (91) or \"1h 31m\"")
            return nil
        }
        return minutes
    }

    mutating func rating(_ node: FrontNode, key: String) -> Double? {
        guard case .scalar(let text, let plain, _) = node, let value = PlainScalar(text, plain: plain, rules: .numbers).number else {
            report(node, key, "expected a number from 0.5 to 5, found \(describe(node))")
            return nil
        }
        guard (0.5...5).contains(value) else {
            report(node, key, "\(text) is out of range: ratings go from 0.5 to 5")
            return nil
        }
        guard (value * 2).rounded() == value * 2 else {
            report(node, key, "\(text) is not a half step: use 0.5, 1, 1.5, … 5 (Letterboxd's scale)")
            return nil
        }
        return value
    }

    mutating func ids(_ node: FrontNode) -> FilmIDs {
        guard let mapping = node.pairs else {
            report(node, "ids", "expected a table like {tmdb: 1234, imdb: \"tt0123456\"}, found \(describe(node))")
            return FilmIDs()
        }
        var ids = FilmIDs()
        for pair in mapping {
            let (keyNode, value) = (pair.key, pair.value)
            let key = "ids." + (keyNode.scalarText ?? "?")
            switch keyNode.scalarText {
            case "tmdb":
                if let id = int(value, key: key) {
                    if id > 0 { ids.tmdb = id } else { report(value, key, "must be a positive number") }
                }
            case "imdb":
                if let id = nonEmptyString(value, key: key) {
                    let digits = id.dropFirst(2)
                    if id.hasPrefix("tt"), digits.count >= 7, digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
                        ids.imdb = id
                    } else {
                        report(value, key, "\"\(id)\" is not an IMDb title id like \"tt0068646\"")
                    }
                }
            case "letterboxd":
                if let id = nonEmptyString(value, key: key) {
                    if id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) { ids.letterboxd = id } else {
                        report(value, key, "\"\(id)\" is not a Letterboxd film id (the short LID, like \"2bbs\")")
                    }
                }
            default:
                report(keyNode, key, "unknown key (known: tmdb, imdb, letterboxd)")
            }
        }
        return ids
    }

    mutating func overrides(_ node: FrontNode) -> SyndicationOverrides {
        guard let mapping = node.pairs else {
            report(node, "syndicate", "expected a table with skip and/or text, found \(describe(node))")
            return SyndicationOverrides()
        }
        var result = SyndicationOverrides()
        for pair in mapping {
            let (keyNode, value) = (pair.key, pair.value)
            switch keyNode.scalarText {
            case "skip":
                result.skip = stringList(value, key: "syndicate.skip")
            case "text":
                guard let texts = value.pairs else {
                    report(value, "syndicate.text", "expected a table of destination name = text, found \(describe(value))")
                    continue
                }
                for text in texts {
                    let (nameNode, textNode) = (text.key, text.value)
                    let name = nameNode.scalarText ?? "?"
                    if let text = nonEmptyString(textNode, key: "syndicate.text.\(name)") { result.text[name] = text }
                }
            default:
                report(keyNode, "syndicate.\(keyNode.scalarText ?? "?")", "unknown key (known: skip, text)")
            }
        }
        return result
    }
}

/// Reads running times: `91`, `"91"`, `"91m"`, `"91 min"`, `"1h 31m"`, `"1h31m"`, `"2h"`.
public enum RuntimeParser {
    public static func minutes(_ text: String) -> Int? {
        let lowered = text.lowercased().replacingOccurrences(of: " ", with: "")
        guard !lowered.isEmpty else { return nil }
        if let plain = Int(lowered) { return plain > 0 ? plain : nil }
        var total = 0
        var number = ""
        var sawUnit = false
        var rest = Substring(lowered)
        while let c = rest.first {
            if c.isASCII, c.isNumber {
                number.append(c)
                rest = rest.dropFirst()
                continue
            }
            guard let value = Int(number) else { return nil }
            number = ""
            if let unit = ["hours", "hour", "hrs", "hr", "h"].first(where: { rest.hasPrefix($0) }) {
                total += value * 60
                rest = rest.dropFirst(unit.count)
            } else if let unit = ["minutes", "minute", "mins", "min", "m"].first(where: { rest.hasPrefix($0) }) {
                total += value
                rest = rest.dropFirst(unit.count)
            } else {
                return nil
            }
            sawUnit = true
        }
        guard number.isEmpty, sawUnit, total > 0 else { return nil }
        return total
    }
}

/// What a YAML scalar is: a plain scalar is typed by Yams' own YAML 1.1 resolver and
/// constructors, as its default `compose` would; a quoted or block scalar is always a string.
/// (The tree is composed with the basic resolver, and a scalar typed here only when a field
/// asks what it is.)
enum PlainScalar {
    case null, bool(Bool), int(Int), float(Double), string

    /// - Parameter rules: the resolver's rules to try. A field that takes one type asks for
    ///   that type's rule alone (what it reads is the same; anything else is a string to it,
    ///   and its error message types the value with every rule): each rule is a regular
    ///   expression, and running all seven for every value cost a cold build of 10,000
    ///   reviews about 0.1 s.
    init(_ text: String, plain: Bool, rules: Resolver = .default) {
        guard plain else { self = .string; return }
        let scalar = Node.Scalar(text, .implicit, .plain)
        switch rules.resolveTag(of: .scalar(scalar)) {
        case .null: self = .null
        case .bool: self = Bool.construct(from: scalar).map(PlainScalar.bool) ?? .string
        case .int: self = Int.construct(from: scalar).map(PlainScalar.int) ?? .string
        // `.inf`, `.nan` and numbers past a Double's range are no values a field can use:
        // strings, which `overflows` tells apart for the message.
        case .float: self = Double.construct(from: scalar).flatMap { $0.isFinite ? PlainScalar.float($0) : nil } ?? .string
        default: self = .string
        }
    }

    /// Whether a scalar is YAML's null (`~`, `null`, nothing): what every text field asks,
    /// with the null rule alone.
    static func isNull(_ text: String, plain: Bool) -> Bool {
        if case .null = PlainScalar(text, plain: plain, rules: .nulls) { return true }
        return false
    }

    /// Whether a plain scalar is written as a number too large for any number type (`1e309`,
    /// twenty digits), which reads as a string but is not one to the user.
    static func overflows(_ text: String) -> Bool {
        let digits = text.filter { $0 != "_" }
        guard let first = digits.drop(while: { $0 == "+" || $0 == "-" }).first, first.isASCII, first.isNumber || first == ".",
              let value = Double(digits) else { return false }
        // Read as a string although it parses: infinite as a float, or past Int as a whole number.
        return !value.isFinite || Int(exactly: value) == nil
    }

    /// An int or a float as a number.
    var number: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .float(let value): return value
        default: return nil
        }
    }
}

extension String {
    /// Without leading and trailing white space; Foundation's `trimmingCharacters` bridges
    /// through NSString, which is slow on Linux, and most values need no trimming at all.
    var trimmedWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return self }
        if !first.properties.isWhitespace && !last.properties.isWhitespace { return self }
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[start...end])
    }
}

extension Resolver {
    /// Single rules of the default resolver, for fields that take one type (`PlainScalar`).
    static let nulls = Resolver.basic.appending(.null)
    static let bools = Resolver.basic.appending(.bool)
    static let ints = Resolver.basic.appending(.int)
    static let numbers = Resolver.basic.appending(.int).appending(.float)
}
