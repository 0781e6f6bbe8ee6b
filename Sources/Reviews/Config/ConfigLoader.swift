import Foundation
import TOMLKit

/// Reads and validates `syndicate.toml`.
///
/// Every problem is collected, not just the first: a user fixing a config wants the whole
/// list. Unknown keys are errors (a typo must never be silently ignored), each naming the key
/// and its line.
public enum ConfigLoader {
    public static let fileName = "syndicate.toml"

    /// Loads `syndicate.toml` from the site folder.
    /// - Throws: `Diagnostics` listing every problem found.
    public static func load(siteDirectory: URL) throws -> SiteConfig {
        let url = siteDirectory.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw Diagnostics([Diagnostic(file: fileName, line: 1, key: "file",
                                          message: "cannot read \(url.path): no such file or not readable")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Diagnostics([Diagnostic(file: fileName, line: 1, key: "file", message: "not valid UTF-8")])
        }
        return try parse(text)
    }

    /// Parses the text of a `syndicate.toml`.
    public static func parse(_ text: String) throws -> SiteConfig {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw Diagnostics([Diagnostic(file: fileName, line: error.source.begin.line, key: "syntax",
                                          message: error.description)])
        }
        let reader = ConfigReader(text: text)
        let config = reader.read(root)
        if !reader.diagnostics.isEmpty { throw Diagnostics(reader.diagnostics) }
        guard let config else {
            throw Diagnostics([Diagnostic(file: fileName, line: 1, key: "site", message: "invalid")])
        }
        return config
    }
}

/// Walks the parsed TOML, collecting diagnostics as it goes.
private final class ConfigReader {
    let text: String
    /// Built only when a problem needs its line: a valid config never pays for it.
    lazy var lines = TOMLLineIndex(text: text)
    var diagnostics: [Diagnostic] = []

    init(text: String) { self.text = text }

    func read(_ root: TOMLTable) -> SiteConfig? {
        rejectUnknown(in: root, table: "", known: ["site", "feeds", "post", "destination"])
        guard let siteTable = table(root, "site", in: "", required: true) else { return nil }
        let site = readSite(siteTable)
        let feeds = table(root, "feeds", in: "").map(readFeeds) ?? FeedSettings()
        let post = table(root, "post", in: "").map { readPost($0, timeZone: site?.timeZone ?? .gmt) } ?? PostSettings()
        let destinations = readDestinations(root)
        guard let site else { return nil }
        return SiteConfig(site: site, feeds: feeds, post: post, destinations: destinations)
    }

    // MARK: Sections

    private func readSite(_ t: TOMLTable) -> SiteSettings? {
        let path = "site"
        rejectUnknown(in: t, table: path, known: ["title", "url", "description", "author", "language", "timezone", "permalink"])
        let title = string(t, "title", in: path, required: true)
        let url = httpURL(t, "url", in: path, required: true)
        var settings = SiteSettings(title: title ?? "", url: url.map(Self.withoutTrailingSlash) ?? "")
        settings.description = string(t, "description", in: path) ?? ""
        settings.author = string(t, "author", in: path) ?? ""
        if let language = string(t, "language", in: path) {
            if language.isEmpty || !language.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
                report(path, "language", "\"\(language)\" is not a language tag like \"en\" or \"pt-BR\"")
            } else {
                settings.language = language
            }
        }
        if let zone = string(t, "timezone", in: path) {
            if let timeZone = TimeZone.site(named: zone) {
                settings.timeZone = timeZone
            } else {
                report(path, "timezone", "unknown time zone \"\(zone)\" (use an IANA name like \"America/New_York\")")
            }
        }
        if let permalink = string(t, "permalink", in: path) {
            if !permalink.hasPrefix("/") || !permalink.contains("{slug}") {
                report(path, "permalink", "must start with \"/\" and contain {slug}, like \"/reviews/{slug}/\"")
            } else {
                settings.permalink = permalink
            }
        }
        return title == nil || url == nil ? nil : settings
    }

    private func readFeeds(_ t: TOMLTable) -> FeedSettings {
        let path = "feeds"
        rejectUnknown(in: t, table: path, known: ["output", "items", "full_content", "by_genre", "hub", "public_url"])
        var settings = FeedSettings()
        if let output = string(t, "output", in: path) {
            if output.isEmpty || output.hasPrefix("/") || output.split(separator: "/").contains("..") {
                report(path, "output", "must be a folder inside the site, like \"feeds\"")
            } else {
                settings.output = output
            }
        }
        if let items = int(t, "items", in: path, range: 1...1_000_000) { settings.items = items }
        if let full = bool(t, "full_content", in: path) { settings.fullContent = full }
        if let byGenre = bool(t, "by_genre", in: path) { settings.byGenre = byGenre }
        if let hub = httpURL(t, "hub", in: path, allowEmpty: true) { settings.hub = hub }
        if let publicURL = httpURL(t, "public_url", in: path, allowEmpty: true) {
            settings.publicURL = publicURL.isEmpty || publicURL.hasSuffix("/") ? publicURL : publicURL + "/"
        }
        return settings
    }

    private func readPost(_ t: TOMLTable, timeZone: TimeZone) -> PostSettings {
        let path = "post"
        rejectUnknown(in: t, table: path, known: ["since", "max_attempts", "backoff_base", "backoff_max", "timeout", "concurrency"])
        var settings = PostSettings()
        if let value = t["since"] {
            if let date = value.date {
                settings.since = SiteDate.parse(String(format: "%04d-%02d-%02d", date.year, date.month, date.day), timeZone: timeZone)
            } else if let text = value.string, let date = SiteDate.parse(text, timeZone: timeZone) {
                settings.since = date
            } else {
                report(path, "since", "expected a date like \"2025-01-01\"")
            }
        }
        if let attempts = int(t, "max_attempts", in: path, range: 1...1000) { settings.maxAttempts = attempts }
        if let base = duration(t, "backoff_base", in: path) { settings.backoffBase = base }
        if let max = duration(t, "backoff_max", in: path) { settings.backoffMax = max }
        if let timeout = duration(t, "timeout", in: path) { settings.timeout = timeout }
        if let concurrency = int(t, "concurrency", in: path, range: 1...256) { settings.concurrency = concurrency }
        if settings.backoffMax < settings.backoffBase {
            report(path, "backoff_max", "must not be shorter than backoff_base")
        }
        return settings
    }

    private func readDestinations(_ root: TOMLTable) -> [DestinationConfig] {
        guard let value = root["destination"] else { return [] }
        guard let array = value.array else {
            report("", "destination", "expected [[destination]] tables")
            return []
        }
        var result: [DestinationConfig] = []
        var seen: [String: Int] = [:]
        for index in 0..<array.count {
            let path = "destination[\(index)]"
            guard let t = array[index].table else {
                report("", "destination", "expected [[destination]] tables")
                continue
            }
            guard let destination = readDestination(t, path: path) else { continue }
            if let first = seen[destination.name] {
                report(path, "name", "duplicate destination name \"\(destination.name)\" (first used at line \(first))")
                continue
            }
            seen[destination.name] = destination.line
            result.append(destination)
        }
        return result
    }

    private func readDestination(_ t: TOMLTable, path: String) -> DestinationConfig? {
        let name = string(t, "name", in: path, required: true)
        if let name, !DestinationConfig.isValidName(name) {
            report(path, "name", "\"\(name)\" must be letters, digits, \"-\" or \"_\" (it names the credentials table and SYNDICATE_<NAME>_<KEY> variables)")
            return nil
        }
        let kindText = string(t, "kind", in: path, required: true)
        var kind: DestinationKind?
        if let kindText {
            kind = DestinationKind(rawValue: kindText)
            if kind == nil {
                report(path, "kind", "unknown kind \"\(kindText)\" (one of: \(DestinationKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        guard let name, let kind else { return nil }

        var known: Set<String> = ["name", "kind", "enabled", "template"]
        if kind.takesBaseURL { known.insert("base_url") }
        known.formUnion(Self.kindKeys[kind] ?? [])
        if t["base_url"] != nil, !kind.takesBaseURL {
            report(path, "base_url", kind == .command ? "a command destination calls no service"
                   : "a \(kind.rawValue) destination takes its URL from \(kind == .webhook ? "the credential `url`" : "`endpoint` or `me`"), not base_url")
        }
        rejectUnknown(in: t, table: path, known: known.union(kind.takesBaseURL ? [] : ["base_url"]))

        var destination = DestinationConfig(name: name, kind: kind, line: lines.line(table: path))
        if kind.takesBaseURL {
            let baseURL = httpURL(t, "base_url", in: path).map(Self.withoutTrailingSlash) ?? kind.defaultBaseURL
            if baseURL == nil { report(path, "base_url", "required for a \(kind.rawValue) destination") }
            destination.baseURL = baseURL
        }
        destination.enabled = bool(t, "enabled", in: path) ?? true
        destination.template = string(t, "template", in: path)
        destination.options = readOptions(t, kind: kind, path: path)
        return destination
    }

    private static let kindKeys: [DestinationKind: Set<String>] = [
        .mastodon: ["visibility", "spoiler_text"],
        .letterboxd: ["content"],
        .linkhub: ["keep"],
        .micropub: ["endpoint", "me"],
        .webhook: ["format"],
        .command: ["run"],
    ]

    private func readOptions(_ t: TOMLTable, kind: DestinationKind, path: String) -> [String: DestinationConfig.OptionValue] {
        var options: [String: DestinationConfig.OptionValue] = [:]
        switch kind {
        case .mastodon:
            options["visibility"] = .string(choice(t, "visibility", in: path, of: ["public", "unlisted", "private", "direct"]) ?? "public")
            options["spoiler_text"] = .string(string(t, "spoiler_text", in: path) ?? "Spoilers")
        case .letterboxd:
            options["content"] = .string(choice(t, "content", in: path, of: ["summary", "full"]) ?? "summary")
        case .linkhub:
            options["keep"] = .int(int(t, "keep", in: path, range: 1...1000) ?? 5)
        case .micropub:
            let endpoint = httpURL(t, "endpoint", in: path)
            let me = httpURL(t, "me", in: path)
            if endpoint == nil, me == nil, t["endpoint"] == nil, t["me"] == nil {
                report(path, "endpoint", "a micropub destination needs `endpoint` (the Micropub URL) or `me` (your site, which links to it)")
            }
            if let endpoint { options["endpoint"] = .string(endpoint) }
            if let me { options["me"] = .string(me) }
        case .webhook:
            options["format"] = .string(choice(t, "format", in: path, of: ["discord", "slack", "json"]) ?? "json")
        case .command:
            if let value = t["run"] {
                if let array = value.array, array.count > 0,
                   case let items = (0..<array.count).compactMap({ array[$0].string }), items.count == array.count,
                   !items[0].isEmpty {
                    options["run"] = .strings(items)
                } else {
                    report(path, "run", "expected a list of strings, the program first: [\"/path/to/program\", \"arg\"]")
                }
            } else {
                report(path, "run", "required for a command destination: [\"/path/to/program\", \"arg\"]")
            }
        case .bluesky, .x:
            break
        }
        return options
    }

    // MARK: Typed getters

    private func report(_ table: String, _ key: String, _ message: String) {
        let shown = table.isEmpty ? key : "\(displayName(table)).\(key)"
        diagnostics.append(Diagnostic(file: ConfigLoader.fileName, line: lines.line(table: table, key: key),
                                      key: shown, message: message))
    }

    private var destinationNames: [String: String] = [:]

    private func displayName(_ table: String) -> String { destinationNames[table] ?? table }

    private func rejectUnknown(in t: TOMLTable, table: String, known: Set<String>) {
        for key in t.keys where !known.contains(key) {
            report(table, key, "unknown key (known here: \(known.sorted().joined(separator: ", ")))")
        }
    }

    private func table(_ t: TOMLTable, _ key: String, in path: String, required: Bool = false) -> TOMLTable? {
        guard let value = t[key] else {
            if required { report(path, key, "missing [\(key)] table") }
            return nil
        }
        guard let table = value.table else {
            report(path, key, "expected a table")
            return nil
        }
        return table
    }

    private func string(_ t: TOMLTable, _ key: String, in path: String, required: Bool = false) -> String? {
        guard let value = t[key] else {
            if required { report(path, key, "required") }
            return nil
        }
        guard let string = value.string else {
            report(path, key, "expected a string, found \(value.type)")
            return nil
        }
        if path.hasPrefix("destination["), key == "name", DestinationConfig.isValidName(string) {
            destinationNames[path] = "destination.\(string)"
        }
        return string
    }

    private func int(_ t: TOMLTable, _ key: String, in path: String, range: ClosedRange<Int>) -> Int? {
        guard let value = t[key] else { return nil }
        guard let int = value.int else {
            report(path, key, "expected a whole number, found \(value.type)")
            return nil
        }
        guard range.contains(int) else {
            report(path, key, "\(int) is out of range \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return int
    }

    private func bool(_ t: TOMLTable, _ key: String, in path: String) -> Bool? {
        guard let value = t[key] else { return nil }
        guard let bool = value.bool else {
            report(path, key, "expected true or false, found \(value.type)")
            return nil
        }
        return bool
    }

    private func choice(_ t: TOMLTable, _ key: String, in path: String, of choices: [String]) -> String? {
        guard let text = string(t, key, in: path) else { return nil }
        guard choices.contains(text) else {
            report(path, key, "\"\(text)\" is not one of: \(choices.joined(separator: ", "))")
            return nil
        }
        return text
    }

    private func duration(_ t: TOMLTable, _ key: String, in path: String) -> Double? {
        guard let text = string(t, key, in: path) else { return nil }
        guard let seconds = DurationParser.seconds(text), seconds > 0 else {
            report(path, key, "\"\(text)\" is not a duration like \"30s\", \"5m\" or \"6h\"")
            return nil
        }
        return seconds
    }

    private func httpURL(_ t: TOMLTable, _ key: String, in path: String, required: Bool = false, allowEmpty: Bool = false) -> String? {
        guard let text = string(t, key, in: path, required: required) else { return nil }
        if allowEmpty, text.isEmpty { return text }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", url.host?.isEmpty == false else {
            report(path, key, "\"\(text)\" is not an absolute http(s) URL")
            return nil
        }
        return text
    }

    private static func withoutTrailingSlash(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
