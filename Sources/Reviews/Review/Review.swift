import Foundation

/// One review, as its front matter and file describe it. The Markdown body is not kept:
/// a site of ten thousand reviews would hold it all in memory for nothing, so the feeds read
/// it again from `source` when they render it (see `ReviewFile`).
public struct Review: Sendable, Equatable {
    /// The file, relative to the site folder (`reviews/2025-03-11-last-take.md`).
    public var source: String
    public var title: String
    public var date: Date
    public var slug: String
    public var draft: Bool = false
    public var updated: Date?
    public var headline: String?
    public var kind: String = "movie"
    public var genres: [String] = []
    public var year: Int?
    public var runtimeMinutes: Int?
    public var directors: [String] = []
    public var whereToWatch: String?
    /// 0.5 to 5 in steps of 0.5; nil when unrated.
    public var rating: Double?
    public var verdict: String?
    /// The explicit `summary`, else the body's first paragraph as plain text.
    public var summary: String
    /// As written; `Site.absoluteURL(_:)` makes it absolute.
    public var image: String?
    public var imageAlt: String?
    public var imageCredit: String?
    public var spoilers: Bool = false
    public var tags: [String] = []
    public var ids = FilmIDs()
    public var syndication = SyndicationOverrides()
    /// A digest of the file's bytes, to tell when a posted review was edited since.
    public var contentHash: String = ""

    public init(source: String, title: String, date: Date, slug: String, summary: String = "") {
        self.source = source
        self.title = title
        self.date = date
        self.slug = slug
        self.summary = summary
    }

    /// The date of the last substantive edit, or the publication date.
    public var lastModified: Date { max(updated ?? date, date) }

    /// Not a draft and not dated in the future.
    public func isPublished(at now: Date) -> Bool { !draft && date <= now }
}

/// `ids`: how to find the film on other services.
public struct FilmIDs: Sendable, Equatable {
    public var tmdb: Int?
    public var imdb: String?
    public var letterboxd: String?
    public init(tmdb: Int? = nil, imdb: String? = nil, letterboxd: String? = nil) {
        self.tmdb = tmdb
        self.imdb = imdb
        self.letterboxd = letterboxd
    }
}

/// `syndicate`: per-review overrides.
public struct SyndicationOverrides: Sendable, Equatable {
    /// Destination names this review is never posted to.
    public var skip: [String] = []
    /// Destination name → the exact text to post there instead of the template's.
    public var text: [String: String] = [:]
    public init(skip: [String] = [], text: [String: String] = [:]) {
        self.skip = skip
        self.text = text
    }
}
