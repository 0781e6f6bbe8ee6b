import Foundation
import HTTP
import Posting
import PostgresLedger
import ReviewSources
import Reviews

/// Builds the adapters a site's config names, with their secrets, and everything a posting
/// command needs around them.
public struct PostingSession: Sendable {
    public var site: Site
    public var configData: Data
    public var credentials: Credentials
    public var destinations: [any Destination]
    /// Enabled destinations left out because a required credential is missing or malformed.
    public var problems: [String]
    public var ledger: any LedgerStore
    /// Where the ledger is; a shared (PostgreSQL) one lets several `post` run at once.
    public var ledgerLocation: LedgerLocation
    public var http: any HTTPClient
    public var clock: @Sendable () -> Date
    /// Where the reviews come from (`[source]`, docs/SPEC.md §9), read once per run through
    /// `readReviews()`. Tests may put another source in.
    public var source: any ReviewSource

    /// - Throws: `Diagnostics` for a config error, `CredentialsError` for an unsafe or
    ///   unreadable credentials file. The source is not read yet (`readReviews()`).
    public static func open(siteDirectory: URL, clock: @escaping @Sendable () -> Date, http: (any HTTPClient)? = nil) throws -> PostingSession {
        let configURL = siteDirectory.appendingPathComponent(ConfigLoader.fileName)
        let config = try DestinationKinds.loadConfig(siteDirectory: siteDirectory)
        let configData = FileManager.default.contents(atPath: configURL.path) ?? Data()
        let credentials = try Credentials.load(siteDirectory: siteDirectory, destinations: config.destinations)
        let ledgerLocation = try LedgerLocation(config: config, credentials: credentials)
        let http = http ?? CurlHTTPClient(userAgent: SyndicateVersion.userAgent(siteURL: config.site.url))
        let site = Site(directory: siteDirectory, config: config, reviews: [])
        var destinations: [any Destination] = []
        var problems: [String] = []
        for destination in config.destinations where destination.enabled {
            let wrong = DestinationKinds.credentialProblems(destination, in: credentials)
            if !wrong.isEmpty {
                problems += wrong
                continue
            }
            destinations.append(DestinationKinds.make(destination, site: site, credentials: credentials, http: http, clock: clock))
        }
        if !config.feeds.hub.isEmpty {
            destinations.append(WebSubDestination(hub: config.feeds.hub, feedsPublicURL: site.feedsPublicURL, http: http,
                                                  timeout: config.post.timeout, clock: clock))
        }
        let source = SourceKinds.make(SourceContext(siteDirectory: siteDirectory, config: config, http: http, clock: clock))
        return PostingSession(site: site, configData: configData, credentials: credentials, destinations: destinations,
                              problems: problems, ledger: try ledgerLocation.open(siteDirectory: siteDirectory),
                              ledgerLocation: ledgerLocation, http: http, clock: clock, source: source)
    }

    /// Whether the reviews are files of the site: only then can a fingerprint of the site
    /// folder tell that nothing changed (the index cache, the idle marker). A remote source
    /// can tell only by being read, so it is read on every run.
    public var readsFiles: Bool { source is FilesSource }

    /// Reads the site's reviews through its source (once per run: the caller keeps the
    /// result). The files source answers from its index cache while no file changed.
    /// - Throws: `SourceUnreadable` when the source has nothing to read from (a missing
    ///   folder; a remote source that cannot be read and has no last good copy).
    public func readReviews() async throws -> ReviewIndex {
        let source = self.source
        do {
            if readsFiles {
                return try await ReviewIndex.load(site: site.directory, config: site.config, configData: configData) {
                    let reading = try await source.read()
                    return (reading.reviews, reading.diagnostics)
                }
            }
            let reading = try await source.read()
            return ReviewIndex(reading: reading.reviews, diagnostics: reading.diagnostics, fallback: reading.fallback)
        } catch let diagnostics as Diagnostics {
            throw SourceUnreadable(diagnostics: diagnostics.items)
        }
    }

    /// Every review whole, as one read of the source gives them (`preview`).
    /// - Throws: `SourceUnreadable`, like `readReviews()`.
    public func readSite() async throws -> (site: Site, fallback: String?) {
        do {
            let reading = try await source.read()
            return (Site(directory: site.directory, config: site.config, reviews: reading.reviews, diagnostics: reading.diagnostics),
                    reading.fallback)
        } catch let diagnostics as Diagnostics {
            throw SourceUnreadable(diagnostics: diagnostics.items)
        }
    }

    /// An adapter for every configured destination, enabled or not and with or without its
    /// credentials: for `preview`, which composes and never sends.
    public func composers() -> [any Destination] {
        site.config.destinations.map { DestinationKinds.make($0, site: site, credentials: credentials, http: http, clock: clock) }
    }

    /// A poster over every enabled destination, with or without its credentials: for
    /// `post --dry-run`, which plans and never sends, so it shows what waits for them.
    public var planner: Poster {
        let enabled = site.config.destinations.filter(\.enabled)
            .map { DestinationKinds.make($0, site: site, credentials: credentials, http: http, clock: clock) }
        return Poster(siteDirectory: site.directory, config: site.config,
                      destinations: enabled + destinations.filter { $0.kind == WebSubKind.name }, ledger: ledger,
                      redactor: credentials.redactor, clock: clock)
    }

    public var poster: Poster {
        Poster(siteDirectory: site.directory, config: site.config, destinations: destinations, ledger: ledger,
               redactor: credentials.redactor, clock: clock)
    }

    /// The right to post now: on the SQLite ledger, the site's post lock (one `post` at a
    /// time, docs/SPEC.md §6); on a shared ledger always granted, since its claims keep the
    /// rules across any number of workers (§11). nil when another run holds the lock.
    public func postTurn() throws -> PostTurn? {
        guard !ledgerLocation.isShared else { return PostTurn(lock: nil) }
        return try PostLock(siteDirectory: site.directory).map { PostTurn(lock: $0) }
    }

    /// What the cron job's shortcut found.
    public enum IdleCheck: Sendable {
        /// The last run left nothing to do and nothing has changed since.
        case idle
        /// Something may be due; the fingerprint is kept so the run need not compute it again.
        case busy(fingerprint: String)
    }

    /// Answered before the session is even opened: the idle marker, a fingerprint and a
    /// read-only look at the ledger's change counter.
    public static func idleCheck(siteDirectory: URL, now: Date) -> IdleCheck {
        let fingerprint = IdleMarker.fingerprint(siteDirectory: siteDirectory)
        let holds = IdleMarker(siteDirectory: siteDirectory).holds(fingerprint: fingerprint, siteDirectory: siteDirectory, now: now)
        return holds ? .idle : .busy(fingerprint: fingerprint)
    }

    /// What one `post` run did.
    public struct PostRun: Sendable {
        public var report: PostReport
        /// The problems of the source's read (invalid reviews, items that could not be mapped).
        public var diagnostics: [Diagnostic]
        /// Why the source could not be read, when its last good copy stood in for it.
        public var fallback: String?
    }

    /// The cron job, with its shortcut: for a files source, when the last run left nothing to
    /// do and nothing has changed since, it returns at once without reading reviews or
    /// sending anything. A remote source is never skipped: it is read once (a cheap read when
    /// nothing changed), and nothing is sent when nothing is due.
    /// - Parameter checked: the result of `idleCheck` when the caller already made it.
    /// - Returns: nil when the shortcut answered.
    /// - Throws: `SourceUnreadable` when the source has nothing to read from.
    public func post(only names: [String]?, limit: Int?, checked: IdleCheck? = nil,
                     onResult: @escaping @Sendable (DeliveryOutcome) -> Void) async throws -> PostRun? {
        let marker = IdleMarker(siteDirectory: site.directory)
        // Only a plain run (no --to, no --limit) of a files source can tell that nothing at
        // all is due.
        var fingerprint: String?
        if names == nil && limit == nil && readsFiles {
            switch checked ?? PostingSession.idleCheck(siteDirectory: site.directory, now: clock()) {
            case .idle: return nil
            case .busy(let known): fingerprint = known
            }
        }
        marker.clear()
        let index = try await readReviews()
        var poster = self.poster
        poster.onResult = onResult
        let report = try await poster.post(index: index, only: names, limit: limit)
        // A run with a destination left out (missing credentials) must say so again next time.
        // The counter is read before the question is asked, so a write in between (a ping
        // recorded by `build`, a `retry`) invalidates the answer.
        let version = try ledger.version()
        if let fingerprint, problems.isEmpty, !ledgerLocation.isShared, let until = try poster.idleUntil(index: index) {
            marker.save(fingerprint: fingerprint, ledgerVersion: version, idleUntil: until)
        }
        return PostRun(report: report, diagnostics: index.diagnostics, fallback: index.fallback)
    }
}

/// The source has nothing to read from at all (a missing folder; a remote source that cannot
/// be read and has no last good copy): the command stops with status 2, nothing done.
public struct SourceUnreadable: Error, Sendable {
    /// Each naming the file or URL, line and key.
    public var diagnostics: [Diagnostic]
}

/// Held for as long as a run posts (`PostingSession.postTurn()`).
public struct PostTurn: Sendable {
    /// nil on a shared ledger.
    public let lock: PostLock?
}
