import Foundation

/// One review, as its source describes it (docs/SPEC.md §2, §9).
///
/// A files review does not keep its Markdown body: a site of ten thousand reviews would hold
/// it all in memory for nothing, so the feeds read it again from `source` when they render it
/// (see `ReviewFile`). A remote review carries its body as sanitised HTML (`html`).
public struct Review: Sendable, Equatable {
    /// Where the review was read: the file, relative to the site folder
    /// (`reviews/2025-03-11-last-take.md`), or the item's URL for a remote source.
    public var source: String
    /// The stable identity the ledger keys deliveries on (docs/SPEC.md §9): the slug for
    /// files (which keeps ledgers from before sources working), the post id for WordPress, the
    /// guid for a feed. It never changes when the review is edited or its permalink moves.
    public var id: String
    /// The review's own absolute permalink, when its source gives one (a remote item's link,
    /// a file's `permalink` or `url`); nil: `site.permalink` applies.
    public var permalink: String?
    /// The body as sanitised HTML with absolute links, for remote sources; nil for files,
    /// whose Markdown is read again from `source`.
    public var html: String?
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
        self.id = slug
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
