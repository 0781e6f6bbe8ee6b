import ArgumentParser
import Destinations
import Foundation
import Posting
import Reviews

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every delivery: state, attempts, next attempt, last error, remote URL.",
        discussion: """
        --json prints one array with an object per delivery: review (the slug), destination, kind, state, attempts, \
        next_attempt_at (RFC 3339 or null), last_error, remote_url, changed_since_posted, adopted (recorded as posted \
        without sending by first-run adoption). Exit status: 0; 1 the source could not be read and its last good copy \
        was used; 2 unknown destination or state, or the source has nothing to read.
        """
    )

    @OptionGroup var options: SiteOptions
    @Argument(help: "Only this review (its slug).") var slug: String?
    @Option(name: .customLong("to"), help: "Only this destination (repeatable).") var to: [String] = []
    @Option(help: "Only deliveries in this state (repeatable): \(DeliveryState.allCases.map(\.rawValue).joined(separator: ", ")).")
    var state: [String] = []
    @Flag(help: "Machine-readable output.") var json = false

    func run() async throws {
        let console = Console(quiet: options.quiet)
        let states = try state.map { name in
            guard let state = DeliveryState(rawValue: name) else {
                console.error("--state \(name): no such state (one of: \(DeliveryState.allCases.map(\.rawValue).joined(separator: ", ")))")
                throw ExitCode(2)
            }
            return state
        }
        let session = try options.openSession(console)
        for (state, count) in try session.ledger.unrecognizedStates() {
            console.problem("\(session.ledgerLocation.isShared ? "the PostgreSQL ledger" : Ledger.relativePath): state \"\(state)\" is not one this version knows (\(count) deliveries); "
                            + "shown and treated as unknown, never sent without you")
        }
        // Deliveries of a destination since removed from the config are still shown.
        let known = to.isEmpty ? [] : Set(try session.ledger.deliveries().map(\.destination))
        let names = try validateNames(to, in: session, console: console, alsoKnown: known)
        // Through the source: what each review is now, to flag edits and show today's slug.
        let index = try await session.readReviews(console)
        let fellBack = sayFallback(index.fallback, console)
        let reviews = try slug.map { try identities(named: $0, in: index, ledger: session.ledger) }
        let deliveries = try session.ledger.deliveries(reviews: reviews, destinations: names)
            .filter { states.isEmpty || states.contains($0.state) }
        let hashes = Dictionary(index.reviews.map { ($0.id, $0.contentHash) }, uniquingKeysWith: { a, _ in a })
        let slugs = Dictionary(index.reviews.map { ($0.id, $0.slug) }, uniquingKeysWith: { a, _ in a })
        let report = StatusReport(deliveries: deliveries, currentHashes: hashes, currentSlugs: slugs,
                                  postRunning: session.ledgerLocation.isShared || PostLock.isHeld(siteDirectory: session.site.directory))
        console.output(json ? report.json() : report.table())
        if fellBack { throw ExitCode(1) }
    }
}

struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Make dead deliveries due now (with a fresh attempt budget); the next post sends them."
    )

    @OptionGroup var options: SiteOptions
    @Argument(help: "Only this review (its slug).") var slug: String?
    @Option(name: .customLong("to"), help: "Only this destination.") var to: String?

    func run() async throws {
        let console = Console(quiet: options.quiet)
        let session = try options.openSession(console)
        _ = try validateNames(to.map { [$0] } ?? [], in: session, console: console)
        let now = session.clock()
        let index = try await session.readReviews(console)
        let fellBack = sayFallback(index.fallback, console)
        let reviews = try slug.map { try identities(named: $0, in: index, ledger: session.ledger) }
        let to = to
        let revived = try session.ledger.update(where: { d in
            d.state == .dead && (reviews?.contains(d.review) ?? true) && (to == nil || d.destination == to)
        }) { d in
            d.state = .retrying
            d.nextAttemptAt = now
            d.attempts = 0
            d.updatedAt = now
        }
        console.output("\(revived.count) dead deliver\(revived.count == 1 ? "y" : "ies") made due now")
        if fellBack { throw ExitCode(1) }
    }
}

struct ResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Settle an unknown delivery by hand, after checking the destination.",
        discussion: "--as posted records it as posted; --as retry sends it again (same idempotency key) on the next post. Exit 1 when there is no unknown delivery to settle."
    )

    enum Resolution: String, ExpressibleByArgument, CaseIterable { case posted, retry }

    @OptionGroup var options: SiteOptions
    @Argument(help: "The review's slug.") var slug: String
    @Option(name: .customLong("to"), help: "The destination.") var to: String
    @Option(name: .customLong("as"), help: "posted or retry.") var resolution: Resolution
    @Option(help: "With --as posted: where the post is (an http(s) URL), recorded as its remote URL.") var url: String?

    func run() async throws {
        let console = Console(quiet: options.quiet)
        if let url {
            guard resolution == .posted else {
                console.error("--url goes with --as posted only")
                throw ExitCode(2)
            }
            guard ConfigTable.isHTTPURL(url) else {
                console.error("--url \(url) is not an absolute http(s) URL")
                throw ExitCode(2)
            }
        }
        let session = try options.openSession(console)
        let now = session.clock()
        let index = try await session.readReviews(console)
        let fellBack = sayFallback(index.fallback, console)
        let reviews = try identities(named: slug, in: index, ledger: session.ledger)
        let (to, resolution, url) = (to, resolution, url)
        let settled = try session.ledger.update(where: { $0.state == .unknown && reviews.contains($0.review) && $0.destination == to }) { d in
            d.updatedAt = now
            switch resolution {
            case .posted:
                d.state = .posted
                d.postedAt = now
                d.lastError = nil
                if let url { d.remoteURL = url }
            case .retry:
                d.state = .retrying
                d.nextAttemptAt = now
            }
        }
        // The hand-made settlement closes the earlier no-answer history.
        for delivery in settled {
            try session.ledger.record(delivery, attempt: Attempt(deliveryID: delivery.id!, startedAt: now, durationMs: 0, httpStatus: nil,
                                                                 errorClass: "resolved", message: "resolved by hand as \(resolution.rawValue)"))
        }
        guard !settled.isEmpty else {
            console.error("\(slug) has no unknown delivery to \(to)")
            throw ExitCode(1)
        }
        console.output("\(slug) → \(to): \(resolution == .posted ? "recorded as posted" : "will be sent again by the next post")")
        if fellBack { throw ExitCode(1) }
    }
}

struct MarkPostedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mark-posted",
        abstract: "Record reviews as already posted without sending anything (adopting an existing site).",
        discussion: "SLUG, or every published review (published strictly before DATE with --before), for every enabled destination or those named."
    )

    @OptionGroup var options: SiteOptions
    @Argument(help: "Only this review.") var slug: String?
    @Option(help: "Only reviews published strictly before this date (YYYY-MM-DD or RFC 3339).") var before: String?
    @Option(name: .customLong("to"), help: "Only this destination (repeatable).") var to: [String] = []

    func run() async throws {
        let console = Console(quiet: options.quiet)
        let session = try options.openSession(console)
        let names = try validateNames(to, in: session, console: console)
        let config = session.site.config
        var cutoff: Date?
        if let before {
            guard let date = SiteDate.parse(before, timeZone: config.site.timeZone) else {
                console.error("--before \(before) is not a date (YYYY-MM-DD or RFC 3339)")
                throw ExitCode(2)
            }
            cutoff = date
        }
        let now = session.clock()
        let index = try await session.readReviews(console)
        let fellBack = sayFallback(index.fallback, console)
        let reviews = index.reviews.filter { review in
            review.isPublished(at: now) && (slug == nil || review.slug == slug || review.id == slug) && (cutoff.map { review.date < $0 } ?? true)
        }
        if let slug, reviews.isEmpty {
            console.error("no published review with slug \"\(slug)\"")
            throw ExitCode(1)
        }
        let destinations = config.destinations.filter { names?.contains($0.name) ?? $0.enabled }
        let marked = try session.ledger.markPosted(reviews: reviews.map { ($0.id, $0.slug, $0.date, $0.contentHash) },
                                                   destinations: destinations.map { ($0.name, $0.kind) }, now: now)
        console.output("\(marked) deliver\(marked == 1 ? "y" : "ies") recorded as posted (\(reviews.count) review(s) × \(destinations.count) destination(s))")
        if fellBack { throw ExitCode(1) }
    }
}
