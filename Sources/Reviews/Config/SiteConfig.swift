import Foundation

/// Everything `syndicate.toml` says, validated. Holds no secrets: those live in `credentials`.
public struct SiteConfig: Sendable, Equatable {
    public var site: SiteSettings
    public var feeds: FeedSettings
    public var post: PostSettings
    public var destinations: [DestinationConfig]
    /// `[source]`; the files source when the table is absent.
    public var source: SourceConfig
    /// `[images]`; cards on when the table is absent.
    public var images = ImageSettings()
    /// `[ledger]`: where the delivery ledger lives (docs/SPEC.md §11); the SQLite file when absent.
    public var ledger = LedgerSettings()

    public init(site: SiteSettings, feeds: FeedSettings = .init(), post: PostSettings = .init(),
                destinations: [DestinationConfig] = [], source: SourceConfig = .files) {
        self.site = site
        self.feeds = feeds
        self.post = post
        self.destinations = destinations
        self.source = source
    }
}

/// `[source]`: where the reviews come from (docs/SPEC.md §9).
///
/// This target knows no source kind, as it knows no destination kind: the ReviewSources
/// target's registry checks `kind` and reads the kind's own keys from `table`.
public struct SourceConfig: Sendable, Equatable {
    /// The kind as written (`files`, `wordpress`, `feed`).
    public var kind: String
    /// The whole table with its lines, `kind` already read.
    public var table: ConfigTable

    public init(kind: String, table: ConfigTable) {
        self.kind = kind
        self.table = table
    }

    /// No `[source]` table: the reviews are Markdown files in `reviews/`.
    public static let files = SourceConfig(kind: "files", table: ConfigTable(name: "source", line: 1, values: [:]))
}

/// `[site]`
public struct SiteSettings: Sendable, Equatable {
    public var title: String
    /// The site's home, without a trailing slash.
    public var url: String
    public var description: String
    public var author: String
    public var language: String
    public var timeZone: TimeZone
    /// Path pattern with placeholders (`PermalinkPattern`), e.g. `/reviews/{slug}/`.
    public var permalink: String

    public init(title: String, url: String, description: String = "", author: String = "",
                language: String = "en", timeZone: TimeZone = .gmt,
                permalink: String = "/reviews/{slug}/") {
        self.title = title
        self.url = url
        self.description = description
        self.author = author
        self.language = language
        self.timeZone = timeZone
        self.permalink = permalink
    }

    /// The absolute permalink of the review with this slug and publication date.
    public func permalink(slug: String, date: Date) -> String {
        url + PermalinkPattern.expand(permalink, slug: slug, date: date, timeZone: timeZone)
    }
}

/// `[feeds]`
public struct FeedSettings: Sendable, Equatable {
    /// Output folder, relative to the site.
    public var output: String = "feeds"
    /// Newest N reviews in each feed.
    public var items: Int = 50
    public var fullContent: Bool = true
    public var byGenre: Bool = true
    /// WebSub hub URL, empty when none.
    public var hub: String = ""
    /// Where the output folder is served, with a trailing slash; empty means `site.url + "/feeds/"`.
    public var publicURL: String = ""

    public init() {}
}

/// `[images]` (docs/SPEC.md §10)
public struct ImageSettings: Sendable, Equatable {
    /// Whether `build` writes a 1080×1350 card per published review with an image.
    public var cards: Bool = true

    public init() {}
}

/// `[post]`
public struct PostSettings: Sendable, Equatable {
    /// Reviews published before this are never posted automatically.
    public var since: Date?
    public var maxAttempts: Int = 8
    public var backoffBase: Double = 30
    public var backoffMax: Double = 6 * 3600
    public var timeout: Double = 30
    public var concurrency: Int = 8
    /// How often `post --watch` reads the reviews again (seconds; docs/SPEC.md §11).
    public var interval: Double = 300

    public init() {}
}

/// `[ledger]` (docs/SPEC.md §11). Holds no password: that lives in `credentials`.
public struct LedgerSettings: Sendable, Equatable {
    /// `postgresql://USER@HOST:PORT/DB`, or nil for `.syndicate/ledger.sqlite`.
    public var url: String?
    /// The key of this site's rows in a shared database; nil for `site.url`.
    public var siteID: String?
    /// Seconds a worker's claim on a destination outlives its last renewal: how long a
    /// crashed worker's delivery stays `sending` before another worker settles it.
    public var lease: Double = 30

    public init(url: String? = nil, siteID: String? = nil) {
        self.url = url
        self.siteID = siteID
    }
}

/// One `[[destination]]` table: what every destination has, and the rest as written.
///
/// This target knows no kind: the Destinations target's registry checks `kind` and reads
/// the kind's own keys (`base_url`, `visibility`, `run`, …) from `table`.
public struct DestinationConfig: Sendable, Equatable {
    /// Unique; names the credentials table and the `SYNDICATE_<NAME>_<KEY>` variables.
    public var name: String
    /// The kind as written (`mastodon`, `webhook`, …).
    public var kind: String
    public var enabled: Bool
    /// A Mustache template overriding the kind's default.
    public var template: String?
    /// The whole table with its lines, the common keys above already read.
    public var table: ConfigTable

    public init(name: String, kind: String, enabled: Bool, template: String?, table: ConfigTable) {
        self.name = name
        self.kind = kind
        self.enabled = enabled
        self.template = template
        self.table = table
    }

    /// The line of the table header in `syndicate.toml`.
    public var line: Int { table.line }

    /// Names no destination may take (docs/SPEC.md §3): the ledger keeps WebSub pings under `websub`.
    public static let reservedNames: Set<String> = ["websub", "ledger"]

    /// Names become credentials tables and environment variable names: ASCII letters,
    /// digits, `-` and `_` only.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }
}

/// `site.permalink`'s placeholders: `{slug}`, and `{year}`, `{month}`, `{day}` of the
/// publication date in `site.timezone` (docs/SPEC.md §3).
public enum PermalinkPattern {
    public static let placeholders = ["slug", "year", "month", "day"]

    /// What is wrong with a pattern, or nil when it is usable.
    public static func problem(_ pattern: String) -> String? {
        guard pattern.hasPrefix("/") else { return "\"\(pattern)\" must start with \"/\", like \"/reviews/{slug}/\"" }
        var found = false
        var rest = Substring(pattern)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else {
                return "\"\(pattern)\" has a \"{\" with no \"}\" (placeholders: {slug} {year} {month} {day})"
            }
            let name = rest[rest.index(after: open)..<close]
            guard placeholders.contains(String(name)) else {
                return "unknown placeholder {\(name)} (known: {slug} {year} {month} {day})"
            }
            found = true
            rest = rest[rest.index(after: close)...]
        }
        if !found { return "\"\(pattern)\" has no placeholder, so every review would have this one URL: add {slug}, like \"/reviews/{slug}/\"" }
        return nil
    }

    /// The path of one review.
    public static func expand(_ pattern: String, slug: String, date: Date, timeZone: TimeZone) -> String {
        // Literal: a `{slug}` next to a combining mark is still replaced.
        var path = pattern.replacingOccurrences(of: "{slug}", with: slug, options: .literal)
        guard path.utf8.contains(UInt8(ascii: "{")) else { return path }
        let (year, month, day) = SiteDate.civil(date, timeZone: timeZone)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        path = path.replacingOccurrences(of: "{year}", with: String(year), options: .literal)
            .replacingOccurrences(of: "{month}", with: two(month), options: .literal)
            .replacingOccurrences(of: "{day}", with: two(day), options: .literal)
        return path
    }
}
