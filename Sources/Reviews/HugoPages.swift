import Foundation
import Synchronization

/// The review files of a site as Hugo names its pages, for the `ref` and `relref` shortcodes
/// (README "Template code in reviews"): by logical path, which is the file's path below
/// `content/` without its extension (`/reviews/the-holdovers`; a bundle `NAME/index.md` by
/// its folder, `/reviews/the-holdovers`), and by base name (`the-holdovers`). Paths compare
/// without case, as Hugo's do. Drafts are no pages: Hugo does not build them.
struct HugoPages: Sendable {
    private struct Page: Sendable {
        /// The logical path, lowercased: `/reviews/the-holdovers`.
        var path: String
        var isBundle: Bool
    }

    private let reviews: [Review]
    /// Logical path → review index; -1 when two files share it (`x.md` and `x/index.md`).
    private var byPath: [String: Int] = [:]
    /// Base name → review index; -1 when reviews in two folders share it.
    private var byName: [String: Int] = [:]

    init(_ reviews: [Review]) {
        self.reviews = reviews
        for (index, review) in reviews.enumerated() where review.html == nil && !review.draft {
            guard let page = Self.page(ofFile: review.source) else { continue }
            byPath[page.path] = byPath[page.path] == nil ? index : -1
            let name = String(page.path.split(separator: "/").last ?? "")
            byName[name] = byName[name] == nil ? index : -1
        }
    }

    /// The review a `ref`/`relref` path (no `#anchor`) names, as Hugo resolves it from the
    /// review `context` it is written in: a path without a leading `/` first relative to the
    /// context's folder, then from the content root; a bare name (no `/` at all) last by its
    /// base name across the site. Nil when it names no review, or more than one.
    func review(_ reference: String, from context: Review?) -> Review? {
        guard !reference.isEmpty else { return nil }
        let hadExtension = Self.dropExtension(String(reference.split(separator: "/").last ?? "")) != nil
        if !reference.hasPrefix("/"), let context, context.html == nil, let page = Self.page(ofFile: context.source) {
            // Hugo's base: the folder holding the page (a bundle's own folder only for
            // `../x.md`, which then means a sibling of the bundle).
            let folder = page.isBundle && hadExtension && reference.hasPrefix("../") ? page.path : Self.parent(page.path)
            if let key = Self.key(folder + "/" + reference), let found = byPath[key] { return found >= 0 ? reviews[found] : nil }
        }
        if reference.hasPrefix(".") { return nil }
        if let key = Self.key("/" + reference), let found = byPath[key] { return found >= 0 ? reviews[found] : nil }
        guard !reference.contains("/"), let key = Self.key("/" + reference), let found = byName[String(key.dropFirst())], found >= 0
        else { return nil }
        return reviews[found]
    }

    /// A review file's page: `content/reviews/x.md` → `/reviews/x`, `reviews/x/index.md` →
    /// `/reviews/x` (a bundle).
    private static func page(ofFile source: String) -> Page? {
        var path = Substring(source)
        if path.hasPrefix("content/") { path = path.dropFirst("content/".count) }
        let isBundle = path.split(separator: "/").last.map { dropExtension(String($0))?.lowercased() == "index" } ?? false
        guard let key = key("/" + path) else { return nil }
        return Page(path: key, isBundle: isBundle)
    }

    /// `/a/./b/../c.md` → `/a/c`: `.` and `..` resolved, the extension and a last `index`
    /// dropped, lowercased. Nil when `..` climbs above the content root or nothing is left.
    static func key(_ path: String) -> String? {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if parts.popLast() == nil { return nil }
            default: parts.append(part)
            }
        }
        guard let last = parts.popLast() else { return nil }
        let name = dropExtension(String(last)) ?? String(last)
        if name.lowercased() != "index" { parts.append(Substring(name)) }
        guard !parts.isEmpty else { return nil }
        return "/" + parts.joined(separator: "/").lowercased()
    }

    /// The name without `.md` or `.markdown`, or nil when it has neither.
    private static func dropExtension(_ name: String) -> String? {
        for suffix in [".md", ".markdown"] where name.count > suffix.count && name.lowercased().hasSuffix(suffix) {
            return String(name.dropLast(suffix.count))
        }
        return nil
    }

    private static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// Built on first use, once for a `Site`'s reviews, and shared by its copies (the feeds
    /// render on every core).
    final class Lazy: Sendable {
        private let pages = Mutex<HugoPages?>(nil)

        func get(_ reviews: [Review]) -> HugoPages {
            pages.withLock { pages in
                if let pages { return pages }
                let built = HugoPages(reviews)
                pages = built
                return built
            }
        }
    }
}
