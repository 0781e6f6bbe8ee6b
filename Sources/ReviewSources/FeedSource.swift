import Foundation
import Reviews

/// `kind = "feed"`: any site's RSS 2.0, Atom 1.0 or JSON Feed as the source (docs/SPEC.md §9
/// "feed"). The feed is read once per run (`FeedReader`: a conditional GET, the last good copy
/// in `.syndicate/cache/source/feed.json`, older pages for a `post.since` backfill), and each
/// item becomes a `Review` through the mapping every remote source shares (`RemoteItem.review`).
public struct FeedSource: SourceKind {
    public struct Options: Sendable {
        /// The feed's URL.
        public var url = ""
        /// Keep only items with one of these categories, tags or genres; empty keeps all.
        public var only: [String] = []
    }

    public static let kindName = "feed"

    public static func options(_ table: inout ConfigTable) -> Options {
        var options = Options()
        if let url = table.httpURL("url", required: true) {
            // Every message about the feed names its URL, and messages end up in logs.
            if let parsed = URL(string: url), parsed.user != nil || parsed.password != nil {
                table.report("url", "must not contain a user name or password (every message about the feed shows its URL)")
            } else {
                options.url = url
            }
        }
        options.only = RemoteItem.onlyNames(&table)
        return options
    }

    private let context: SourceContext
    private let options: Options

    public init(_ context: SourceContext, options: Options) {
        self.context = context
        self.options = options
    }

    /// - Throws: `Diagnostics` naming the URL when the feed cannot be read and there is no
    ///   last good copy.
    public func read() async throws -> SourceReading {
        let reader = FeedReader(url: options.url, http: context.http,
                                cacheFile: context.cacheDirectory.appendingPathComponent("feed.json"),
                                now: context.clock(), since: context.config.post.since, timeout: context.config.post.timeout)
        let read = try await reader.read()
        var reviews: [Review] = []
        var diagnostics = read.problems
        for item in read.items {
            switch item.review(site: context.config, only: options.only, firstSeen: item.published) {
            case .review(let review): reviews.append(review)
            case .excluded: break
            case .problem(let diagnostic): diagnostics.append(diagnostic)
            }
        }
        reviews.sort { ($0.date, $1.slug) > ($1.date, $0.slug) }
        return SourceReading(reviews: reviews, diagnostics: diagnostics, fallback: read.fallback)
    }
}
