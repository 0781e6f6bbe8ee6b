import Foundation
import TOMLKit

/// Reads and validates `syndicate.toml`.
///
/// Every problem is collected, not just the first: a user fixing a config wants the whole
/// list. Unknown keys are errors (a typo must never be silently ignored), each naming the key
/// and its line.
///
/// The loader knows no destination kind: it reads what every `[[destination]]` table has
/// (`name`, `kind`, `enabled`, `template`) and keeps the rest as written, with its lines. A
/// `DestinationCheck` (the Destinations target's registry supplies it) checks the kind and
/// reads the kind's own keys, reporting into the same list, so the user still sees every
/// problem at once.
public enum ConfigLoader {
    public static let fileName = "syndicate.toml"

    /// Checks one destination table: its `kind`, then every key of that kind through
    /// `destination.table`'s getters, ending with `rejectUnknown()`. Problems go to the table.
    public typealias DestinationCheck = (inout DestinationConfig) -> Void
    /// Checks `[source]` the same way: its `kind`, then the kind's keys, then `rejectUnknown()`.
    public typealias SourceCheck = (inout SourceConfig) -> Void

    /// Loads `syndicate.toml` from the site folder.
    /// - Parameter check: checks each destination's kind and own keys; without it they are
    ///   kept unchecked (enough for a caller that never builds an adapter, like the feeds).
    /// - Throws: `Diagnostics` listing every problem found.
    public static func load(siteDirectory: URL, checkingDestinations check: DestinationCheck? = nil,
                            checkingSource sourceCheck: SourceCheck? = nil) throws -> SiteConfig {
        let url = siteDirectory.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw Diagnostics([Diagnostic(file: fileName, line: 1, key: "file",
                                          message: "cannot read \(url.path): no such file or not readable")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Diagnostics([Diagnostic(file: fileName, line: 1, key: "file", message: "not valid UTF-8")])
        }
        return try parse(text, checkingDestinations: check, checkingSource: sourceCheck)
    }

    /// Parses the text of a `syndicate.toml`.
    public static func parse(_ text: String, checkingDestinations check: DestinationCheck? = nil,
                             checkingSource sourceCheck: SourceCheck? = nil) throws -> SiteConfig {
        if let problem = TOMLPreflight.problem(in: text) {
            throw Diagnostics([Diagnostic(file: fileName, line: problem.line, key: "syntax", message: problem.message)])
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw Diagnostics([Diagnostic(file: fileName, line: error.source.begin.line, key: "syntax",
                                          message: error.description)])
        }
        var reader = ConfigReader(lines: TOMLLineIndex(text: text), check: check, sourceCheck: sourceCheck)
        let config = reader.read(root)
        if !reader.diagnostics.isEmpty { throw Diagnostics(reader.diagnostics) }
        guard let config else {
            throw Diagnostics([Diagnostic(file: fileName, line: 1, key: "site", message: "invalid")])
        }
        return config
    }
}

/// Walks the parsed TOML table by table, collecting diagnostics as it goes.
private struct ConfigReader {
    let lines: TOMLLineIndex
    let check: ConfigLoader.DestinationCheck?
    let sourceCheck: ConfigLoader.SourceCheck?
    var diagnostics: [Diagnostic] = []

    mutating func read(_ root: TOMLTable) -> SiteConfig? {
        var top = table(root, path: "")
        let siteTable = section(root, &top, "site", required: true)
        let feedsTable = section(root, &top, "feeds")
        let postTable = section(root, &top, "post")
        let sourceTable = section(root, &top, "source")
        let imagesTable = section(root, &top, "images")
        let ledgerTable = section(root, &top, "ledger")
        _ = top.value("destination")
        finish(&top)
        let site = siteTable.flatMap { readSite(table($0, path: "site")) }
        let feeds = feedsTable.map { readFeeds(table($0, path: "feeds"), reviewFolder: reviewFolder(sourceTable)) } ?? FeedSettings()
        let post = postTable.map { readPost(table($0, path: "post"), timeZone: site?.timeZone ?? .gmt) } ?? PostSettings()
        let destinations = readDestinations(root)
        let source = readSource(sourceTable.map { table($0, path: "source") })
        let images = imagesTable.map { readImages(table($0, path: "images")) } ?? ImageSettings()
        guard let site else { return nil }
        var config = SiteConfig(site: site, feeds: feeds, post: post, destinations: destinations, source: source)
        config.images = images
        if let ledgerTable { config.ledger = readLedger(table(ledgerTable, path: "ledger")) }
        return config
    }

    /// The table `[key]`, reporting it when it is missing (and required) or not a table.
    private func section(_ root: TOMLTable, _ top: inout ConfigTable, _ key: String, required: Bool = false) -> TOMLTable? {
        guard top.value(key) != nil else {
            if required { top.report(key, "missing [\(key)] table") }
            return nil
        }
        guard let table = root[key]?.table else {
            top.report(key, "expected a table")
            return nil
        }
        return table
    }

    // MARK: Sections

    private mutating func readSite(_ table: ConfigTable) -> SiteSettings? {
        var t = table
        defer { finish(&t) }
        let title = t.string("title", required: true)
        let url = published(t.httpURL("url", required: true), &t, "url")
        var settings = SiteSettings(title: title ?? "", url: url.map(ConfigLoader.withoutTrailingSlash) ?? "")
        settings.description = t.string("description") ?? ""
        settings.author = t.string("author") ?? ""
        if let language = t.string("language") {
            if language.isEmpty || !language.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
                t.report("language", "\"\(language)\" is not a language tag like \"en\" or \"pt-BR\"")
            } else {
                settings.language = language
            }
        }
        if let zone = t.string("timezone") {
            if let timeZone = TimeZone(identifier: zone) {
                settings.timeZone = timeZone
            } else {
                t.report("timezone", "unknown time zone \"\(zone)\" (use an IANA name like \"America/New_York\")")
            }
        }
        if let permalink = t.string("permalink") {
            if let problem = PermalinkPattern.problem(permalink) {
                t.report("permalink", problem)
            } else {
                settings.permalink = permalink
            }
        }
        return title == nil || url == nil ? nil : settings
    }

    /// The files source's folder, read quietly (its own check reports its problems): the
    /// feeds may not be written into it.
    private func reviewFolder(_ sourceTable: TOMLTable?) -> String {
        guard let sourceTable else { return FilesSettings().folder }
        var t = table(sourceTable, path: "source")
        guard (t.string("kind") ?? SourceConfig.files.kind) == SourceConfig.files.kind else { return FilesSettings().folder }
        return FilesSettings.read(&t).folder
    }

    private mutating func readFeeds(_ table: ConfigTable, reviewFolder: String) -> FeedSettings {
        var t = table
        defer { finish(&t) }
        var settings = FeedSettings()
        if let output = t.string("output") {
            // The folder's real components: "./reviews/" is reviews/, "." and "./" the site
            // itself. The build writes there and removes its own stale genre feeds, so it may
            // be neither the site folder nor one of its own (the reviews folder, .syndicate/).
            let parts = output.split(separator: "/").filter { $0 != "." }
            let folder = reviewFolder.split(separator: "/")
            if output.isEmpty || output.hasPrefix("/") || parts.contains("..") {
                t.report("output", "must be a folder inside the site, like \"feeds\"")
            } else if parts.isEmpty || parts.first == ".syndicate" || parts.starts(with: folder) {
                t.report("output", "\"\(output)\" is the site folder, \(reviewFolder)/ or .syndicate/ (or inside them): use a folder of its own, like \"feeds\"")
            } else {
                settings.output = output
            }
        }
        if let items = t.int("items", range: 1...1_000_000) { settings.items = items }
        if let full = t.bool("full_content") { settings.fullContent = full }
        if let byGenre = t.bool("by_genre") { settings.byGenre = byGenre }
        if let hub = published(t.httpURL("hub", allowEmpty: true), &t, "hub") { settings.hub = hub }
        if let publicURL = published(t.httpURL("public_url", allowEmpty: true), &t, "public_url") {
            settings.publicURL = publicURL.isEmpty || publicURL.hasSuffix("/") ? publicURL : publicURL + "/"
        }
        return settings
    }

    private mutating func readPost(_ table: ConfigTable, timeZone: TimeZone) -> PostSettings {
        var t = table
        defer { finish(&t) }
        var settings = PostSettings()
        switch t.value("since") {
        case nil: break
        case .date(let year, let month, let day)?:
            settings.since = SiteDate.parse(String(format: "%04d-%02d-%02d", year, month, day), timeZone: timeZone)
        case .string(let text)? where SiteDate.parse(text, timeZone: timeZone) != nil:
            settings.since = SiteDate.parse(text, timeZone: timeZone)
        default:
            t.report("since", "expected a date like \"2025-01-01\"")
        }
        if let attempts = t.int("max_attempts", range: 1...1000) { settings.maxAttempts = attempts }
        // The bounds (README, docs/SPEC.md §3): a request or program outliving an hour is hung,
        // and a retry is never put off for more than 30 days.
        if let base = t.duration("backoff_base", longest: "30d") { settings.backoffBase = base }
        if let max = t.duration("backoff_max", longest: "30d") { settings.backoffMax = max }
        if let timeout = t.duration("timeout", longest: "1h") { settings.timeout = timeout }
        if let concurrency = t.int("concurrency", range: 1...256) { settings.concurrency = concurrency }
        // `post --watch` reads the source this often: at least a second (a tighter loop only
        // rereads an unchanged source), at most a day (a watcher that never looks is no watcher).
        if let interval = t.duration("interval", longest: "1d") {
            if interval < 1, case .string(let text)? = t.values["interval"]?.value {
                t.report("interval", "\"\(text)\" is out of range: at least 1s")
            } else {
                settings.interval = interval
            }
        }
        if settings.backoffMax < settings.backoffBase {
            t.report("backoff_max", "must not be shorter than backoff_base")
        }
        return settings
    }

    private mutating func readImages(_ table: ConfigTable) -> ImageSettings {
        var t = table
        defer { finish(&t) }
        var settings = ImageSettings()
        if let cards = t.bool("cards") { settings.cards = cards }
        return settings
    }

    /// `[source]`, or the files source when there is none; its kind's check reads the rest.
    private mutating func readSource(_ table: ConfigTable?) -> SourceConfig {
        var source = SourceConfig.files
        if var t = table {
            source = SourceConfig(kind: t.string("kind") ?? SourceConfig.files.kind, table: t)
        }
        sourceCheck?(&source)
        diagnostics += source.table.problems
        return source
    }

    private mutating func readDestinations(_ root: TOMLTable) -> [DestinationConfig] {
        guard let value = root["destination"] else { return [] }
        guard let array = value.array else {
            report("destination", "expected [[destination]] tables")
            return []
        }
        var result: [DestinationConfig] = []
        var seen: [String: Int] = [:]
        for index in 0..<array.count {
            guard let t = array[index].table else {
                report("destination", "expected [[destination]] tables")
                continue
            }
            guard var destination = readDestination(table(t, path: "destination[\(index)]")) else { continue }
            if let first = seen[destination.name] {
                destination.table.report("name", "duplicate destination name \"\(destination.name)\" (first used at line \(first))")
                diagnostics += destination.table.problems.suffix(1)
                continue
            }
            seen[destination.name] = destination.line
            result.append(destination)
        }
        return result
    }

    private mutating func readDestination(_ table: ConfigTable) -> DestinationConfig? {
        var t = table
        let name = t.string("name", required: true)
        if let name {
            guard DestinationConfig.isValidName(name) else {
                t.report("name", "\"\(name)\" must be letters, digits, \"-\" or \"_\" (it names the credentials table and SYNDICATE_<NAME>_<KEY> variables)")
                diagnostics += t.problems
                return nil
            }
            guard !DestinationConfig.reservedNames.contains(name) else {
                t.report("name", "\"\(name)\" is reserved: choose another name (reserved: \(DestinationConfig.reservedNames.sorted().joined(separator: ", ")))")
                diagnostics += t.problems
                return nil
            }
            t.name = "destination.\(name)"
        }
        let kind = t.string("kind", required: true)
        guard let name, let kind else {
            diagnostics += t.problems
            return nil
        }
        let enabled = t.bool("enabled") ?? true
        let template = t.string("template")
        var destination = DestinationConfig(name: name, kind: kind, enabled: enabled, template: template, table: t)
        check?(&destination)
        diagnostics += destination.table.problems
        return destination
    }

    /// `[ledger]`: a PostgreSQL URL and a site id. The password is never taken from here
    /// (this file is not secret): a URL that carries one is an error.
    private mutating func readLedger(_ table: ConfigTable) -> LedgerSettings {
        var t = table
        defer { finish(&t) }
        var settings = LedgerSettings()
        if let url = t.string("url"), !url.isEmpty {
            let parsed = URLComponents(string: url)
            if parsed == nil || !["postgresql", "postgres"].contains(parsed?.scheme ?? "") {
                t.report("url", "expected a postgresql://USER@HOST:PORT/DB URL")
            } else if parsed?.password != nil || url.range(of: "password=", options: .caseInsensitive) != nil {
                t.report("url", "must not contain a password: put it in credentials ([ledger] password) or SYNDICATE_LEDGER_PASSWORD")
            } else {
                settings.url = url
            }
        }
        // At least 2s: the lease is renewed every third of it, and a renewal is a round trip.
        if let lease = t.duration("lease", longest: "10m") {
            if lease < 2, case .string(let text)? = t.values["lease"]?.value {
                t.report("lease", "\"\(text)\" is out of range: at least 2s")
            } else {
                settings.lease = lease
            }
        }
        if let id = t.string("site_id") {
            if id.isEmpty { t.report("site_id", "must not be empty") } else { settings.siteID = id }
        }
        return settings
    }

    // MARK: Helpers

    /// A URL that every feed publishes (the site's, the hub's, the feeds'), refused when it
    /// carries a user name or password, which would be published with it.
    private func published(_ url: String?, _ table: inout ConfigTable, _ key: String) -> String? {
        guard let url, let parsed = URL(string: url), parsed.user != nil || parsed.password != nil else { return url }
        table.report(key, "must not contain a user name or password (it would be published in every feed)")
        return nil
    }

    /// Adds a table's problems once every key it takes has been read, unknown keys included.
    private mutating func finish(_ table: inout ConfigTable) {
        table.rejectUnknown()
        diagnostics += table.problems
    }

    private mutating func report(_ key: String, _ message: String) {
        diagnostics.append(Diagnostic(file: ConfigLoader.fileName, line: lines.line(table: "", key: key), key: key, message: message))
    }

    /// A TOML table as a `ConfigTable`: each value reduced to a `ConfigValue` with its line.
    private func table(_ toml: TOMLTable, path: String) -> ConfigTable {
        var values: [String: ConfigValue] = [:]
        for key in toml.keys {
            guard let value = toml[key] else { continue }
            values[key] = ConfigValue(Self.value(value), line: lines.line(table: path, key: key))
        }
        return ConfigTable(name: path, line: lines.line(table: path), values: values)
    }

    private static func value(_ toml: any TOMLValueConvertible) -> ConfigValue.Value {
        if let string = toml.string { return .string(string) }
        if let int = toml.int { return .integer(int) }
        if let double = toml.double { return .float(double) }
        if let bool = toml.bool { return .boolean(bool) }
        if let date = toml.date { return .date(year: date.year, month: date.month, day: date.day) }
        if let array = toml.array { return .array((0..<array.count).map { value(array[$0]) }) }
        return .other(type: toml.type.description)
    }
}

extension ConfigLoader {
    /// `https://example.org/` → `https://example.org`.
    public static func withoutTrailingSlash(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
