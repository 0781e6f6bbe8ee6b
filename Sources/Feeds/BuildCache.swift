import Foundation
import Reviews

/// Remembers the last build so that a build with nothing changed costs a few `stat` calls:
/// cron runs `syndicate build` often, and a site of ten thousand reviews must not be parsed
/// again to find out that nothing happened.
///
/// The fingerprint covers the program itself, `syndicate.toml`'s bytes, and each review
/// file's path, size and modification time, in `[source] folder` and its subfolders
/// (`SiteFingerprint`). A future-dated review changes the output when
/// its date arrives, so the earliest such date is kept and ends the cache's validity. The
/// outputs' sizes and mtimes are checked too, so a deleted or edited feed is rebuilt. The
/// cache lives in `.syndicate/cache/`, which may be deleted at any time.
struct BuildCache {
    let siteDirectory: URL
    var fileURL: URL { siteDirectory.appendingPathComponent(".syndicate/cache/build.json") }

    struct Record: Codable, Equatable {
        var fingerprint: String
        /// The earliest date at which a not-yet-published review would become published.
        var validUntil: Double?
        var outputs: [Output]
        var entries: Int
        var diagnostics: [String]
    }

    struct Output: Codable, Equatable {
        var path: String
        var size: Int64
        var mtime: Int64
    }

    /// The fingerprint of the inputs as they are on disk now.
    func fingerprint(configData: Data) -> String {
        SiteFingerprint.compute(siteDirectory: siteDirectory, configData: configData, purpose: "build-cache-1")
    }

    func load() -> Record? { CacheFile.load(Record.self, from: fileURL) }

    /// Whether `record` still describes the inputs and outputs.
    func isFresh(_ record: Record, fingerprint: String, outputDirectory: URL, now: Date) -> Bool {
        guard record.fingerprint == fingerprint else { return false }
        if let validUntil = record.validUntil, now.timeIntervalSince1970 >= validUntil { return false }
        return record.outputs.allSatisfy { output in
            guard let stat = FileStat(outputDirectory.appendingPathComponent(output.path).path) else { return false }
            return stat.size == output.size && stat.mtimeNanoseconds == output.mtime
        }
    }

    /// Saves the record; a site folder that cannot hold a cache just goes without.
    func save(_ record: Record) { CacheFile.store(record, at: fileURL) }

    static func outputs(_ paths: [String], in directory: URL) -> [Output] {
        paths.compactMap { path in
            FileStat(directory.appendingPathComponent(path).path).map { Output(path: path, size: $0.size, mtime: $0.mtimeNanoseconds) }
        }
    }
}

