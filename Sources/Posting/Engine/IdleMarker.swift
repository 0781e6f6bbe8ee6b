import Foundation
import Reviews

/// Remembers that `post` found nothing to do, and until when that stays true, so that the
/// cron tick after it costs a fingerprint and one ledger read instead of a look at every
/// review × destination.
///
/// It holds while the site's fingerprint (program, config, every review file's stat), the
/// set of usable destinations and the ledger's change counter are all unchanged, and the
/// clock has not reached the next retry or the next scheduled publication. Anything else
/// means a full look. It lives in `.syndicate/cache/`, which may be deleted at any time.
public struct IdleMarker: Sendable {
    public let url: URL

    public init(siteDirectory: URL) {
        url = siteDirectory.appendingPathComponent(".syndicate/cache/post-idle.json")
    }

    struct Record: Codable, Equatable {
        var fingerprint: String
        var destinations: [String]
        var ledgerVersion: Int64
        /// Epoch seconds; nil when nothing is scheduled at all.
        var idleUntil: Double?
    }

    public static func fingerprint(siteDirectory: URL, configData: Data) -> String {
        SiteFingerprint.compute(siteDirectory: siteDirectory, configData: configData, purpose: "post-idle-1")
    }

    /// Whether the last run's "nothing to do" still stands.
    public func holds(fingerprint: String, destinations: [String], ledgerVersion: Int64, now: Date) -> Bool {
        guard let data = FileReader.contents(atPath: url.path),
              let record = try? JSONDecoder().decode(Record.self, from: data) else { return false }
        return record.fingerprint == fingerprint && record.destinations == destinations && record.ledgerVersion == ledgerVersion
            && (record.idleUntil.map { now.timeIntervalSince1970 < $0 } ?? true)
    }

    public func save(fingerprint: String, destinations: [String], ledgerVersion: Int64, idleUntil: Date?) {
        let record = Record(fingerprint: fingerprint, destinations: destinations, ledgerVersion: ledgerVersion,
                            idleUntil: idleUntil.map(\.timeIntervalSince1970))
        guard let data = try? JSONEncoder().encode(record) else { return }
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? data.write(to: url, options: .atomic)
    }

    public func clear() { try? FileManager.default.removeItem(at: url) }
}
