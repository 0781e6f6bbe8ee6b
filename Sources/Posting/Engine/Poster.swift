import Foundation
import HTTP
import Reviews

/// The dispatch loop behind `post`, `repost` and the WebSub ping (docs/SPEC.md §6).
///
/// Order and concurrency: each destination gets one delivery at a time, oldest review first,
/// so its timeline reads in publication order; destinations run in parallel, with at most
/// `post.concurrency` requests in flight in all. A delivery waiting for a retry is simply not
/// due, so it never holds back the ones after it.
public struct Poster: Sendable {
    public var siteDirectory: URL
    public var config: SiteConfig
    public var destinations: [any Destination]
    public var ledger: any LedgerStore
    public var redactor: SecretRedactor
    public var clock: @Sendable () -> Date
    /// Called after each attempt, for progress and logs.
    public var onResult: @Sendable (DeliveryOutcome) -> Void
    /// Asked before each attempt: true once a `post --watch` was told to stop (SIGTERM,
    /// SIGINT), so that no new request leaves while those in flight finish and are recorded.
    public var stopping: @Sendable () -> Bool = { false }

    public init(siteDirectory: URL, config: SiteConfig, destinations: [any Destination], ledger: any LedgerStore,
                redactor: SecretRedactor, clock: @escaping @Sendable () -> Date = { Date() },
                onResult: @escaping @Sendable (DeliveryOutcome) -> Void = { _ in }) {
        self.siteDirectory = siteDirectory
        self.config = config
        self.destinations = destinations
        self.ledger = ledger
        self.redactor = redactor
        self.clock = clock
        self.onResult = onResult
    }

    private var site: Site { Site(directory: siteDirectory, config: config, reviews: []) }

    private var retryPolicy: RetryPolicy {
        RetryPolicy(base: config.post.backoffBase, max: config.post.backoffMax, maxAttempts: config.post.maxAttempts)
    }

    // MARK: post

    /// What `post` found to do.
    public struct Plan: Sendable {
        /// (review, destination) pairs that get their first delivery now.
        public var new: [(review: IndexedReview, destination: String)]
        /// Deliveries already in the ledger that are due.
        public var due: [Delivery]
        public var diagnostics: [Diagnostic]
        /// First-run adoption, when this run meets a destination for the first time.
        public var adoption: Adoption?
    }

    /// First-run adoption (docs/SPEC.md §6): with `post.since` unset, the first `post` that
    /// meets a destination records every review published at that moment as posted there
    /// without sending, so that a new site (or a destination added later) does not flood its
    /// followers with the back catalogue. By presence, not by date: a review that appears
    /// later is new, whatever its date.
    public struct Adoption: Sendable {
        /// The destinations met for the first time, as (name, kind).
        public var destinations: [(name: String, kind: String)]
        /// The reviews published now, each recorded as posted on each of them.
        public var reviews: [IndexedReview]

        /// The one line a run says about it; `dryRun` for what `post --dry-run` would do.
        public func summary(dryRun: Bool = false) -> String {
            let names = destinations.map(\.name).joined(separator: ", ")
            let count = "\(reviews.count) review\(reviews.count == 1 ? "" : "s")"
            return "\(dryRun ? "would adopt" : "adopted") \(count) already published for \(names): recorded as posted without sending "
                + "(the first post there); set post.since to post older ones"
        }
    }

    /// Finds the work without changing anything (also what `--dry-run` shows).
    public func plan(index: ReviewIndex, only names: [String]? = nil) throws -> Plan {
        let now = clock()
        let active = destinations.filter { names == nil || names!.contains($0.name) }
        let reviewDestinations = active.filter { $0.kind != WebSubKind.name }
        let since = config.post.since ?? .distantPast
        let candidates = index.reviews.filter { $0.isPublished(at: now) && $0.date >= since }
            .sorted { $0.date != $1.date ? $0.date < $1.date : $0.id < $1.id }
        let adoption = try adoption(of: candidates, among: reviewDestinations, only: names)
        let adopting = Set(adoption?.destinations.map(\.name) ?? [])
        let existing = try ledger.reviewsWithDelivery(destinations: reviewDestinations.map(\.name))
        var new: [(IndexedReview, String)] = []
        for review in candidates {
            for destination in reviewDestinations where !adopting.contains(destination.name) && !review.skip.contains(destination.name)
                && !(existing[destination.name]?.contains(review.id) ?? false) {
                new.append((review, destination.name))
            }
        }
        let due = try ledger.due(at: now, destinations: active.map(\.name))
        return Plan(new: new, due: due, diagnostics: index.diagnostics, adoption: adoption)
    }

    /// The adoption this run makes, if any: only with `post.since` unset, for the enabled
    /// destinations (those still lacking credentials too: they are met all the same, or
    /// adding the credentials later would adopt the reviews written meanwhile) that no run
    /// has met before.
    private func adoption(of published: [IndexedReview], among reviewDestinations: [any Destination],
                          only names: [String]?) throws -> Adoption? {
        guard config.post.since == nil else { return nil }
        var targets = reviewDestinations.map { (name: $0.name, kind: $0.kind) }
        for destination in config.destinations where destination.enabled && (names == nil || names!.contains(destination.name))
            && !targets.contains(where: { $0.name == destination.name }) {
            targets.append((destination.name, destination.kind))
        }
        guard !targets.isEmpty else { return nil }
        let met = try ledger.metDestinations(targets.map(\.name))
        let unmet = targets.filter { !met.contains($0.name) }
        return unmet.isEmpty ? nil : Adoption(destinations: unmet, reviews: published)
    }

    /// When, with nothing due now, the next delivery becomes due (a retry's time or a
    /// scheduled review's publication); `.distantFuture` when nothing is scheduled; nil when
    /// something is due already.
    public func idleUntil(index: ReviewIndex) throws -> Date? {
        let plan = try plan(index: index)
        guard plan.new.isEmpty && plan.due.isEmpty && plan.adoption == nil else { return nil }
        let now = clock()
        let since = config.post.since ?? .distantPast
        let nextPublication = index.reviews.filter { !$0.draft && $0.date > now && $0.date >= since }.map(\.date).min()
        let nextRetry = try ledger.nextRetry(destinations: destinations.map(\.name))
        return [nextPublication, nextRetry].compactMap { $0 }.min() ?? .distantFuture
    }

    /// The cron job: creates the deliveries the plan calls for, then sends what is due.
    /// - Parameter limit: at most this many deliveries are attempted in this run.
    public func post(index: ReviewIndex, only names: [String]? = nil, limit: Int? = nil) async throws -> PostReport {
        var report = try recoverInterrupted()
        let plan = try plan(index: index, only: names)
        if let adoption = plan.adoption {
            try ledger.adopt(reviews: adoption.reviews.map { ($0.id, $0.slug, $0.date, $0.contentHash) },
                             destinations: adoption.destinations, now: clock())
            report.adoption = adoption
        }
        if plan.new.isEmpty && plan.due.isEmpty { return report }
        await prepare(Set(plan.new.map(\.destination) + plan.due.map(\.destination)))
        let created = try createDeliveries(plan.new, index: index)
        var work = plan.due + created.filter { $0.state == .pending }
        work.sort { ($0.reviewDate, $0.review, $0.destination, $0.series) < ($1.reviewDate, $1.review, $1.destination, $1.series) }
        if let limit { work = Array(work.prefix(limit)) }
        report.merge(PostReport(uncomposable: created))
        report.merge(await dispatch(work))
        return report
    }

    /// `repost`: a new delivery of one review for each destination named (default: every
    /// enabled one), sent now even if posted before.
    /// - Parameter index: the site's reviews, for first-run adoption: a repost to a destination
    ///   no run has met would make it met, and the next `post` would then send the whole back
    ///   catalogue there; so it adopts them first, like the first `post` would.
    public func repost(_ review: Review, only names: [String]? = nil, index: ReviewIndex? = nil) async throws -> PostReport {
        var report = try recoverInterrupted()
        let targets = destinations.filter { $0.kind != WebSubKind.name && (names == nil || names!.contains($0.name)) }
        if let index {
            let now = clock()
            let published = index.reviews.filter { $0.isPublished(at: now) }
            if let adoption = try adoption(of: published, among: targets, only: names) {
                try ledger.adopt(reviews: adoption.reviews.map { ($0.id, $0.slug, $0.date, $0.contentHash) },
                                 destinations: adoption.destinations, now: now)
                report.adoption = adoption
            }
        }
        await prepare(Set(targets.map(\.name)))
        var deliveries: [Delivery] = []
        for destination in targets {
            let series = try ledger.nextSeries(review: review.id, destination: destination.name)
            deliveries.append(makeDelivery(review, destination: destination, series: series))
        }
        let inserted = try ledger.insert(deliveries)
        report.merge(PostReport(uncomposable: inserted))
        report.merge(await dispatch(inserted.filter { $0.state == .pending }))
        return report
    }

    /// Records a ping for each changed feed and sends it (WebSub, docs/SPEC.md §8). A feed that
    /// already has a ping waiting gets no second one.
    /// - Parameter send: false when another process holds the post lock: the pings are only
    ///   recorded, for that run or the next to send.
    public func ping(feeds: [String], hub destination: any Destination, send: Bool = true) async throws -> PostReport {
        if send { _ = try recoverInterrupted() }
        let now = clock()
        let existing = try ledger.deliveries(destinations: [destination.name])
        var deliveries: [Delivery] = []
        for feed in feeds {
            let history = existing.filter { $0.review == feed }
            if history.contains(where: { $0.state == .pending || $0.state == .retrying }) { continue }
            let series = (history.map(\.series).max() ?? -1) + 1
            deliveries.append(Delivery(review: feed, destination: destination.name, kind: destination.kind, series: series,
                                       idempotencyKey: destination.newIdempotencyKey(now: now), payload: Data(feed.utf8),
                                       reviewDate: now, contentHash: "", now: now))
        }
        let inserted = try ledger.insert(deliveries)
        guard send else { return PostReport() }
        let due = try ledger.due(at: now, destinations: [destination.name])
        return await dispatch(due.filter { d in !inserted.contains { $0.id == d.id } } + inserted)
    }

    /// Turns the deliveries a dead run left `sending` into `unknown`; those a destination can
    /// safely resend become due again at once, the others are reported, since they need the
    /// user (docs/SPEC.md §6).
    private func recoverInterrupted() throws -> PostReport {
        let now = clock()
        let recovered = try ledger.recoverInterrupted(now: now)
        let byName = Dictionary(destinations.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var report = PostReport()
        for delivery in recovered {
            if let destination = byName[delivery.destination], destination.resendIsSafe(createdAt: delivery.createdAt, now: now) {
                var due = delivery
                due.state = .retrying
                due.nextAttemptAt = now
                due.lastError = (delivery.lastError ?? "") + " (will resend with the same idempotency key)"
                try ledger.record(due, attempt: nil)
                continue
            }
            let outcome = DeliveryOutcome(delivery: delivery, error: nil)
            report.add(outcome)
            onResult(outcome)
        }
        return report
    }

    /// Lets each destination about to be used refresh what it caches (docs/SPEC.md §6: only when
    /// something is about to be sent).
    private func prepare(_ names: Set<String>) async {
        for destination in destinations where names.contains(destination.name) {
            await destination.prepare()
        }
    }

    /// Each review is read whole through the index (`ReviewIndex.review(_:)`): an edit since
    /// the index was cached (a draft again, a later date, a new skip) wins.
    private func createDeliveries(_ pairs: [(review: IndexedReview, destination: String)], index: ReviewIndex) throws -> [Delivery] {
        guard !pairs.isEmpty else { return [] }
        var reviews: [String: Result<Review, ReviewProblems>] = [:]
        var deliveries: [Delivery] = []
        for (indexed, name) in pairs {
            guard let destination = destinations.first(where: { $0.name == name }) else { continue }
            let read = reviews[indexed.id] ?? index.review(indexed)
            reviews[indexed.id] = read
            // An invalid review (edited into that state since it was indexed) is left out;
            // `check` reports it.
            guard case .success(let review) = read, review.isPublished(at: clock()),
                  !review.syndication.skip.contains(name) else { continue }
            deliveries.append(makeDelivery(review, destination: destination, series: 0))
        }
        return try ledger.insert(deliveries)
    }

    /// A new delivery with its payload composed now; a review that cannot be composed for
    /// this destination is recorded `dead` with the reason, so the user sees it in `status`.
    private func makeDelivery(_ review: Review, destination: any Destination, series: Int) -> Delivery {
        let now = clock()
        var delivery = Delivery(review: review.id, slug: review.slug, destination: destination.name, kind: destination.kind, series: series,
                                idempotencyKey: destination.newIdempotencyKey(now: now), payload: nil,
                                reviewDate: review.date, contentHash: review.contentHash, now: now)
        do {
            delivery.payload = try destination.compose(review, site: site).payload
        } catch {
            delivery.state = .dead
            delivery.lastError = redactor.redact("cannot compose the post: \(error)")
        }
        return delivery
    }

    // MARK: Dispatch

    private func dispatch(_ work: [Delivery]) async -> PostReport {
        guard !work.isEmpty else { return PostReport() }
        let semaphore = AsyncSemaphore(config.post.concurrency)
        var queues: [String: [Delivery]] = [:]
        for delivery in work { queues[delivery.destination, default: []].append(delivery) }
        let byName = Dictionary(destinations.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return await withTaskGroup(of: PostReport.self) { group in
            for (name, queue) in queues {
                guard let destination = byName[name] else { continue }
                group.addTask { await serve(queue, of: destination, semaphore: semaphore) }
            }
            var total = PostReport()
            for await report in group { total.merge(report) }
            return total
        }
    }

    /// One destination's deliveries, one at a time, in order, each holding one of the
    /// run's request slots while it is attempted.
    private func serve(_ queue: [Delivery], of destination: any Destination, semaphore: AsyncSemaphore) async -> PostReport {
        var report = PostReport()
        for delivery in queue {
            if stopping() { break }
            await semaphore.acquire()
            // Asked again: the wait for a slot may have outlasted the stop.
            if stopping() {
                semaphore.release()
                break
            }
            let outcome = await attempt(delivery, with: destination)
            semaphore.release()
            // nil: settled by another command meanwhile; nothing was sent.
            guard let outcome else { continue }
            report.add(outcome)
            onResult(outcome)
        }
        return report
    }

    /// One attempt, in the order docs/SPEC.md §6 requires: `sending` committed, then the request,
    /// then its outcome committed. A delivery that must not be sent is settled instead.
    private func attempt(_ delivery: Delivery, with destination: any Destination) async -> DeliveryOutcome? {
        var delivery = delivery
        let now = clock()
        // Checked here, when the request would leave, not when the retry was scheduled: a
        // destination's memory of idempotency keys may have run out in between.
        if keyForgotten(delivery, by: destination, now: now) {
            return settle(&delivery, as: .unknown, now: now, message: Self.keyForgottenMessage)
        }
        guard delivery.payload != nil else {
            return settle(&delivery, as: .dead, now: now,
                message: "the post could not be composed when the delivery was created: fix it, then `syndicate repost`")
        }
        let requested = delivery.id
        do {
            guard let sending = try ledger.markSending(delivery, now: now) else { return nil }
            delivery = sending
        } catch {
            return DeliveryOutcome(delivery: delivery, error: "ledger: \(error)")
        }
        // With several workers the store may hand over an older delivery of the destination
        // than the one this run read (another worker queued it): that one is sent instead,
        // after the same checks.
        if delivery.id != requested, keyForgotten(delivery, by: destination, now: now) {
            return settle(&delivery, as: .unknown, now: now, message: Self.keyForgottenMessage)
        }
        guard let payload = delivery.payload else {
            return settle(&delivery, as: .dead, now: now,
                message: "the post could not be composed when the delivery was created: fix it, then `syndicate repost`")
        }
        let started = clock()
        let ledger = self.ledger
        let checkpoint = delivery.id.map { id in
            DeliveryCheckpoint(value: try? ledger.checkpoint(of: id)) { value in (try? ledger.saveCheckpoint(value, for: id)) != nil }
        } ?? .none
        let result = await destination.send(OutgoingDelivery(review: delivery.slug, idempotencyKey: delivery.idempotencyKey,
                                                             payload: payload, attempt: delivery.attempts,
                                                             createdAt: delivery.createdAt, checkpoint: checkpoint))
        let finished = clock()
        let attempt = apply(result, to: &delivery, resendIsSafe: destination.resendIsSafe(createdAt: delivery.createdAt, now: finished),
                            now: finished, started: started)
        do {
            // A wait the destination asked for holds every worker, not only this delivery.
            if case .retryable(_, _, let notBefore?, _) = result { try ledger.holdDestination(delivery.destination, until: notBefore) }
            try ledger.record(delivery, attempt: attempt)
        } catch {
            return DeliveryOutcome(delivery: delivery, error: "ledger: \(error)")
        }
        return DeliveryOutcome(delivery: delivery, error: nil)
    }

    /// Whether a delivery whose earlier request got no answer may no longer be resent:
    /// checked when the request would leave, not when the retry was scheduled, since a
    /// destination's memory of idempotency keys may have run out in between.
    private func keyForgotten(_ delivery: Delivery, by destination: any Destination, now: Date) -> Bool {
        guard destination.deduplicates, delivery.attempts > 0, let id = delivery.id else { return false }
        return (try? ledger.hadNoAnswer(id)) == true && !destination.resendIsSafe(createdAt: delivery.createdAt, now: now)
    }

    private static let keyForgottenMessage =
        "no answer earlier, and the destination no longer recognises the idempotency key (may have been posted: check, then `syndicate resolve`)"

    /// Records a state reached without sending anything.
    private func settle(_ delivery: inout Delivery, as state: DeliveryState, now: Date, message: String) -> DeliveryOutcome {
        delivery.state = state
        delivery.nextAttemptAt = nil
        delivery.lastError = message
        delivery.updatedAt = now
        do {
            try ledger.record(delivery, attempt: nil)
        } catch {
            return DeliveryOutcome(delivery: delivery, error: "ledger: \(error)")
        }
        return DeliveryOutcome(delivery: delivery, error: nil)
    }

    /// The state transition docs/SPEC.md §6 prescribes for a result.
    func apply(_ result: SendResult, to delivery: inout Delivery, resendIsSafe: Bool, now: Date, started: Date) -> Attempt {
        let duration = Int((now.timeIntervalSince(started) * 1000).rounded())
        delivery.updatedAt = now
        var attempt = Attempt(deliveryID: delivery.id ?? 0, startedAt: started, durationMs: duration, httpStatus: nil, errorClass: nil, message: nil)
        switch result {
        case .posted(let remoteID, let remoteURL, let status):
            delivery.state = .posted
            delivery.remoteID = remoteID
            delivery.remoteURL = remoteURL
            delivery.postedAt = now
            delivery.nextAttemptAt = nil
            delivery.lastError = nil
            attempt.httpStatus = status
            attempt.errorClass = "posted"
        case .retryable(let message, let status, let notBefore, let errorClass):
            let message = redactor.redact(message)
            attempt.httpStatus = status
            attempt.errorClass = errorClass
            attempt.message = message
            if let next = retryPolicy.nextAttempt(after: delivery.attempts, now: now, notBefore: notBefore) {
                delivery.state = .retrying
                delivery.nextAttemptAt = next
                delivery.lastError = message
            } else {
                delivery.state = .dead
                delivery.nextAttemptAt = nil
                delivery.lastError = "gave up after \(delivery.attempts) attempts: \(message)"
            }
        case .permanent(let message, let status):
            let message = redactor.redact(message)
            delivery.state = .dead
            delivery.nextAttemptAt = nil
            delivery.lastError = message
            attempt.httpStatus = status
            attempt.errorClass = "permanent"
            attempt.message = message
        case .unknown(let message, let status):
            let message = redactor.redact(message)
            attempt.httpStatus = status
            attempt.errorClass = "no_answer"
            attempt.message = message
            if resendIsSafe, let next = retryPolicy.nextAttempt(after: delivery.attempts, now: now, notBefore: nil) {
                // Resending the same payload with the same key cannot post twice.
                delivery.state = .retrying
                delivery.nextAttemptAt = next
                delivery.lastError = message + " (will resend with the same idempotency key)"
            } else {
                delivery.state = .unknown
                delivery.nextAttemptAt = nil
                delivery.lastError = message + " (may have been posted: check, then `syndicate resolve`)"
            }
        }
        return attempt
    }
}

/// The name under which WebSub pings are kept in the ledger.
public enum WebSubKind {
    public static let name = "websub"
}

/// What one attempt left behind.
public struct DeliveryOutcome: Sendable {
    public var delivery: Delivery
    /// A local failure (the ledger could not be written), not the destination's.
    public var error: String?
}

/// What a run did.
public struct PostReport: Sendable {
    public var outcomes: [DeliveryOutcome] = []
    /// The first-run adoption this run made, if any.
    public var adoption: Poster.Adoption?

    public init() {}

    /// Deliveries that died at creation because their post could not be composed.
    init(uncomposable deliveries: [Delivery]) {
        outcomes = deliveries.filter { $0.state == .dead }.map { DeliveryOutcome(delivery: $0, error: nil) }
    }

    mutating func add(_ outcome: DeliveryOutcome) { outcomes.append(outcome) }
    mutating func merge(_ other: PostReport) { outcomes += other.outcomes }

    public func count(_ state: DeliveryState) -> Int { outcomes.filter { $0.delivery.state == state }.count }

    /// True when something became `dead` or `unknown`, or the ledger failed: `post` exits 1.
    public var hasFailures: Bool {
        outcomes.contains { $0.delivery.state == .dead || $0.delivery.state == .unknown || $0.error != nil }
    }
}
