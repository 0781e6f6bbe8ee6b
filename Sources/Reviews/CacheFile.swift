import Foundation

/// A small file under `.syndicate/cache/`, which may be deleted or torn at any time: written
/// whole (a temporary file renamed over it), and read back only when it decodes as what was
/// written, so that anything else means "look again", never a wrong answer. Caches are JSON;
/// only the review index, read on every cron tick, is a text table (`ReviewIndex`).
public enum CacheFile {
    /// Stores `value` as JSON at `url` (see `write`).
    public static func store(_ value: some Encodable, at url: URL) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard let data = try? encoder.encode(value) else { return }
        write(data, to: url)
    }

    /// The value stored at `url` by `store`; nil when the file is missing, torn, or of
    /// another shape (an older version's cache), all of which mean "look again".
    public static func load<Value: Decodable>(_ type: Value.Type, from url: URL) -> Value? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }

    /// Writes `data` to `url` whole (a temporary file, synced, renamed over it), making its
    /// folder if needed. The file is readable by its owner alone from the moment it exists,
    /// since some of these files hold a session or a token. A failure only loses the cache.
    public static func write(_ data: Data, to url: URL) {
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let staging = url.path + ".\(getpid()).tmp"
        let descriptor = open(staging, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        let written = data.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        if written == data.count && synced { rename(staging, url.path) } else { unlink(staging) }
    }
}
