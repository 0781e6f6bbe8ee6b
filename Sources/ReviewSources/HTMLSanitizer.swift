import Foundation
import Reviews

/// Writes a parsed body again as the HTML a feed may carry: the same elements and attributes
/// Markdown output has, and nothing that runs or loads by itself (docs/SPEC.md §9).
///
/// It is an allow-list: an element it does not know keeps its content but loses its tag
/// (`<span>`, `<div>`, `<font>`); an element whose content is code or a foreign document
/// goes whole (`droppedElements`); attributes other than the few listed go (`on*`, `style`,
/// `class`, `srcset`); a URL that is not http(s) or mailto goes (`javascript:`, `data:`), and
/// relative ones are made absolute against the item's link, because feed readers show the
/// content far from the site. An image with no usable source goes; so does an element left
/// with no content once that is done (a paragraph that held only the facts block). An
/// embedded player (`iframe`, `video`, `audio`) with an http(s) source becomes a link to it.
struct HTMLSanitizer {
    /// Elements left out with everything inside them.
    static let droppedElements: Set<String> = [
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input",
        "button", "select", "textarea", "option", "noscript", "template", "svg", "math", "head", "title",
        "meta", "link", "base", "canvas", "audio", "video", "source", "track", "map", "area", "dialog",
    ]

    /// Elements kept, with the attributes each may keep.
    static let allowed: [String: Set<String>] = [
        "p": [], "br": [], "hr": [], "h1": [], "h2": [], "h3": [], "h4": [], "h5": [], "h6": [],
        "blockquote": ["cite"], "ul": [], "ol": ["start"], "li": [], "pre": [], "code": [],
        "em": [], "strong": [], "b": [], "i": [], "u": [], "s": [], "del": [], "ins": [], "sub": [], "sup": [],
        "small": [], "mark": [], "cite": [], "q": ["cite"], "abbr": ["title"],
        "a": ["href", "title"], "img": ["src", "alt", "title", "width", "height"],
        "figure": [], "figcaption": [], "dl": [], "dt": [], "dd": [],
        "table": [], "thead": [], "tbody": [], "tfoot": [], "tr": [], "th": ["align", "colspan", "rowspan"],
        "td": ["align", "colspan", "rowspan"],
    ]

    /// Elements that start a new block of text (for line breaking and text extraction).
    static let blockElements: Set<String> = [
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "pre", "hr",
        "figure", "figcaption", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "th", "td",
        "section", "article", "header", "footer", "main", "aside", "nav", "address", "details", "summary",
        "center",
    ]

    private static let voidElements: Set<String> = ["br", "hr", "img"]
    private static let urlAttributes: Set<String> = ["href", "src", "cite"]
    private static let safeSchemes: Set<String> = ["http", "https", "mailto"]

    /// What relative links are resolved against: the item's own link.
    var base: URL
    /// Nodes left out of the output (the facts block, which feeds show on their own).
    var skipped: Set<HTMLDocument.Node> = []

    /// The body's content as sanitised HTML.
    func html(of body: HTMLDocument.Node) -> String {
        // Trimmed natively: Foundation's `trimmingCharacters` copies a whole body through
        // NSString on Linux.
        let html = HTMLDocument.children(body).map(write).joined()
        let scalars = html.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }

    /// `raw` sanitised: the whole job for a body with nothing to leave out.
    static func sanitise(_ raw: String, base: URL) -> String {
        let document = HTMLDocument(raw)
        // The tree's nodes live as long as the document: keep it to the end of the scope.
        defer { withExtendedLifetime(document) {} }
        guard let body = document.body else { return "" }
        return HTMLSanitizer(base: base).html(of: body)
    }

    private func write(_ node: HTMLDocument.Node) -> String {
        if skipped.contains(node) { return "" }
        if HTMLDocument.isText(node) { return Self.escape(HTMLDocument.content(node), quotes: false) }
        guard let name = HTMLDocument.name(node) else { return "" }
        if name == "iframe" || name == "video" || name == "audio" {
            // An embedded player (WordPress renders a YouTube or Vimeo link as one) is not
            // carried, but where it points is: a link to it, as Markdown reviews give.
            let source = HTMLDocument.attributes(node).first { $0.name == "src" }.flatMap { safeURL($0.value) }
            guard let source, source.lowercased().hasPrefix("http") else { return "" }
            let link = Self.escape(source, quotes: true)
            return "<p><a href=\"\(link)\">\(Self.escape(source, quotes: false))</a></p>\n"
        }
        guard !Self.droppedElements.contains(name) else { return "" }
        let inner = HTMLDocument.children(node).map(write).joined()
        guard let allowedAttributes = Self.allowed[name] else {
            // Unknown but harmless (`span`, `div`, `font`): its content stays, a block keeps
            // its break from the text around it.
            return Self.blockElements.contains(name) && !inner.isEmpty ? "\n" + inner + "\n" : inner
        }
        var attributes = ""
        for (attribute, value) in HTMLDocument.attributes(node) where allowedAttributes.contains(attribute) {
            var value = value
            if Self.urlAttributes.contains(attribute) {
                guard let safe = safeURL(value) else { continue }
                value = safe
            }
            attributes += " \(attribute)=\"\(Self.escape(value, quotes: true))\""
        }
        if name == "img" {
            return attributes.contains(" src=\"") ? "<img\(attributes)>" : ""
        }
        if Self.voidElements.contains(name) { return "<\(name)\(attributes)>" }
        // An element emptied by what was left out (or empty as written) says nothing.
        if inner.allSatisfy(\.isWhitespace) && name != "td" && name != "th" { return "" }
        let tag = "<\(name)\(attributes)>\(inner)</\(name)>"
        return Self.blockElements.contains(name) ? tag + "\n" : tag
    }

    /// `url` made absolute against `base` when it is safe to follow; nil for other schemes.
    /// White space and control characters are ignored in the scheme, as browsers do
    /// (`java\tscript:`).
    func safeURL(_ url: String) -> String? {
        let compact = String(url.unicodeScalars.filter { $0.value > 0x20 && $0.value != 0x7F })
        guard !compact.isEmpty else { return nil }
        if let scheme = URLResolver.scheme(of: compact) {
            return Self.safeSchemes.contains(scheme.lowercased()) ? url.trimmingCharacters(in: .whitespacesAndNewlines) : nil
        }
        let absolute = URLResolver.absolute(url, base: base)
        guard let scheme = URLResolver.scheme(of: absolute), Self.safeSchemes.contains(scheme.lowercased()) else { return nil }
        return absolute
    }

    static func escape(_ text: String, quotes: Bool) -> String {
        // Byte by byte (the characters escaped are ASCII, and UTF-8 never uses ASCII bytes
        // inside a longer character); text with nothing to escape, most of it, is returned
        // as it is. Every text node of every remote body comes here.
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">")
                                     || (quotes && $0 == UInt8(ascii: "\"")) }) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 16)
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "&"): out += Array("&amp;".utf8)
            case UInt8(ascii: "<"): out += Array("&lt;".utf8)
            case UInt8(ascii: ">"): out += Array("&gt;".utf8)
            case UInt8(ascii: "\"") where quotes: out += Array("&quot;".utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
