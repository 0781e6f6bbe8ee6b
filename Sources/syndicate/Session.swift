import ArgumentParser
import Destinations
import Foundation
import Posting
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
        }
    }
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
    let target = "\(d.review) → \(d.destination)"
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
