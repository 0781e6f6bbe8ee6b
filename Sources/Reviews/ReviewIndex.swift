import Foundation

/// What posting needs to know of every review, without parsing ten thousand files on each
/// cron run: kept in `.syndicate/cache/reviews.tsv` (files source) while the site's
/// fingerprint holds.
public struct IndexedReview: Sendable, Equatable {
    /// The identity the ledger keys deliveries on (`Review.id`).
    public var id: String
    public var source: String
    public var slug: String
    public var date: Date
    public var draft: Bool
    public var skip: [String]
    public var contentHash: String

    public init(_ review: Review) {
        id = review.id
        source = review.source
        slug = review.slug
        date = review.date
        draft = review.draft
        skip = review.syndication.skip
        contentHash = review.contentHash
    }

    init(id: String, source: String, slug: String, date: Date, draft: Bool, skip: [String], contentHash: String) {
        self.id = id
        self.source = source
        self.slug = slug
        self.date = date
        self.draft = draft
        self.skip = skip
        self.contentHash = contentHash
    }

    public func isPublished(at now: Date) -> Bool { !draft && date <= now }
}

/// What posting knows of a site's reviews, as one read of its source gave them: the index of
/// every one, and each whole review on demand (`review(_:)`).
public struct ReviewIndex: Sendable {
    public var reviews: [IndexedReview]
    /// Problems of the read (none when it was answered from the cache, which holds only while
    /// no review file changed since the read that reported them).
    public var diagnostics: [Diagnostic]
    public var fromCache: Bool
    /// Why a remote source could not be read, when its last good copy stood in for it
    /// (`SourceReading.fallback`): the command says so and exits 1.
    public var fallback: String?
    /// Reads one review file again, for an index answered from the cache; nil when every
    /// review is in `loaded`.
    private var reread: (@Sendable (IndexedReview) -> Result<Review, ReviewProblems>)?
    /// The whole reviews, by identity, when this index was made by reading the source (not
    /// from the cache): whoever needs a review next need not read it again.
    private var loaded: [String: Review] = [:]

    /// The index of what one read of a source gave: every review whole, nothing read again.
    public init(reading reviews: [Review], diagnostics: [Diagnostic] = [], fallback: String? = nil) {
        self.reviews = reviews.map(IndexedReview.init)
        self.diagnostics = diagnostics
        self.fromCache = false
        self.fallback = fallback
        self.loaded = Dictionary(reviews.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private init(cached reviews: [IndexedReview], reread: @escaping @Sendable (IndexedReview) -> Result<Review, ReviewProblems>) {
        self.reviews = reviews
        self.diagnostics = []
        self.fromCache = true
        self.reread = reread
    }

    /// The whole review behind an indexed one: as read with the index, or (an index from the
    /// cache) read from its file again now, so that an edit since the index was cached wins
    /// (a draft again, a later date, a new skip). A failure lists the review's problems.
    public func review(_ indexed: IndexedReview) -> Result<Review, ReviewProblems> {
        if let review = loaded[indexed.id] { return .success(review) }
        guard let reread else {
            return .failure(ReviewProblems([Diagnostic(file: indexed.source, line: 1, key: "review", message: "not in this read of the source")]))
        }
        return reread(indexed)
    }

    /// The index of a site whose reviews are files: from the cache when it is still valid,
    /// else by reading them all through `read` (the files source), which refreshes the cache.
    /// - Throws: what `read` throws (`Diagnostics` for a missing folder).
    public static func load(site directory: URL, config: SiteConfig, configData: Data,
                            read: () async throws -> (reviews: [Review], diagnostics: [Diagnostic])) async throws -> ReviewIndex {
        let fingerprint = SiteFingerprint.compute(siteDirectory: directory, configData: configData, purpose: "review-index-2")
        let cacheURL = directory.appendingPathComponent(".syndicate/cache/reviews.tsv")
        let loader = ReviewLoader(config: config)
        if let cached = Self.read(cacheURL, fingerprint: fingerprint) {
            return ReviewIndex(cached: cached) { loader.load($0.source, in: directory) }
        }
        let (reviews, diagnostics) = try await read()
        // An empty site is not cached: it costs nothing to read, and a missing folder
        // fingerprints like an empty one, so only a read can tell them apart (and refuse it).
        if !(reviews.isEmpty && diagnostics.isEmpty) {
            write(reviews.map(IndexedReview.init), to: cacheURL, fingerprint: fingerprint)
        }
        return ReviewIndex(reading: reviews, diagnostics: diagnostics)
    }

    // The cache stays tab-separated lines rather than Codable JSON like the other caches: it
    // is the one large one (a row per review, 10,000 on a big site), read whole by every
    // `post` the idle marker does not answer, and a split on bytes keeps that read cheap.

    private static func read(_ url: URL, fingerprint: String) -> [IndexedReview]? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        // Split on bytes, not Characters: this runs on every cron tick.
        return data.withUnsafeBytes { raw -> [IndexedReview]? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)[...]
            guard let header = lines.first, String(decoding: header, as: UTF8.self) == "fingerprint\t" + fingerprint else { return nil }
            lines = lines.dropFirst()
            var reviews: [IndexedReview] = []
            reviews.reserveCapacity(lines.count)
            for line in lines {
                let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
                guard fields.count == 7, let epoch = Double(String(decoding: fields[3], as: UTF8.self)) else { return nil }
                let skip = fields[5].isEmpty ? [] : fields[5].split(separator: UInt8(ascii: ",")).map { String(decoding: $0, as: UTF8.self) }
                reviews.append(IndexedReview(id: String(decoding: fields[0], as: UTF8.self), source: String(decoding: fields[1], as: UTF8.self),
                                             slug: String(decoding: fields[2], as: UTF8.self),
                                             date: Date(timeIntervalSince1970: epoch), draft: fields[4].first == UInt8(ascii: "1"),
                                             skip: skip, contentHash: String(decoding: fields[6], as: UTF8.self)))
            }
            return reviews
        }
    }

    private static func write(_ reviews: [IndexedReview], to url: URL, fingerprint: String) {
        // Tabs and newlines cannot occur in slugs or file names Syndicate accepts; a skip
        // entry with one would only make the cache unreadable, which means a full load.
        var text = "fingerprint\t\(fingerprint)\n"
        for review in reviews {
            text += "\(review.id)\t\(review.source)\t\(review.slug)\t\(review.date.timeIntervalSince1970)\t\(review.draft ? 1 : 0)\t"
                + "\(review.skip.joined(separator: ","))\t\(review.contentHash)\n"
        }
        CacheFile.write(Data(text.utf8), to: url)
    }
}
