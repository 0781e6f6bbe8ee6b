import Foundation

/// A small file under `.syndicate/cache/`, which may be deleted or torn at any time: written
/// whole (a temporary file renamed over it), and read back only when it is exactly what was
/// written, so that anything else means "look again", never a wrong answer.
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

    /// Writes `text` to `url`, making its folder if needed; a failure only loses the cache.
    public static func write(_ text: String, to url: URL) {
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? Data(text.utf8).write(to: url, options: .atomic)
    }

    /// A record as text: `header`, then one `key value` line per field, in order.
    public static func record(header: String, _ fields: KeyValuePairs<String, String>) -> String {
        var text = header + "\n"
        for (key, value) in fields { text += key + " " + value + "\n" }
        return text
    }

    /// The values of a `record`, in the order of `keys`; nil unless `text` is exactly `header`
    /// and one line per key, in that order (an older format, a torn file).
    public static func values(in text: Substring, header: String, keys: [String]) -> [Substring]? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == keys.count + 2, lines[0] == header, lines[keys.count + 1].isEmpty else { return nil }
        var values: [Substring] = []
        values.reserveCapacity(keys.count)
        for (key, line) in zip(keys, lines[1...]) {
            guard line.hasPrefix(key + " ") else { return nil }
            values.append(line.dropFirst(key.count + 1))
        }
        return values
    }

    /// `values(in:header:keys:)` of the file at `url`.
    public static func values(at url: URL, header: String, keys: [String]) -> [Substring]? {
        FileManager.default.contents(atPath: url.path).flatMap { values(in: Substring(decoding: $0, as: UTF8.self), header: header, keys: keys) }
    }
}
