import CCMarkGFM
import Foundation

/// Markdown through cmark-gfm (tables, strikethrough, autolinks).
///
/// Raw HTML in a review is not passed through: cmark's safe mode replaces it with a comment,
/// so a stray `<script>` can never reach a feed reader. Links and images are made absolute
/// against the review's permalink, because feed readers show the content far from the site.
public enum Markdown {
    private static let extensionNames = ["table", "strikethrough", "autolink", "tagfilter"]

    /// The GitHub extensions registered once, before the first parser looks them up (a
    /// static `let` runs its initialiser once, whichever thread gets there first).
    private static let registered: Void = cmark_gfm_core_extensions_ensure_registered()

    /// The body as HTML with every link and image URL made absolute against `base`.
    /// - Parameter links: where the tags that name a link point (`TemplateTags`); without
    ///   them those tags are removed.
    public static func html(_ markdown: String, base: URL, links: TemplateTags.Links? = nil) -> String {
        withDocument(markdown, links: links) { document, parser in
            absolutizeURLs(in: document, base: base)
            guard let rendered = cmark_render_html(document, CMARK_OPT_DEFAULT, cmark_parser_get_syntax_extensions(parser)) as UnsafeMutablePointer<CChar>?
            else { return "" }
            defer { free(rendered) }
            return String(cString: rendered)
        }
    }

    /// The first paragraph of the body as plain text on one line, or nil when there is none.
    public static func firstParagraphText(_ markdown: String) -> String? {
        withDocument(markdown) { document, _ in
            guard let iterator = cmark_iter_new(document) else { return nil }
            defer { cmark_iter_free(iterator) }
            while case let event = cmark_iter_next(iterator), event != CMARK_EVENT_DONE {
                guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator),
                      cmark_node_get_type(node) == CMARK_NODE_PARAGRAPH else { continue }
                let text = plainText(of: node)
                if !text.isEmpty { return text }
            }
            return nil
        }
    }

    /// The whole body as plain text: paragraphs separated by blank lines, inline markup
    /// reduced to its text (for services that take no HTML, like Letterboxd's review text).
    public static func plainText(_ markdown: String) -> String {
        withDocument(markdown) { document, _ in
            var blocks: [String] = []
            var child = cmark_node_first_child(document)
            while let node = child {
                let type = cmark_node_get_type(node)
                if type == CMARK_NODE_LIST {
                    var item = cmark_node_first_child(node)
                    while let current = item {
                        blocks.append("• " + plainText(of: current))
                        item = cmark_node_next(current)
                    }
                } else if type == CMARK_NODE_CODE_BLOCK, let literal = cmark_node_get_literal(node) {
                    blocks.append(String(cString: literal).trimmingCharacters(in: .newlines))
                } else if type != CMARK_NODE_THEMATIC_BREAK && type != CMARK_NODE_HTML_BLOCK {
                    let text = plainText(of: node)
                    if !text.isEmpty { blocks.append(text) }
                }
                child = cmark_node_next(node)
            }
            return blocks.joined(separator: "\n\n")
        }
    }

    /// The inline text of a node: text, code and link labels; breaks become spaces.
    private static func plainText(of root: OpaquePointer) -> String {
        guard let iterator = cmark_iter_new(root) else { return "" }
        defer { cmark_iter_free(iterator) }
        var pieces = ""
        while case let event = cmark_iter_next(iterator), event != CMARK_EVENT_DONE {
            guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) else { continue }
            let type = cmark_node_get_type(node)
            if type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE, let literal = cmark_node_get_literal(node) {
                pieces += String(cString: literal)
            } else if type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK {
                pieces += " "
            }
        }
        return pieces.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    private static func absolutizeURLs(in document: OpaquePointer, base: URL) {
        guard let iterator = cmark_iter_new(document) else { return }
        defer { cmark_iter_free(iterator) }
        while case let event = cmark_iter_next(iterator), event != CMARK_EVENT_DONE {
            guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) else { continue }
            let type = cmark_node_get_type(node)
            guard type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE,
                  let raw = cmark_node_get_url(node) else { continue }
            let url = String(cString: raw)
            let absolute = URLResolver.absolute(url, base: base)
            if absolute != url { cmark_node_set_url(node, absolute) }
        }
    }

    /// Parses the Markdown, template tags replaced first (`TemplateTags`): Jekyll and Hugo
    /// expand them before their Markdown is read, and a review's reader never sees them.
    private static func withDocument<T>(_ markdown: String, links: TemplateTags.Links? = nil,
                                        _ body: (OpaquePointer, OpaquePointer) -> T) -> T {
        guard TemplateTags.mayContain(markdown) else { return parse(markdown, options: CMARK_OPT_DEFAULT, body) }
        let code = parse(markdown, options: CMARK_OPT_SOURCEPOS) { document, _ in codeRanges(in: document, of: markdown) }
        return parse(TemplateTags.clean(markdown, protected: code, links: links), options: CMARK_OPT_DEFAULT, body)
    }

    /// The byte ranges of the code spans and code blocks, where braces are the author's text.
    private static func codeRanges(in document: OpaquePointer, of markdown: String) -> [Range<Int>] {
        var lineStarts = [0]
        for (offset, byte) in markdown.utf8.enumerated() where byte == UInt8(ascii: "\n") { lineStarts.append(offset + 1) }
        let count = markdown.utf8.count
        func offset(line: Int32, column: Int32) -> Int? {
            guard line >= 1, Int(line) <= lineStarts.count else { return nil }
            return min(count, lineStarts[Int(line) - 1] + max(0, Int(column) - 1))
        }
        guard let iterator = cmark_iter_new(document) else { return [] }
        defer { cmark_iter_free(iterator) }
        var ranges: [Range<Int>] = []
        while case let event = cmark_iter_next(iterator), event != CMARK_EVENT_DONE {
            guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) else { continue }
            let type = cmark_node_get_type(node)
            guard type == CMARK_NODE_CODE || type == CMARK_NODE_CODE_BLOCK else { continue }
            let endLine = cmark_node_get_end_line(node)
            // A block runs to its last line's end; a span's end column is its last byte.
            let endColumn = type == CMARK_NODE_CODE_BLOCK ? Int32.max / 2 : cmark_node_get_end_column(node) + 1
            guard let start = offset(line: cmark_node_get_start_line(node), column: type == CMARK_NODE_CODE_BLOCK ? 1 : cmark_node_get_start_column(node)),
                  var end = offset(line: endLine, column: endColumn) else { continue }
            if type == CMARK_NODE_CODE_BLOCK, Int(endLine) < lineStarts.count { end = min(end, lineStarts[Int(endLine)]) }
            if start < end { ranges.append(start..<end) }
        }
        return ranges
    }

    private static func parse<T>(_ markdown: String, options: Int32, _ body: (OpaquePointer, OpaquePointer) -> T) -> T {
        _ = registered
        let parser = cmark_parser_new(options)!
        defer { cmark_parser_free(parser) }
        for name in extensionNames {
            if let syntaxExtension = cmark_find_syntax_extension(name) {
                cmark_parser_attach_syntax_extension(parser, syntaxExtension)
            }
        }
        var text = markdown
        text.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) { cmark_parser_feed(parser, $0.baseAddress, $0.count) }
        }
        let document = cmark_parser_finish(parser)!
        defer { cmark_node_free(document) }
        return body(document, parser)
    }
}

/// Turns the links a review may contain into absolute URLs.
public enum URLResolver {
    /// `url` resolved against `base`: site-relative (`/x`), page-relative (`x`, `../x`),
    /// fragment (`#x`) and scheme-relative (`//host/x`) links become absolute; absolute URLs
    /// (any scheme, `mailto:` included) are returned unchanged.
    public static func absolute(_ url: String, base: URL) -> String {
        let trimmed = url.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return base.absoluteString }
        if scheme(of: trimmed) != nil { return trimmed }
        return URL(string: trimmed, relativeTo: base)?.absoluteURL.absoluteString ?? trimmed
    }

    /// The scheme of an absolute URL (`https`, `mailto`, `javascript`), nil for a relative one.
    public static func scheme(of url: String) -> Substring? {
        let url = url.trimmingCharacters(in: .whitespaces)
        guard let colon = url.firstIndex(of: ":") else { return nil }
        let scheme = url[..<colon]
        guard let first = scheme.first, first.isASCII, first.isLetter,
              scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) else { return nil }
        return scheme
    }
}
