import Foundation
import Reviews

/// `syndicate status`: one row per delivery.
public struct StatusReport: Sendable {
    public struct Row: Sendable, Encodable, Equatable {
        /// The review's slug (its identity is for the ledger, not for people).
        public var review: String
        public var destination: String
        public var kind: String
        public var state: String
        public var attempts: Int
        public var nextAttemptAt: String?
        public var lastError: String?
        public var remoteURL: String?
        public var changedSincePosted: Bool
        /// Recorded as posted without sending by first-run adoption (docs/SPEC.md §6).
        public var adopted: Bool

        enum CodingKeys: String, CodingKey {
            case review, destination, kind, state, attempts
            case nextAttemptAt = "next_attempt_at", lastError = "last_error", remoteURL = "remote_url"
            case changedSincePosted = "changed_since_posted", adopted
        }

        public func encode(to encoder: Encoder) throws {
            // Nulls are written out: the --json shape has every key on every object.
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(review, forKey: .review)
            try container.encode(destination, forKey: .destination)
            try container.encode(kind, forKey: .kind)
            try container.encode(state, forKey: .state)
            try container.encode(attempts, forKey: .attempts)
            try container.encode(nextAttemptAt, forKey: .nextAttemptAt)
            try container.encode(lastError, forKey: .lastError)
            try container.encode(remoteURL, forKey: .remoteURL)
            try container.encode(changedSincePosted, forKey: .changedSincePosted)
            try container.encode(adopted, forKey: .adopted)
        }
    }

    public var rows: [Row]

    /// What `status` says of a `sending` delivery while no post runs: the run that sent it
    /// was stopped before it heard back.
    public static let interruptedNote = "interrupted: the run sending it was stopped; the next post settles it"

    /// - Parameter currentHashes: identity → the review's digest now (as its source gives it:
    ///   a file's bytes, a remote item's content), to flag edits made after it was posted.
    /// - Parameter currentSlugs: identity → the review's slug now, shown rather than the one
    ///   recorded when the delivery was made (a WordPress slug can be edited).
    /// - Parameter postRunning: whether a `post` holds the lock; when none does, a `sending`
    ///   delivery is one a crashed run left, and says so.
    public init(deliveries: [Delivery], currentHashes: [String: String], currentSlugs: [String: String] = [:], postRunning: Bool = true) {
        rows = deliveries.map { delivery in
            let current = currentHashes[delivery.review]
            let interrupted = delivery.state == .sending && !postRunning
            return Row(review: currentSlugs[delivery.review] ?? delivery.slug, destination: delivery.destination, kind: delivery.kind,
                       state: delivery.state.rawValue, attempts: delivery.attempts,
                       nextAttemptAt: delivery.nextAttemptAt.map(RFC3339.string),
                       lastError: interrupted ? Self.interruptedNote : delivery.lastError, remoteURL: delivery.remoteURL,
                       changedSincePosted: delivery.state == .posted && !delivery.contentHash.isEmpty
                           && current != nil && current != delivery.contentHash,
                       adopted: delivery.adopted)
        }
    }

    /// One JSON array, an object per delivery (docs/SPEC.md §4).
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(rows)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// An aligned table for people.
    public func table() -> String {
        guard !rows.isEmpty else { return "no deliveries yet" }
        let header = ["REVIEW", "DESTINATION", "STATE", "TRIES", "NEXT ATTEMPT", "REMOTE URL / LAST ERROR"]
        let lines = rows.map { row in
            [row.review, row.destination,
             row.state + (row.adopted ? " (adopted)" : "") + (row.changedSincePosted ? " (edited since)" : "") + (row.lastError == Self.interruptedNote ? " (interrupted)" : ""),
             String(row.attempts),
             row.nextAttemptAt ?? "-", row.state == "posted" ? (row.remoteURL ?? "-") : (row.lastError ?? row.remoteURL ?? "-")]
        }
        var widths = header.map(\.count)
        for line in lines { for (i, cell) in line.enumerated().dropLast() { widths[i] = max(widths[i], cell.count) } }
        func format(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in i == cells.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        return ([format(header)] + lines.map(format)).joined(separator: "\n")
    }
}

/// RFC 3339 in UTC, for what users and tools read.
public enum RFC3339 {
    public static func string(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
