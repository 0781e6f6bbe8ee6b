import Foundation
import HTTP
import Posting
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
    public var ledger: Ledger
    public var http: any HTTPClient
    public var clock: @Sendable () -> Date

    /// - Throws: `Diagnostics` for a config error, `CredentialsError` for an unsafe or
    ///   unreadable credentials file.
    public static func open(siteDirectory: URL, clock: @escaping @Sendable () -> Date, http: (any HTTPClient)? = nil) throws -> PostingSession {
        let configURL = siteDirectory.appendingPathComponent(ConfigLoader.fileName)
        let config = try DestinationKinds.loadConfig(siteDirectory: siteDirectory)
        // A missing reviews folder is a config error here too: posting from it would find
        // nothing to do and say so, hiding the mistake.
        _ = try ReviewLoader(config: config).reviewFiles(in: siteDirectory)
        let configData = FileManager.default.contents(atPath: configURL.path) ?? Data()
        let credentials = try Credentials.load(siteDirectory: siteDirectory, destinations: config.destinations)
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
        return PostingSession(site: site, configData: configData, credentials: credentials, destinations: destinations,
                              problems: problems, ledger: try Ledger(siteDirectory: siteDirectory), http: http, clock: clock)
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

    /// The cron job, with its shortcut: when the last run left nothing to do and nothing has
    /// changed since, it returns at once without reading reviews or sending anything.
    /// - Parameter checked: the result of `idleCheck` when the caller already made it.
    /// - Returns: nil when the shortcut answered; else the report and the index's problems.
    public func post(only names: [String]?, limit: Int?, checked: IdleCheck? = nil,
                     onResult: @escaping @Sendable (DeliveryOutcome) -> Void) async throws -> (report: PostReport, diagnostics: [Diagnostic])? {
        let marker = IdleMarker(siteDirectory: site.directory)
        // Only a plain run (no --to, no --limit) can tell that nothing at all is due.
        var fingerprint: String?
        if names == nil && limit == nil {
            switch checked ?? PostingSession.idleCheck(siteDirectory: site.directory, now: clock()) {
            case .idle: return nil
            case .busy(let known): fingerprint = known
            }
        }
        marker.clear()
        let index = reviewIndex()
        var poster = self.poster
        poster.onResult = onResult
        let report = try await poster.post(index: index, only: names, limit: limit)
        // A run with a destination left out (missing credentials) must say so again next time.
        // The counter is read before the question is asked, so a write in between (a ping
        // recorded by `build`, a `retry`) invalidates the answer.
        let version = try ledger.version()
        if let fingerprint, problems.isEmpty, let until = try poster.idleUntil(index: index) {
            marker.save(fingerprint: fingerprint, ledgerVersion: version, idleUntil: until)
        }
        return (report, index.diagnostics)
    }

    /// The review index (cached) of the site.
    public func reviewIndex() -> ReviewIndex {
        ReviewIndex.load(site: site.directory, config: site.config, configData: configData)
    }
}
