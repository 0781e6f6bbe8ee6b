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

    struct Record: Equatable {
        var fingerprint: String
        var ledgerVersion: Int64
        /// Epoch seconds; nil when nothing is scheduled at all.
        var idleUntil: Double?

        /// Three lines, `fingerprint`, `ledger-version` and `idle-until` (`-` for none), after
        /// a header line. Read by every cron tick, so kept to what a split can parse: going
        /// through Codable cost that tick a fifth of a millisecond in type lookups alone.
        var text: String {
            "syndicate post-idle 1\nfingerprint \(fingerprint)\nledger-version \(ledgerVersion)\nidle-until \(idleUntil.map { "\($0)" } ?? "-")\n"
        }

        init(fingerprint: String, ledgerVersion: Int64, idleUntil: Double?) {
            self.fingerprint = fingerprint
            self.ledgerVersion = ledgerVersion
            self.idleUntil = idleUntil
        }

        /// Nil for anything but exactly what `text` writes (an older format, a torn file).
        init?(text: Substring) {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            guard lines.count == 5, lines[0] == "syndicate post-idle 1", lines[4].isEmpty,
                  let fingerprint = Self.value(lines[1], "fingerprint"),
                  let version = Self.value(lines[2], "ledger-version").flatMap({ Int64($0) }),
                  let until = Self.value(lines[3], "idle-until") else { return nil }
            if until == "-" {
                idleUntil = nil
            } else {
                guard let seconds = Double(until) else { return nil }
                idleUntil = seconds
            }
            self.fingerprint = String(fingerprint)
            ledgerVersion = version
        }

        private static func value(_ line: Substring, _ name: String) -> Substring? {
            guard line.hasPrefix(name + " ") else { return nil }
            return line.dropFirst(name.count + 1)
        }
    }

    /// Everything a `post` depends on besides the ledger: the program, `syndicate.toml`, the
    /// `credentials` file, the `SYNDICATE_*` environment (credential overrides, the clock),
    /// and every review file's stat.
    public static func fingerprint(siteDirectory: URL, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        var inputs = FileReader.contents(atPath: siteDirectory.appendingPathComponent(ConfigLoader.fileName).path) ?? Data()
        inputs.append(0)
        let credentials = siteDirectory.appendingPathComponent(Credentials.fileName).path
        inputs.append(FileReader.contents(atPath: credentials) ?? Data())
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
        guard let data = FileReader.contents(atPath: url.path),
              let record = Record(text: Substring(decoding: data, as: UTF8.self)),
              record.fingerprint == fingerprint, record.idleUntil.map({ now.timeIntervalSince1970 < $0 }) ?? true,
              let version = Ledger.peekVersion(siteDirectory: siteDirectory) else { return false }
        return version == record.ledgerVersion
    }

    public func save(fingerprint: String, ledgerVersion: Int64, idleUntil: Date?) {
        let record = Record(fingerprint: fingerprint, ledgerVersion: ledgerVersion, idleUntil: idleUntil.map(\.timeIntervalSince1970))
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? Data(record.text.utf8).write(to: url, options: .atomic)
    }

    public func clear() { try? FileManager.default.removeItem(at: url) }
}
