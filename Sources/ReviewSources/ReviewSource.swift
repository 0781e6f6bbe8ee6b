import Foundation
import HTTP
import Reviews

/// Where a site's reviews come from (`[source]`, docs/SPEC.md §9). Every command reads its
/// reviews through one, so a folder of Markdown, a WordPress blog and a feed all give the same
/// `Review` values, with the same facts and the same guarantees.
public protocol ReviewSource: Sendable {
    /// Reads every review. A command calls it at most once per run and keeps the result (a
    /// remote source is read once per run, docs/SPEC.md §9).
    ///
    /// A bad item never throws: it is a diagnostic, and every other item is still read.
    /// - Throws: `Diagnostics` when there is nothing to read from at all: a missing folder,
    ///   or a remote source that cannot be read and has no last good copy.
    func read() async throws -> SourceReading
}

/// What one read of a source gave.
public struct SourceReading: Sendable {
    /// Every valid review, drafts and future ones included, newest first (ties by slug).
    public var reviews: [Review]
    /// One per problem, in source order (`reviews/x.md:3: date: …`, or the item's URL).
    public var diagnostics: [Diagnostic]
    /// Why a remote source could not be read, when its last good copy stood in for it: the
    /// command says so and exits 1. Nil when the read succeeded.
    public var fallback: String?

    public init(reviews: [Review], diagnostics: [Diagnostic] = [], fallback: String? = nil) {
        self.reviews = reviews
        self.diagnostics = diagnostics
        self.fallback = fallback
    }
}

/// A kind of source (`kind = "wordpress"` in `[source]`). A kind is one file, like a
/// destination kind: it names itself, reads its own keys, and is listed in `SourceKinds.all`.
public protocol SourceKind: ReviewSource {
    /// The kind's settings, read from `[source]`.
    associatedtype Options: Sendable

    /// The `kind` value in `[source]`.
    static var kindName: String { get }
    /// Reads and checks the kind's own keys (every key but `kind`), with a default for each
    /// optional one, through the table's typed getters. It runs for every command that loads
    /// the config, so it must not touch the network or the disk.
    static func options(_ table: inout ConfigTable) -> Options
    /// The source of one site, whose config has been checked.
    init(_ context: SourceContext, options: Options)
}

/// What every source is built from.
public struct SourceContext: Sendable {
    public var siteDirectory: URL
    public var config: SiteConfig
    /// For remote sources; a files source never uses it.
    public var http: any HTTPClient
    public var clock: @Sendable () -> Date

    public init(siteDirectory: URL, config: SiteConfig, http: any HTTPClient, clock: @escaping @Sendable () -> Date) {
        self.siteDirectory = siteDirectory
        self.config = config
        self.http = http
        self.clock = clock
    }

    /// `.syndicate/cache/source/`: where a remote source keeps its last good copy (through
    /// `CacheFile`), which may be deleted at any time.
    public var cacheDirectory: URL {
        siteDirectory.appendingPathComponent(".syndicate/cache/source", isDirectory: true)
    }
}
