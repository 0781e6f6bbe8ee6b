import Foundation
import Posting
import Reviews

/// What a `post --watch` worker tells its log, as it happens.
public enum WatchEvent: Sendable {
    /// One attempt's outcome (or a delivery found interrupted): one line, like `post`.
    case outcome(DeliveryOutcome)
    /// First-run adoption (docs/SPEC.md §6), said once.
    case adoption(Poster.Adoption)
    /// The problems of a read of the source (invalid reviews, items that cannot be mapped),
    /// given only when they differ from the last read's, so a long-lived log does not repeat
    /// them every interval.
    case diagnostics([Diagnostic])
    /// A remote source could not be read and its last good copy stood in (docs/SPEC.md §9).
    case fallback(String)
    /// The source could not be read at all; the last reading stands until the next interval.
    case sourceUnreadable([Diagnostic])
    /// A round failed on the ledger (a database gone away); it is tried again later.
    case ledgerProblem(String)
}

extension PostingSession {
    /// `syndicate post --watch` (docs/SPEC.md §11): posts what is due, then sleeps until the
    /// earliest of the next retry or scheduled publication, the next read of the source
    /// (every `post.interval`) and `wake` answering true; again and again until `stop` is
    /// requested. A stop sends nothing new; what is in flight finishes and is recorded, so no
    /// delivery is left `sending`.
    ///
    /// Config and credentials are those read at start: a change to them needs a restart.
    /// - Parameters:
    ///   - only: the destinations to serve (`--to`); nil for all.
    ///   - wake: asked five times a second while sleeping: true when another process changed
    ///     the ledger (a ping recorded by `build`, a `retry`), so its work is not left waiting.
    ///   - afterRound: called after each round with nothing in flight (the ledger's state is
    ///     then what `wake` compares against).
    /// - Throws: `SourceUnreadable` when the first read of the source finds nothing to read;
    ///   after that, a failed read is reported and the last reading stands.
    public func watch(only names: [String]? = nil, stop: StopSignals, wake: () -> Bool = { false },
                      afterRound: () -> Void = {}, onEvent: @escaping @Sendable (WatchEvent) -> Void) async throws {
        let interval = Duration.milliseconds(Int64(site.config.post.interval * 1000))
        let monotonic = ContinuousClock()
        var poster = self.poster
        poster.onResult = { onEvent(.outcome($0)) }
        poster.stopping = { stop.requested }
        var index = try await readReviews()
        var lastRead = monotonic.now
        var lastDiagnostics: [String] = []
        var heldPause = 0.0
        announce(index, since: &lastDiagnostics, onEvent)

        while !stop.requested {
            if monotonic.now - lastRead >= interval {
                lastRead = monotonic.now
                do {
                    index = try await readReviews()
                    announce(index, since: &lastDiagnostics, onEvent)
                } catch let unreadable as SourceUnreadable {
                    onEvent(.sourceUnreadable(unreadable.diagnostics))
                }
            }
            var nextDue: Date? = .distantFuture
            do {
                let report = try await poster.post(index: index, only: names)
                if let adoption = report.adoption { onEvent(.adoption(adoption)) }
                if stop.requested { break }
                nextDue = try poster.idleUntil(index: index)
                // Due, yet nothing was attempted: on the shared ledger another worker holds
                // those destinations, or a rate-limit wait learnt by one stands. Looked at again
                // after a pause that doubles up to 30 s, not five times a second for as long.
                if nextDue == nil && report.outcomes.isEmpty {
                    heldPause = min(max(heldPause * 2, 1), 30, site.config.post.interval)
                    nextDue = clock().addingTimeInterval(heldPause)
                } else {
                    heldPause = 0
                }
            } catch {
                onEvent(.ledgerProblem(LedgerError.describe(error, siteDirectory: site.directory) ?? "\(error)"))
                // Tried again soon, not only at the next read: a database restarting is back in seconds.
                nextDue = clock().addingTimeInterval(5)
            }
            afterRound()
            // nil: something is due already (a retry whose time came during the round). A
            // short pause all the same, so a delivery that stays due cannot make a busy loop.
            let untilDue = nextDue.map { $0.timeIntervalSince(clock()) } ?? 0
            var deadline = lastRead + interval
            if untilDue < site.config.post.interval {
                deadline = min(deadline, monotonic.now + .milliseconds(Int64(max(untilDue, 0.2) * 1000)))
            }
            await stop.sleep(until: deadline, wake: wake)
        }
    }

    private func announce(_ index: ReviewIndex, since last: inout [String], _ onEvent: @Sendable (WatchEvent) -> Void) {
        let described = index.diagnostics.map(\.description)
        if described != last, !index.diagnostics.isEmpty { onEvent(.diagnostics(index.diagnostics)) }
        last = described
        if let fallback = index.fallback { onEvent(.fallback(fallback)) }
    }
}
