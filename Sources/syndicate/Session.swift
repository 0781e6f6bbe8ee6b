import ArgumentParser
import Destinations
import Foundation
import Posting
import PostgresLedger
import Reviews

extension SiteOptions {
    /// Opens config, credentials and ledger, turning their errors into exit status 2.
    func openSession(_ console: Console) throws -> PostingSession {
        let pinnedDate = try self.now()
        let pinned = ProcessInfo.processInfo.environment["SYNDICATE_NOW"]?.isEmpty == false
        do {
            let clock: @Sendable () -> Date
            if pinned { clock = { pinnedDate } } else { clock = { Foundation.Date() } }
            return try PostingSession.open(siteDirectory: siteDirectory, clock: clock)
        } catch let diagnostics as Diagnostics {
            diagnostics.items.forEach { console.problem($0.description) }
            console.error("the config is invalid")
            throw ExitCode(2)
        } catch let error as CredentialsError {
            console.error(error.description)
            throw ExitCode(2)
        } catch let error as LedgerConfigError {
            console.error(error.description)
            throw ExitCode(2)
        } catch let error as PostgresError {
            console.error(error.description)
            throw ExitCode(2)
        }
    }
}

extension PostingSession {
    /// Reads the reviews through the site's source, once for the run; a source with nothing to
    /// read from stops the command with status 2, each problem named.
    func readReviews(_ console: Console) async throws -> ReviewIndex {
        do {
            return try await readReviews()
        } catch let unreadable as SourceUnreadable {
            throw unreadable.stop(console)
        }
    }

    /// Every review whole, like `readReviews(_:)`.
    func readSite(_ console: Console) async throws -> (site: Site, fallback: String?) {
        do {
            return try await readSite()
        } catch let unreadable as SourceUnreadable {
            throw unreadable.stop(console)
        }
    }
}

extension SourceUnreadable {
    /// Says why, and gives the exit: status 2, nothing done. Not "the config is invalid":
    /// the config may be right and the folder or the server not there.
    func stop(_ console: Console) -> ExitCode {
        diagnostics.forEach { console.problem($0.description) }
        console.error("the reviews cannot be read from the source ([source] in \(ConfigLoader.fileName)); nothing was done")
        return ExitCode(2)
    }
}

/// Says that a remote source could not be read and its last good copy stood in (docs/SPEC.md
/// §9): one line naming the URL. Returns whether it did, for the exit status (1).
func sayFallback(_ fallback: String?, _ console: Console) -> Bool {
    guard let fallback else { return false }
    console.problem("\(fallback); used the last good copy of the reviews")
    return true
}

/// The identities a SLUG argument names: the reviews the source has with that slug (or that
/// identity), and those the ledger has deliveries of under it (a review since deleted, or
/// whose slug has changed).
func identities(named argument: String, in index: ReviewIndex, ledger: any LedgerStore) throws -> Set<String> {
    let current = index.reviews.filter { $0.slug == argument || $0.id == argument }.map(\.id)
    return Set(current).union(try ledger.reviews(named: argument))
}

/// Checks `--to` names against the destinations the session has (and `alsoKnown`).
func validateNames(_ names: [String], in session: PostingSession, console: Console, alsoKnown: Set<String> = []) throws -> [String]? {
    guard !names.isEmpty else { return nil }
    let known = Set(session.site.config.destinations.map(\.name)).union(alsoKnown)
    for name in names where !known.contains(name) {
        console.error("no destination named \"\(name)\" in syndicate.toml (known: \(known.sorted().joined(separator: ", ")))")
        throw ExitCode(2)
    }
    return names
}

/// One line per attempt, as it happens: the progress of a long run.
func describe(_ outcome: DeliveryOutcome) -> String {
    let d = outcome.delivery
    let target = "\(d.slug) → \(d.destination)"
    if let error = outcome.error { return "error: \(target): \(error)" }
    switch d.state {
    case .posted: return "posted \(target)" + (d.remoteURL.map { ": \($0)" } ?? "")
    case .retrying: return "retrying \(target) at \(d.nextAttemptAt.map(RFC3339.string) ?? "?"): \(d.lastError ?? "")"
    case .dead: return "dead \(target): \(d.lastError ?? "")"
    case .unknown: return "unknown \(target): \(d.lastError ?? "")"
    case .pending, .sending: return "\(d.state.rawValue) \(target)"
    }
}

func summarize(_ report: PostReport) -> String {
    if report.outcomes.isEmpty { return "nothing due" }
    var parts: [String] = []
    for (state, word) in [(DeliveryState.posted, "posted"), (.retrying, "scheduled for retry"), (.dead, "dead"), (.unknown, "unknown")] {
        let count = report.count(state)
        if count > 0 { parts.append("\(count) \(word)") }
    }
    return parts.joined(separator: ", ")
}
