import ArgumentParser
import Destinations
import Foundation
import Posting
import PostgresLedger
import Reviews

struct PostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "post",
        abstract: "Post every published review that a destination does not have yet, and retry what is due (the cron job; --watch keeps running).",
        discussion: """
        Exit status: 0 everything delivered or scheduled (or another run holds the lock; an invalid review is listed \
        and left out); 1 something became dead or unknown in this run, a destination lacks credentials, or a remote \
        source could not be read and its last good copy was used; 2 config error, or the source has nothing to read. \
        With post.since unset, the first post to meet a destination adopts the reviews already published: they are \
        recorded as posted without sending (try --dry-run first).
        """
    )

    @OptionGroup var options: SiteOptions
    @Option(name: .customLong("to"), help: "Only this destination (repeatable).") var to: [String] = []
    @Flag(name: .customLong("dry-run"), help: "Show what would be sent; send and record nothing.") var dryRun = false
    @Option(help: "Attempt at most N deliveries in this run.") var limit: Int?
    @Flag(help: "Keep running: post what becomes due, reading the reviews again every post.interval, until SIGTERM or SIGINT (then finish what is in flight and exit 0).")
    var watch = false

    func validate() throws {
        if watch && (dryRun || limit != nil) { throw ValidationError("--watch cannot be combined with --dry-run or --limit") }
    }

    func run() async throws {
        let console = Console(quiet: options.quiet)
        if watch { return try await runWatch(console) }
        // The cron tick with nothing to do stops here, before any parsing.
        var checked: PostingSession.IdleCheck?
        if !dryRun, to.isEmpty, limit == nil {
            checked = PostingSession.idleCheck(siteDirectory: options.siteDirectory, now: try options.now())
            if case .idle = checked {
                console.info("nothing due")
                return
            }
        }
        let session = try options.openSession(console)
        let names = try validateNames(to, in: session, console: console)
        guard let lock = try session.postTurn() else {
            // Not a problem, and cron mails whatever a job prints: quiet means silent.
            if !options.quiet { console.output("another syndicate post is running for this site; nothing to do") }
            return
        }
        session.problems.forEach { console.problem($0) }

        if dryRun {
            let index = try await session.readReviews(console)
            index.diagnostics.forEach { console.problem($0.description) }
            let fellBack = sayFallback(index.fallback, console)
            // Destinations still lacking credentials are planned too: what waits for them is
            // what the user wants to see.
            let plan = try session.planner.plan(index: index, only: names)
            if let adoption = plan.adoption { console.output(adoption.summary(dryRun: true)) }
            for (review, destination) in plan.new { console.output("would post \(review.slug) → \(destination)") }
            for delivery in plan.due { console.output("would send \(delivery.slug) → \(delivery.destination) (\(delivery.state.rawValue), attempt \(delivery.attempts + 1))") }
            if plan.new.isEmpty && plan.due.isEmpty && plan.adoption == nil { console.output("nothing due") }
            if fellBack { throw ExitCode(1) }
            return
        }

        let result: PostingSession.PostRun?
        do {
            result = try await session.post(only: names, limit: limit, checked: checked) { outcome in console.info(describe(outcome)) }
        } catch let unreadable as SourceUnreadable {
            throw unreadable.stop(console)
        }
        withExtendedLifetime(lock) {}
        guard let result else {
            console.info("nothing due")
            if !session.problems.isEmpty { throw ExitCode(1) }
            return
        }
        // An invalid review is reported and left out; it never stops the others (exit 0).
        result.diagnostics.forEach { console.problem($0.description) }
        let fellBack = sayFallback(result.fallback, console)
        if let adoption = result.report.adoption { console.notice(adoption.summary()) }
        console.info(summarize(result.report))
        if result.report.hasFailures || !session.problems.isEmpty || fellBack { throw ExitCode(1) }
    }
}

extension PostCommand {
    /// `post --watch` (docs/SPEC.md §11): the long-running worker. Its log is `post`'s, one
    /// line per attempt; a dead or unknown delivery is logged, not an exit status, since the
    /// worker goes on.
    private func runWatch(_ console: Console) async throws {
        // Watched first: a stop asked for during start-up is honoured too.
        let stop = StopSignals()
        let session = try options.openSession(console)
        let names = try validateNames(to, in: session, console: console)
        session.problems.forEach { console.problem($0) }
        // On the SQLite ledger one `post` runs per site: the worker holds the lock for its whole
        // life (a cron `post` meanwhile exits 0 at once), and waits for one already running
        // rather than exit, since a service manager would not start it again. On a shared
        // ledger the turn is always granted: the claims keep the rules across workers.
        var turn = try session.postTurn()
        if turn == nil { console.info("another syndicate post is running for this site; waiting for it to finish") }
        while turn == nil && !stop.requested {
            await stop.sleep(until: .now + .seconds(1))
            turn = try session.postTurn()
        }
        guard let turn else {
            console.info("stopped on \(stop.name ?? "a signal") before starting")
            return
        }
        console.info("watching \(session.site.directory.path): reading the reviews every \(describe(seconds: session.site.config.post.interval)); SIGTERM or SIGINT stops")
        // Another process's write to the ledger (a ping recorded by `build`, a `retry`, another
        // worker's new delivery) wakes the worker at once instead of at the next read: on the
        // shared ledger through LISTEN/NOTIFY, on the SQLite file through its change counter
        // (a local read; also the fallback should the listening connection fail).
        let location = session.ledgerLocation
        let notifications = location.url.flatMap { try? DeliveryNotifications(url: $0, password: location.password, site: location.siteID) }
        var seen = try? session.ledger.version()
        let changed = { notifications?.received() ?? ((try? session.ledger.version()) != seen) }
        do {
            try await session.watch(only: names, stop: stop, wake: changed, afterRound: {
                // What this worker itself wrote wakes nobody.
                _ = notifications?.received()
                seen = try? session.ledger.version()
            }) { event in
                switch event {
                case .outcome(let outcome): console.info(describe(outcome))
                case .adoption(let adoption): console.notice(adoption.summary())
                case .diagnostics(let diagnostics): diagnostics.forEach { console.problem($0.description) }
                case .fallback(let fallback): _ = sayFallback(fallback, console)
                case .sourceUnreadable(let diagnostics):
                    diagnostics.forEach { console.problem($0.description) }
                    console.problem("the reviews cannot be read from the source; trying again in \(describe(seconds: session.site.config.post.interval))")
                case .ledgerProblem(let message): console.problem("\(message); trying again in 5s")
                }
            }
        } catch let unreadable as SourceUnreadable {
            throw unreadable.stop(console)
        }
        withExtendedLifetime(turn) {}
        console.info("stopped on \(stop.name ?? "a signal"); nothing left in flight")
    }
}

/// A duration as the config writes it: `5m`, `90s`, `1h`.
func describe(seconds: Double) -> String {
    let whole = Int(seconds.rounded())
    if whole >= 3600 && whole % 3600 == 0 { return "\(whole / 3600)h" }
    if whole >= 60 && whole % 60 == 0 { return "\(whole / 60)m" }
    return "\(whole)s"
}

struct RepostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repost",
        abstract: "Post one review again now, as a new delivery, even if it was posted before.",
        discussion: "Exit status: 0 delivered or scheduled; 1 something became dead or unknown, or the review cannot be posted; 2 config error."
    )

    @OptionGroup var options: SiteOptions
    @Argument(help: "The review's slug.") var slug: String
    @Option(name: .customLong("to"), help: "Only this destination (repeatable; default: every enabled one).") var to: [String] = []

    func run() async throws {
        let console = Console(quiet: options.quiet)
        let session = try options.openSession(console)
        let names = try validateNames(to, in: session, console: console)
        guard let lock = try session.postTurn() else {
            console.error("another syndicate post is running for this site; try again when it is done")
            throw ExitCode(1)
        }
        session.problems.forEach { console.problem($0) }
        let index = try await session.readReviews(console)
        let fellBack = sayFallback(index.fallback, console)
        // The slug as the source has it now, or the identity itself.
        guard let indexed = index.reviews.first(where: { $0.slug == slug }) ?? index.reviews.first(where: { $0.id == slug }) else {
            console.error("no valid review with slug \"\(slug)\"")
            throw ExitCode(1)
        }
        guard indexed.isPublished(at: session.clock()) else {
            console.error("\(indexed.source) is \(indexed.draft ? "a draft" : "not published yet"): it cannot be posted")
            throw ExitCode(1)
        }
        let review: Review
        switch index.review(indexed) {
        case .success(let parsed): review = parsed
        case .failure(let problems):
            problems.diagnostics.forEach { console.problem($0.description) }
            throw ExitCode(1)
        }
        var poster = session.poster
        poster.onResult = { outcome in console.info(describe(outcome)) }
        let report = try await poster.repost(review, only: names, index: index)
        withExtendedLifetime(lock) {}
        if let adoption = report.adoption { console.notice(adoption.summary()) }
        console.info(summarize(report))
        if report.hasFailures || fellBack { throw ExitCode(1) }
    }
}
