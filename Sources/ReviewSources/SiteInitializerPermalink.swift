import Foundation

/// A Jekyll or Hugo permalink setting as `site.permalink` (docs/SPEC.md §3: `{slug}`,
/// `{year}`, `{month}`, `{day}`), so the feeds link where the site itself puts each post.
enum PermalinkTranslation {
    /// Jekyll's `permalink` (a style name or a pattern; nil: Jekyll's default, `date`), and a
    /// note when it could not be kept whole.
    static func jekyll(_ setting: String?) -> (permalink: String, note: String?) {
        let styles = [
            "date": "/:categories/:year/:month/:day/:title:output_ext",
            "pretty": "/:categories/:year/:month/:day/:title/",
            "ordinal": "/:categories/:year/:y_day/:title:output_ext",
            "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
            "none": "/:categories/:title:output_ext",
        ]
        let pattern = styles[setting ?? "date"] ?? setting ?? ""
        // Jekyll's `:title` is the file name's slug part (or `slug`), Syndicate's {slug} too.
        let tokens = [":year": "{year}", ":month": "{month}", ":day": "{day}", ":title": "{slug}", ":slug": "{slug}",
                      ":output_ext": ".html", ":categories": ""]
        return translate(pattern, tokens: tokens, fallback: "/{year}/{month}/{day}/{slug}.html", named: "permalink \"\(setting ?? "date")\"")
    }

    /// Hugo's `[permalinks]` pattern for the posts' section (nil: Hugo's default, the
    /// section and the slug), and a note when it could not be kept whole.
    static func hugo(_ setting: String?, section: String?) -> (permalink: String, note: String?) {
        let fallback = section.map { "/\($0)/{slug}/" } ?? "/{slug}/"
        guard let setting else { return (fallback, nil) }
        // Hugo's `:title` is the title made into a path; the slug (or file name) is what
        // Syndicate has, and what most sites' titles and file names agree on.
        let slug = "{slug}"
        let tokens = [":year": "{year}", ":month": "{month}", ":day": "{day}", ":slug": slug, ":title": slug, ":filename": slug,
                      ":slugorfilename": slug, ":contentbasename": slug, ":slugorcontentbasename": slug,
                      ":section": section ?? "", ":sections": section ?? ""]
        return translate(setting, tokens: tokens, fallback: fallback, named: "permalinks \"\(setting)\"")
    }

    private static func translate(_ pattern: String, tokens: [String: String], fallback: String, named: String) -> (permalink: String, note: String?) {
        var result = ""
        var dropped: [String] = []
        var unknown: [String] = []
        var rest = Substring(pattern)
        while let colon = rest.firstIndex(of: ":") {
            result += rest[..<colon]
            let name = rest[rest.index(after: colon)...].prefix { $0.isASCII && ($0.isLetter || $0 == "_") }
            let token = ":" + name
            rest = rest[rest.index(colon, offsetBy: token.count)...]
            switch tokens[token] {
            case ""?: dropped.append(token)
            case let value?: result += value
            case nil: unknown.append(token)
            }
        }
        result += rest
        while result.contains("//") { result = result.replacingOccurrences(of: "//", with: "/") }
        if !result.hasPrefix("/") { result = "/" + result }
        guard unknown.isEmpty, result.contains("{slug}") else {
            let what = unknown.isEmpty ? "names no post" : "has \(unknown.joined(separator: ", ")), which Syndicate cannot fill"
            return (fallback, "\(named) \(what): \(fallback) is used; give reviews their own permalink where it differs")
        }
        guard dropped.isEmpty else {
            return (result, "\(named) has \(dropped.joined(separator: ", ")), which Syndicate cannot fill: \(result) is used; "
                        + "give reviews their own permalink where it differs")
        }
        return (result, nil)
    }
}
