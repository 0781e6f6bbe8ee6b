import Foundation

/// What posting needs to know of every review, without parsing ten thousand files on each
/// cron run: kept in `.syndicate/cache/reviews.tsv` while the site's fingerprint holds.
public struct IndexedReview: Sendable, Equatable {
    public var source: String
    public var slug: String
    public var date: Date
    public var draft: Bool
    public var skip: [String]
    public var contentHash: String

    public init(_ review: Review) {
        source = review.source
        slug = review.slug
        date = review.date
        draft = review.draft
        skip = review.syndication.skip
        contentHash = review.contentHash
    }

    init(source: String, slug: String, date: Date, draft: Bool, skip: [String], contentHash: String) {
        self.source = source
        self.slug = slug
        self.date = date
        self.draft = draft
        self.skip = skip
        self.contentHash = contentHash
    }

    public func isPublished(at now: Date) -> Bool { !draft && date <= now }
}

/// What posting knows of a site's reviews: the index of every one, and each whole review on
/// demand (`review(_:)`).
public struct ReviewIndex: Sendable {
    public var reviews: [IndexedReview]
    /// Problems of the last full load (only when it was not answered from the cache).
    public var diagnostics: [Diagnostic]
    public var fromCache: Bool
    /// The site, and how its review files are read.
    private var directory: URL
    private var loader: ReviewLoader
    /// The whole reviews, by source file, when this index was made by loading them (not
    /// from the cache): whoever needs a review next need not read its file again.
    private var loaded: [String: Review] = [:]

    /// The whole review behind an indexed one: as loaded with the index, or read from its
    /// file again now, so that an edit since the index was cached wins (a draft again, a
    /// later date, a new skip). A failure lists the review's problems.
    public func review(_ indexed: IndexedReview) -> Result<Review, ReviewProblems> {
        if let review = loaded[indexed.source] { return .success(review) }
        return loader.load(indexed.source, in: directory)
    }

    /// The index of a site, from the cache when it is still valid, else by loading every review
    /// (and refreshing the cache).
    public static func load(site directory: URL, config: SiteConfig, configData: Data) -> ReviewIndex {
        let fingerprint = SiteFingerprint.compute(siteDirectory: directory, configData: configData, purpose: "review-index-1")
        let cacheURL = directory.appendingPathComponent(".syndicate/cache/reviews.tsv")
        let loader = ReviewLoader(config: config)
        if let cached = read(cacheURL, fingerprint: fingerprint) {
            return ReviewIndex(reviews: cached, diagnostics: [], fromCache: true, directory: directory, loader: loader)
        }
        // Posting commands refuse a missing reviews folder when they open the site
        // (`PostingSession.open`); one gone since then is an index with nothing in it.
        let (reviews, diagnostics) = (try? loader.loadAll(in: directory)) ?? ([], [])
        let indexed = reviews.map(IndexedReview.init)
        write(indexed, to: cacheURL, fingerprint: fingerprint)
        return ReviewIndex(reviews: indexed, diagnostics: diagnostics, fromCache: false, directory: directory, loader: loader,
                           loaded: Dictionary(reviews.map { ($0.source, $0) }, uniquingKeysWith: { first, _ in first }))
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
                guard fields.count == 6, let epoch = Double(String(decoding: fields[2], as: UTF8.self)) else { return nil }
                let skip = fields[4].isEmpty ? [] : fields[4].split(separator: UInt8(ascii: ",")).map { String(decoding: $0, as: UTF8.self) }
                reviews.append(IndexedReview(source: String(decoding: fields[0], as: UTF8.self), slug: String(decoding: fields[1], as: UTF8.self),
                                             date: Date(timeIntervalSince1970: epoch), draft: fields[3].first == UInt8(ascii: "1"),
                                             skip: skip, contentHash: String(decoding: fields[5], as: UTF8.self)))
            }
            return reviews
        }
    }

    private static func write(_ reviews: [IndexedReview], to url: URL, fingerprint: String) {
        // Tabs and newlines cannot occur in slugs or file names Syndicate accepts; a skip
        // entry with one would only make the cache unreadable, which means a full load.
        var text = "fingerprint\t\(fingerprint)\n"
        for review in reviews {
            text += "\(review.source)\t\(review.slug)\t\(review.date.timeIntervalSince1970)\t\(review.draft ? 1 : 0)\t"
                + "\(review.skip.joined(separator: ","))\t\(review.contentHash)\n"
        }
        CacheFile.write(Data(text.utf8), to: url)
    }
}
