import Foundation

/// Liquid tags (Jekyll) and Hugo shortcodes in a review's Markdown, which the site generator
/// would have expanded: none reaches a feed or a post verbatim (docs/SPEC.md §9).
///
/// What each becomes (README "Template code in reviews"):
/// - a link or video: `{% post_url NAME %}` and `{% link PATH %}` the page's URL, Hugo's
///   `ref` and `relref` the named review's permalink (when it names one); `youtube`
///   and `vimeo` (Liquid plugin tags and Hugo shortcodes) a link to the video, Hugo's `tweet`
///   (`x`) one to the post; Hugo's `figure` the image (`![alt](src)`);
/// - `highlight LANG` … `endhighlight` / `/highlight`: a fenced code block;
/// - `{% comment %}` … `{% endcomment %}`: removed with what is inside;
/// - `{% raw %}` … `{% endraw %}` and Hugo's `{{</* … */>}}`: their text, as the site shows it;
/// - every other tag, output `{{ … }}` and shortcode (opening and closing; what a paired one
///   encloses stays): removed.
///
/// Code spans and code blocks are left alone: there the braces are the author's text. The
/// tags are found by their delimiters; Markdown structure comes from cmark-gfm's own parse.
public enum TemplateTags {
    /// What the site's links are, for the tags that name one.
    public struct Links: Sendable {
        /// `site.url`, without a trailing slash: `{{ site.url }}` is its scheme and host,
        /// `{{ site.baseurl }}` its path, as Jekyll splits them.
        public var siteURL: String
        /// The URL of the post a Jekyll `post_url`/`link` names (`2025-03-11-the-film` or
        /// `_posts/2025-03-11-the-film.md`), or nil to drop the tag.
        public var postURL: @Sendable (_ name: String) -> String?
        /// The URL of the page a Hugo `ref`/`relref` names (`the-holdovers.md`,
        /// `/reviews/the-holdovers#the-ending`), or nil to drop the shortcode.
        public var pageURL: @Sendable (_ reference: String) -> String?

        public init(siteURL: String, postURL: @escaping @Sendable (_ name: String) -> String?,
                    pageURL: @escaping @Sendable (_ reference: String) -> String? = { _ in nil }) {
            self.siteURL = siteURL
            self.postURL = postURL
            self.pageURL = pageURL
        }

        /// `https://host:port` of the site.
        var origin: String {
            guard let url = URL(string: siteURL), let scheme = url.scheme, let host = url.host else { return siteURL }
            return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
        }

        /// The path the site lives under (`/blog`), or empty.
        var basePath: String { String(siteURL.dropFirst(origin.count)) }
    }

    /// Whether `text` may hold a tag at all: the cheap test that keeps the common review from
    /// paying for anything else.
    static func mayContain(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count > 1 else { return false }
            for index in 0..<(bytes.count - 1) where bytes[index] == UInt8(ascii: "{") {
                let next = bytes[index + 1]
                if next == UInt8(ascii: "{") || next == UInt8(ascii: "%") { return true }
            }
            return false
        }
    }

    /// A front-matter text (a summary) without tags, on one line.
    public static func plainText(_ text: String) -> String {
        guard mayContain(text) else { return text }
        return clean(text, protected: [], links: nil).split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// `markdown` with every tag outside the `protected` byte ranges (code) replaced.
    static func clean(_ markdown: String, protected: [Range<Int>], links: Links?) -> String {
        var scanner = Scanner(bytes: Array(markdown.utf8), protected: protected.sorted { $0.lowerBound < $1.lowerBound }, links: links)
        scanner.run()
        return String(decoding: scanner.output, as: UTF8.self)
    }

    /// One tag: its kind by delimiters, its name and arguments.
    struct Tag {
        enum Kind { case liquidTag, liquidOutput, shortcode, shortcodeComment }
        var kind: Kind
        var inner: String
        /// Where the tag ends (exclusive).
        var end: Int

        var words: [String] { Arguments.split(inner) }
        var name: String { words.first?.lowercased() ?? "" }
        var positional: [String] { words.dropFirst().filter { !$0.contains("=") } }

        /// A named argument (`id="x"`, `src=x`).
        func named(_ key: String) -> String? {
            for word in words.dropFirst() {
                guard let equals = word.firstIndex(of: "=") else { continue }
                if word[..<equals].lowercased() == key { return Arguments.unquote(String(word[word.index(after: equals)...])) }
            }
            return nil
        }

        /// The tag at `start` (which holds `{{` or `{%`), or nil when it is not closed nearby.
        /// - Parameter find: the first occurrence of a closing delimiter at or after a position.
        static func at(_ bytes: [UInt8], _ start: Int, find: (Closer, Int) -> Int?) -> Tag? {
            let second = bytes[start + 1]
            let third: UInt8? = start + 2 < bytes.count ? bytes[start + 2] : nil
            let open: Int, closer: Closer, kind: Kind
            if second == UInt8(ascii: "{"), third == UInt8(ascii: "<") {
                (open, closer, kind) = (3, .shortcode, .shortcode)
            } else if second == UInt8(ascii: "{"), third == UInt8(ascii: "%") {
                (open, closer, kind) = (3, .percentShortcode, .shortcode)
            } else if second == UInt8(ascii: "%") {
                (open, closer, kind) = (2, .liquidTag, .liquidTag)
            } else {
                (open, closer, kind) = (2, .liquidOutput, .liquidOutput)
            }
            // A tag fits on a few lines: braces not closed within 4 KiB are text.
            guard let index = find(closer, start + open), index - start <= 4096 else { return nil }
            var inner = String(decoding: bytes[(start + open)..<index], as: UTF8.self)
            var tagKind = kind
            if kind == .shortcode {
                let trimmed = inner.trimmingCharacters(in: .whitespacesAndNewlines)
                if trimmed.hasPrefix("/*"), trimmed.hasSuffix("*/"), trimmed.count >= 4 {
                    tagKind = .shortcodeComment
                    inner = String(trimmed.dropFirst(2).dropLast(2))
                }
            }
            // Liquid's whitespace control (`{%-`, `-%}`) is no part of the name.
            if kind != .shortcode { inner = inner.trimmingCharacters(in: CharacterSet(charactersIn: "-")) }
            return Tag(kind: tagKind, inner: inner.trimmingCharacters(in: .whitespacesAndNewlines), end: index + closer.bytes.count)
        }
    }

    /// The closing delimiters.
    enum Closer: Int, CaseIterable {
        case shortcode, percentShortcode, liquidTag, liquidOutput

        var bytes: [UInt8] {
            switch self {
            case .shortcode: return Array(">}}".utf8)
            case .percentShortcode: return Array("%}}".utf8)
            case .liquidTag: return Array("%}".utf8)
            case .liquidOutput: return Array("}}".utf8)
            }
        }
    }

    /// Arguments as Liquid and Hugo write them: words, `"quoted strings"`, `` `raw strings` ``.
    enum Arguments {
        static func split(_ text: String) -> [String] {
            var words: [String] = []
            var current = ""
            var quote: Character?
            for character in text {
                if let open = quote {
                    current.append(character)
                    if character == open { quote = nil }
                } else if character == "\"" || character == "`" || character == "'" {
                    quote = character
                    current.append(character)
                } else if character.isWhitespace {
                    if !current.isEmpty { words.append(current); current = "" }
                } else {
                    current.append(character)
                }
            }
            if !current.isEmpty { words.append(current) }
            return words
        }

        static func unquote(_ word: String) -> String {
            guard let first = word.first, "\"`'".contains(first), word.count >= 2, word.last == first else { return word }
            return String(word.dropFirst().dropLast())
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        let protected: [Range<Int>]
        let links: Links?
        var output: [UInt8] = []
        var index = 0
        var nextProtected = 0
        /// Per closing delimiter, its next occurrence found so far (`Int.max`: none to the end).
        /// Searches only move forward, so this keeps a text full of unclosed braces linear.
        var closers = [Int](repeating: -1, count: Closer.allCases.count)

        init(bytes: [UInt8], protected: [Range<Int>], links: Links?) {
            self.bytes = bytes
            self.protected = protected
            self.links = links
            output.reserveCapacity(bytes.count)
        }

        mutating func run() {
            while index < bytes.count {
                while nextProtected < protected.count, protected[nextProtected].upperBound <= index { nextProtected += 1 }
                if nextProtected < protected.count, protected[nextProtected].contains(index) {
                    output += bytes[index..<protected[nextProtected].upperBound]
                    index = protected[nextProtected].upperBound
                    continue
                }
                let byte = bytes[index]
                if byte == UInt8(ascii: "{"), index + 1 < bytes.count,
                   bytes[index + 1] == UInt8(ascii: "{") || bytes[index + 1] == UInt8(ascii: "%"),
                   let tag = tag(at: index) {
                    index = tag.end
                    replace(tag)
                    continue
                }
                output.append(byte)
                index += 1
            }
        }

        mutating func tag(at start: Int) -> Tag? {
            Tag.at(bytes, start) { closer, from in
                if closers[closer.rawValue] < from {
                    closers[closer.rawValue] = Self.firstIndex(of: closer.bytes, in: bytes, from: from) ?? Int.max
                }
                let found = closers[closer.rawValue]
                return found == Int.max ? nil : found
            }
        }

        static func firstIndex(of needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
            var index = from
            while index + needle.count <= bytes.count {
                if bytes[index] == needle[0], bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
                index += 1
            }
            return nil
        }

        mutating func emit(_ text: String) { output += Array(text.utf8) }

        mutating func replace(_ tag: Tag) {
            switch tag.kind {
            case .liquidOutput:
                if let links, let url = Self.siteLink(tag.inner, links) { emit(url) }
            case .shortcodeComment:
                // Hugo's way of showing a shortcode as text: the site shows `{{< name >}}`.
                emit("{{< \(tag.inner.trimmingCharacters(in: .whitespaces)) >}}")
            case .liquidTag:
                switch tag.name {
                case "post_url", "link":
                    if let target = tag.positional.first.map(Arguments.unquote), let url = links?.postURL(target) { emit(url) }
                case "youtube", "vimeo":
                    if let id = tag.positional.first.map(Arguments.unquote) { emitVideo(tag.name, id) }
                case "highlight":
                    emit("```" + (tag.positional.first ?? ""))
                case "endhighlight":
                    emit("```")
                case "comment":
                    skip(until: "endcomment", keep: false)
                case "raw":
                    skip(until: "endraw", keep: true)
                default:
                    return
                }
            case .shortcode:
                // Hugo's privacy-friendly `youtube_simple`, `vimeo_simple`, `twitter_simple`
                // name the same things.
                let name = tag.name.hasSuffix("_simple") ? String(tag.name.dropLast(7)) : tag.name
                switch name {
                case "youtube", "vimeo":
                    if let id = tag.named("id") ?? tag.positional.first.map(Arguments.unquote) { emitVideo(name, id) }
                case "tweet", "twitter", "x":
                    let positional = tag.positional.map(Arguments.unquote)
                    let user = tag.named("user") ?? (positional.count > 1 ? positional[0] : nil)
                    let id = tag.named("id") ?? positional.last
                    if let user, let id, Self.isToken(user), Self.isToken(id) { emit("<https://x.com/\(user)/status/\(id)>") }
                case "figure":
                    if let src = tag.named("src") {
                        let alt = tag.named("alt") ?? tag.named("caption") ?? tag.named("title") ?? ""
                        emit("![\(Self.escapeLabel(alt))](<\(src.filter { $0 != "<" && $0 != ">" && !$0.isNewline })>)")
                    }
                case "ref", "relref":
                    // Another language or output format is a page this site's reviews do not say.
                    guard tag.named("lang") == nil, (tag.named("outputformat") ?? "html").lowercased() == "html",
                          let reference = tag.named("path") ?? tag.positional.first.map(Arguments.unquote),
                          let url = links?.pageURL(reference) else { return }
                    emit(url)
                case "highlight":
                    emit("```" + (tag.positional.first.map(Arguments.unquote) ?? ""))
                case "/highlight":
                    emit("```")
                default:
                    return
                }
            }
        }

        /// What the Liquid outputs that name the site's own address become (`{{ site.baseurl }}`,
        /// `{{ site.url }}`, `{{ "/x.jpg" | relative_url }}`, `{{ "/x.jpg" | absolute_url }}`):
        /// authors write them inside links, whose targets would break without them.
        static func siteLink(_ expression: String, _ links: Links) -> String? {
            let parts = expression.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            switch parts.first {
            case "site.baseurl" where parts.count == 1: return links.basePath
            case "site.url" where parts.count == 1: return links.origin
            default: break
            }
            guard parts.count == 2, let value = parts.first, value.count >= 2, let quote = value.first, "\"'".contains(quote), value.last == quote
            else { return nil }
            let path = value.dropFirst().dropLast().drop { $0 == "/" }
            switch parts[1] {
            case "relative_url": return links.basePath + "/" + path
            case "absolute_url": return links.siteURL + "/" + path
            default: return nil
            }
        }

        /// A link to the video, as an autolink so that it is one in HTML too.
        mutating func emitVideo(_ site: String, _ id: String) {
            let safe = id.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
            guard !safe.isEmpty else { return }
            emit(site == "youtube" ? "<https://www.youtube.com/watch?v=\(safe)>" : "<https://vimeo.com/\(safe)>")
        }

        /// Skips (or copies) everything up to the Liquid tag `{% end %}`, which is removed; an
        /// unclosed block runs to the end, as Liquid would refuse the page.
        mutating func skip(until end: String, keep: Bool) {
            var search = index
            while search + 1 < bytes.count {
                if bytes[search] == UInt8(ascii: "{"), bytes[search + 1] == UInt8(ascii: "%"),
                   let tag = tag(at: search), tag.kind == .liquidTag, tag.name == end {
                    if keep { output += bytes[index..<search] }
                    index = tag.end
                    return
                }
                search += 1
            }
            if keep { output += bytes[index...] }
            index = bytes.count
        }

        /// Letters, digits, `_` and `-`: what a handle or an id is, and nothing a URL could be bent with.
        static func isToken(_ text: String) -> Bool {
            !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        }

        static func escapeLabel(_ text: String) -> String {
            var out = ""
            for character in text where !character.isNewline {
                if "[]\\".contains(character) { out.append("\\") }
                out.append(character)
            }
            return out
        }
    }
}
