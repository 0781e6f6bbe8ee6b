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
        url = siteDirectory.appendingPathComponent(".syndicate/cache/post-idle")
    }

    /// What the marker file holds (`CacheFile.store`); one of another shape (an older
    /// version's) reads as no marker.
    private struct Record: Codable, Equatable {
        var fingerprint: String
        var ledgerVersion: Int64
        /// Epoch seconds; nil when nothing is scheduled at all.
        var idleUntil: Double?
    }

    /// Everything a `post` depends on besides the ledger: the program, `syndicate.toml`, the
    /// `credentials` file, the `SYNDICATE_*` environment (credential overrides, the clock),
    /// and every review file's stat.
    public static func fingerprint(siteDirectory: URL, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        var inputs = FileManager.default.contents(atPath: siteDirectory.appendingPathComponent(ConfigLoader.fileName).path) ?? Data()
        inputs.append(0)
        let credentials = siteDirectory.appendingPathComponent(Credentials.fileName).path
        inputs.append(FileManager.default.contents(atPath: credentials) ?? Data())
        // Its mode too: a credentials file that became readable by others must be refused.
        var info = stat()
        if stat(credentials, &info) == 0 { inputs.append(Data("\u{0}mode=\(info.st_mode)".utf8)) }
        for (key, value) in environment.sorted(by: { $0.key < $1.key }) where key.hasPrefix("SYNDICATE_") && key != "SYNDICATE_NOW" {
            inputs.append(Data("\u{0}\(key)=\(value)".utf8))
        }
        return SiteFingerprint.compute(siteDirectory: siteDirectory, configData: inputs, purpose: "post-idle-2")
    }

    /// Whether the last run's "nothing to do" still stands. Cheap on purpose: no config or
    /// credentials parsing, and the ledger read through a read-only connection.
    public func holds(fingerprint: String, siteDirectory: URL, now: Date) -> Bool {
        guard let record = CacheFile.load(Record.self, from: url), record.fingerprint == fingerprint,
              record.idleUntil.map({ now.timeIntervalSince1970 < $0 }) ?? true,
              let version = Ledger.peekVersion(siteDirectory: siteDirectory) else { return false }
        return version == record.ledgerVersion
    }

    public func save(fingerprint: String, ledgerVersion: Int64, idleUntil: Date?) {
        let record = Record(fingerprint: fingerprint, ledgerVersion: ledgerVersion, idleUntil: idleUntil.map(\.timeIntervalSince1970))
        CacheFile.store(record, at: url)
    }

    public func clear() { try? FileManager.default.removeItem(at: url) }
}
