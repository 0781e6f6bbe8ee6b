import Foundation
import Reviews

extension SiteInitializer {
    /// The commented `syndicate.toml` for a sketch: every `[site]` value with where it came
    /// from, `[source]`, the feeds and posting defaults, and every destination kind as a
    /// commented `[[destination]]` to enable. Valid as written: `check` and `build` work
    /// before any edit.
    public static func configText(_ sketch: SiteSketch, destinations: [DestinationKindSketch]) -> String {
        var lines = [
            "# syndicate.toml for this \(sketch.shape.rawValue), written by `syndicate init`.",
            "# Every key is described in Syndicate's README (\"Sources\", \"Feeds\", \"Posting\"). Secrets never",
            "# go here but in `credentials`. `syndicate check` checks this file; `syndicate build` writes the feeds.",
        ]
        // A note quotes the site's own values: one line each, whatever they hold.
        lines += sketch.notes.map { "# Note: \(Diagnostic.oneLine($0))." }
        func origin(_ key: String, _ why: String) -> String {
            sketch.missing.contains(key) ? "# not found: set it\(why)" : sketch.origin.map { "# from \($0)" } ?? ""
        }
        lines += ["", "[site]"]
        lines.append(setting("title", sketch.title ?? "", origin("title", "")))
        lines.append(setting("url", sketch.url ?? "", origin("url", " (every feed links here)")))
        lines.append(setting("timezone", sketch.timezone ?? "UTC", origin("timezone", " (a date without a time is midnight here)")))
        if let language = sketch.language { lines.append(setting("language", language, origin("language", ""))) }
        if let description = sketch.description { lines.append(setting("description", description, origin("description", ""))) }
        if let author = sketch.author { lines.append(setting("author", author, origin("author", ""))) }
        if let permalink = sketch.permalink {
            lines.append(setting("permalink", permalink, "# each review's link; a review's own permalink/url wins"))
        }

        lines += ["", "[source]", setting("kind", sketch.sourceKind, "# files | wordpress | feed")]
        switch sketch.shape {
        case .markdown, .jekyll, .hugo:
            lines.append(setting("folder", sketch.folder ?? "reviews", "# the review files (.md, .markdown), subfolders included"))
        case .wordpress:
            lines.append(setting("url", sketch.sourceURL ?? "", "# the home page; posts are read through its REST API"))
        case .feed:
            lines.append(setting("url", sketch.sourceURL ?? "", "# RSS 2.0, Atom 1.0 or JSON Feed"))
        }
        lines += [
            commented("# only = [\"Reviews\"]", "# a blog with other posts too: keep those with one of these categories, tags or genres"),
            "",
            "[feeds]",
            setting("output", sketch.output, outputComment(sketch)),
            commented("items = 50", "# newest N reviews in each feed"),
            commented("full_content = true", "# the whole review in the feeds, not just its summary"),
            commented("by_genre = true", "# also a feed per genre, in genres/"),
            "",
            "[post]",
            "# No `since`: the first `syndicate post` records every review already published as posted for",
            "# each destination without sending it (it says so), so no back catalogue floods anyone. Run",
            "# `syndicate post --dry-run` first to see. Set `since` to post older reviews on purpose:",
            "# since = \"2025-01-01\"",
            "max_attempts = 8",
            "timeout = \"30s\"",
            "",
            "# Destinations: uncomment one, fill in its keys, put its secrets in `credentials` under its",
            "# name, then `syndicate check --online`. `name` is yours to choose (the credentials table).",
        ]
        for kind in destinations {
            lines += ["", "# [[destination]]", "# name = \"\(kind.kind)\"", "# kind = \"\(kind.kind)\""]
            if let baseURL = kind.baseURL {
                lines.append(commented("# base_url = \(quoted(baseURL))", kind.baseURLRequired ? "# required: the service's address" : ""))
            }
            lines.append("# enabled = true")
            let own = kind.optionKeys.filter { !["name", "kind", "enabled", "template", "base_url"].contains($0) }
            if !own.isEmpty { lines.append("# # its other keys (README, \"Destinations\"): \(own.joined(separator: ", "))") }
            if !kind.credentialKeys.isEmpty { lines.append("# # in credentials: \(kind.credentialKeys.joined(separator: ", "))") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The new `credentials`: no value, and for each destination kind its keys, commented.
    public static func credentialsText(destinations: [DestinationKindSketch]) -> String {
        var lines = [
            "# credentials: the secrets of the destinations in syndicate.toml, one table per destination `name`.",
            "# Readable by you alone (mode 0600); never commit it. Each key can also come from the environment",
            "# as SYNDICATE_<NAME>_<KEY>. Syndicate's credentials.example says where to get each one.",
        ]
        for kind in destinations where !kind.credentialKeys.isEmpty {
            lines += ["", "# kind = \"\(kind.kind)\"", "# [\(kind.kind)]"]
            lines += kind.credentialKeys.map { "# \($0) = \"\"" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// What `init` says once the files are written: what was found, what is a placeholder,
    /// and what to run next.
    public static func summary(_ sketch: SiteSketch) -> [String] {
        let source: String
        switch sketch.shape {
        case .markdown, .jekyll, .hugo: source = "reviews from \(sketch.folder ?? "reviews")/"
        case .wordpress: source = "posts from \(sketch.sourceURL ?? "")"
        case .feed: source = "items of \(sketch.sourceURL ?? "")"
        }
        var lines = ["syndicate.toml: written for a \(sketch.shape.rawValue) (\(source)"
                     + (sketch.origin.map { ", [site] from \($0)" } ?? "") + ")",
                     "credentials: written, no secrets yet (mode 0600)"]
        lines += sketch.notes.map { "note: \($0)" }
        if !sketch.missing.isEmpty {
            lines.append("set in syndicate.toml: " + sketch.missing.map { "site.\($0)" }.joined(separator: ", ") + " (not found)")
        }
        lines.append("next: syndicate check, then syndicate build (the feeds go to \(sketch.output)/); "
                     + "enable a destination, then syndicate post --dry-run")
        return lines
    }

    private static func outputComment(_ sketch: SiteSketch) -> String {
        switch sketch.shape {
        case .jekyll: return "# Jekyll copies this folder into _site/: the feeds are served at the site's /feeds/"
        case .hugo: return "# Hugo publishes static/ as the site's root: the feeds are served at /feeds/"
        default: return "# serve this folder at the site's /feeds/, or set public_url to where it is served"
        }
    }

    /// `key = "value"   # comment`.
    private static func setting(_ key: String, _ value: String, _ comment: String) -> String {
        commented("\(key) = \(quoted(value))", comment)
    }

    /// A line and its comment, the comments of short lines in one column.
    private static func commented(_ line: String, _ comment: String) -> String {
        guard !comment.isEmpty else { return line }
        return line.padding(toLength: max(line.count + 3, 24), withPad: " ", startingAt: 0) + comment
    }

    /// A TOML basic string: quotes, backslashes and control characters escaped, so a site's
    /// title can never end the string or the line.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += String(format: "\\u%04X", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
