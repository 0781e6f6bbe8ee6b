import Foundation

/// A small file under `.syndicate/cache/`, which may be deleted or torn at any time: written
/// whole (a temporary file renamed over it), and read back only when it decodes as what was
/// written, so that anything else means "look again", never a wrong answer. Caches are JSON;
/// only the review index, read on every cron tick, is a text table (`ReviewIndex`).
public enum CacheFile {
    /// Stores `value` as JSON at `url`, written whole, making its folder if needed; a failure
    /// only loses the cache.
    public static func store(_ value: some Encodable, at url: URL) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard let data = try? encoder.encode(value) else { return }
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? data.write(to: url, options: .atomic)
    }

    /// The value stored at `url` by `store`; nil when the file is missing, torn, or of
    /// another shape (an older version's cache), all of which mean "look again".
    public static func load<Value: Decodable>(_ type: Value.Type, from url: URL) -> Value? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }

    /// Writes `text` to `url` whole, making its folder if needed; a failure only loses the cache.
    public static func write(_ text: String, to url: URL) {
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? Data(text.utf8).write(to: url, options: .atomic)
    }
}
