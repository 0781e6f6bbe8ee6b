import ArgumentParser
import Cards
import Destinations
import Feeds
import Foundation
import HTTP
import Posting
import Reviews

struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Write the feeds (RSS 2.0, Atom 1.0, JSON Feed, per-genre feeds).",
        discussion: """
        Exit status: 0 built; 1 some reviews are invalid (the feeds were built from the others), or a remote source \
        could not be read and its last good copy was built from; 2 the config is invalid, or the source has nothing \
        to read (nothing was written).
        """
    )

    @OptionGroup var options: SiteOptions

    func run() async throws {
        let console = Console(quiet: options.quiet)
        let outcome: SiteBuild.Outcome
        let config: SiteConfig
        do {
            // The feeds need no destination, but a config error is reported by every command.
            config = try DestinationKinds.loadConfig(siteDirectory: options.siteDirectory)
        } catch let diagnostics as Diagnostics {
            diagnostics.items.forEach { console.problem($0.description) }
            console.error("the config is invalid; nothing was written")
            throw ExitCode(2)
        }
        do {
            let http = CurlHTTPClient(userAgent: SyndicateVersion.userAgent(siteURL: config.site.url))
            outcome = try await SiteBuild.run(siteDirectory: options.siteDirectory, config: config, now: try options.now(), http: http)
        } catch let diagnostics as Diagnostics {
            // The source has nothing to read: a missing folder, or a remote source that cannot
            // be read and has no last good copy. The config may well be right.
            diagnostics.items.forEach { console.problem($0.description) }
            console.error("the reviews cannot be read from the source ([source] in \(ConfigLoader.fileName)); nothing was written")
            throw ExitCode(2)
        } catch let failure as FeedWriteError {
            // A full disk, say: one line, and the feeds already published stay as they were.
            console.error("cannot write the feeds: \(failure); the feeds were left as they were")
            throw ExitCode(1)
        }
        outcome.diagnostics.forEach { console.problem($0) }
        if let fallback = outcome.fallback { console.problem("\(fallback); built from the last good copy") }
        // A review without its card is a warning: the feeds and the other cards stand.
        outcome.cards.warnings.forEach { console.problem("warning: \($0)") }
        let report = outcome.report
        if outcome.upToDate {
            console.info("feeds up to date (\(report.entries) reviews, nothing changed)")
        } else {
            console.info("built \(report.outputs.count) feeds with \(report.entries) reviews: "
                         + "\(report.written.count) written, \(report.unchanged.count) unchanged"
                         + (report.removed.isEmpty ? "" : ", \(report.removed.count) removed"))
            let cards = outcome.cards
            if !(cards.written.isEmpty && cards.unchanged.isEmpty && cards.removed.isEmpty) {
                console.info("review cards: \(cards.written.count) written, \(cards.unchanged.count) unchanged"
                             + (cards.removed.isEmpty ? "" : ", \(cards.removed.count) removed"))
            }
        }
        if !report.written.isEmpty {
            try await pingHub(changed: report.written, console: console)
        }
        if !outcome.diagnostics.isEmpty {
            console.error("\(outcome.diagnostics.count) problem(s) in reviews/; those reviews were left out")
            throw ExitCode(1)
        }
        if outcome.fallback != nil { throw ExitCode(1) }
    }
}

extension BuildCommand {
    /// Tells the WebSub hub about the feeds that changed (docs/SPEC.md §8). Pings are deliveries in
    /// the ledger: one that fails here is retried by the next `post`. When a `post` holds the
    /// lock, the pings are only recorded, and that run or the next sends them.
    private func pingHub(changed feeds: [String], console: Console) async throws {
        let session = try options.openSession(console)
        guard let hub = session.destinations.first(where: { $0.kind == WebSubKind.name }) else { return }
        var poster = session.poster
        poster.onResult = { outcome in console.info(describe(outcome)) }
        let lock = try session.postTurn()
        let report = try await poster.ping(feeds: feeds, hub: hub, send: lock != nil)
        withExtendedLifetime(lock) {}
        if lock == nil { console.info("a post is running: the hub will be pinged by it or the next one") }
        if report.hasFailures { console.problem("the hub ping failed; \(summarize(report))") }
    }
}
