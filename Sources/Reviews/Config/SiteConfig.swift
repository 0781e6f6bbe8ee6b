import Foundation

/// Everything `syndicate.toml` says, validated. Holds no secrets: those live in `credentials`.
public struct SiteConfig: Sendable, Equatable {
    public var site: SiteSettings
    public var feeds: FeedSettings
    public var post: PostSettings
    public var destinations: [DestinationConfig]

    public init(site: SiteSettings, feeds: FeedSettings = .init(), post: PostSettings = .init(),
                destinations: [DestinationConfig] = []) {
        self.site = site
        self.feeds = feeds
        self.post = post
        self.destinations = destinations
    }
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
    /// Path pattern with `{slug}`, e.g. `/reviews/{slug}/`.
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

    /// The absolute permalink of the review with this slug.
    public func permalink(forSlug slug: String) -> String {
        // A byte scan rather than Foundation's replacingOccurrences or the generic
        // `firstRange(of:)`: composing posts and building feeds make every review's permalink.
        var result = url
        let bytes = permalink.utf8
        var copied = bytes.startIndex, index = copied
        while index != bytes.endIndex {
            if bytes[index] == UInt8(ascii: "{"), bytes[index...].starts(with: "{slug}".utf8) {
                result += Substring(bytes[copied..<index])
                result += slug
                index = bytes.index(index, offsetBy: 6)
                copied = index
            } else {
                bytes.formIndex(after: &index)
            }
        }
        return result + Substring(bytes[copied...])
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

/// `[post]`
public struct PostSettings: Sendable, Equatable {
    /// Reviews published before this are never posted automatically.
    public var since: Date?
    public var maxAttempts: Int = 8
    public var backoffBase: Double = 30
    public var backoffMax: Double = 6 * 3600
    public var timeout: Double = 30
    public var concurrency: Int = 8

    public init() {}
}

/// The kinds of destination SPEC §3 knows.
public enum DestinationKind: String, Sendable, CaseIterable, Equatable {
    case mastodon, bluesky, x, letterboxd, linkhub, micropub, webhook, command

    /// The public service a kind talks to unless `base_url` says otherwise; nil for kinds
    /// that take their own URL (micropub, webhook) or none (command).
    public var defaultBaseURL: String? {
        switch self {
        case .mastodon: return nil // an instance must be named
        case .bluesky: return "https://bsky.social"
        case .x: return "https://api.x.com"
        case .letterboxd: return "https://api.letterboxd.com/api/v0"
        case .linkhub: return nil
        case .micropub, .webhook, .command: return nil
        }
    }

    /// Whether the kind reads `base_url` at all.
    public var takesBaseURL: Bool {
        switch self {
        case .micropub, .webhook, .command: return false
        default: return true
        }
    }

    /// Keys of `credentials` this kind requires (SPEC §8).
    public var credentialKeys: [String] {
        switch self {
        case .mastodon: return ["access_token"]
        case .bluesky: return ["identifier", "app_password"]
        case .x: return ["consumer_key", "consumer_secret", "access_token", "access_token_secret"]
        case .letterboxd: return ["username", "password", "client_id", "client_secret"]
        case .linkhub: return ["token"]
        case .micropub: return ["token"]
        case .webhook: return ["url"]
        case .command: return []
        }
    }
}

/// One `[[destination]]` table.
public struct DestinationConfig: Sendable, Equatable {
    public var name: String
    public var kind: DestinationKind
    /// Resolved: the table's `base_url`, else the kind's public default; nil for kinds without one.
    public var baseURL: String?
    public var enabled: Bool
    /// A Mustache template overriding the kind's default.
    public var template: String?
    /// Kind-specific settings, already validated (e.g. `visibility`, `keep`, `format`, `run`).
    public var options: [String: OptionValue]
    /// The line of the table header in `syndicate.toml`.
    public var line: Int

    public init(name: String, kind: DestinationKind, baseURL: String? = nil, enabled: Bool = true,
                template: String? = nil, options: [String: OptionValue] = [:], line: Int = 0) {
        self.name = name
        self.kind = kind
        self.baseURL = baseURL
        self.enabled = enabled
        self.template = template
        self.options = options
        self.line = line
    }

    /// Names become credentials tables and environment variable names: ASCII letters,
    /// digits, `-` and `_` only.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }

    /// A kind-specific option's value.
    public enum OptionValue: Sendable, Equatable {
        case string(String)
        case int(Int)
        case strings([String])

        public var string: String? { if case .string(let s) = self { return s } else { return nil } }
        public var int: Int? { if case .int(let i) = self { return i } else { return nil } }
        public var strings: [String]? { if case .strings(let a) = self { return a } else { return nil } }
    }
}

extension TimeZone {
    /// The zone of an IANA name, with UTC and its aliases answered as the fixed zero offset:
    /// the same instants, and no time-zone database to load (a few milliseconds of every
    /// command's start).
    public static func site(named name: String) -> TimeZone? {
        switch name {
        case "UTC", "Etc/UTC", "GMT", "Etc/GMT", "Zulu", "Etc/Zulu", "Universal", "Etc/Universal": return .gmt
        default: return TimeZone(identifier: name)
        }
    }
}
