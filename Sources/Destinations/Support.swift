import Foundation
import Reviews

/// JSON as every adapter stores and sends it: sorted keys, slashes as they are.
enum JSONCoding {
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}

/// An adapter's own state on disk (a session, a token, the links it made): a `CacheFile`
/// of one type. A file that is missing or unreadable loads as nil: the adapter signs in or
/// starts again.
struct PrivateFile<Value: Codable>: Sendable {
    let url: URL

    func load() -> Value? { CacheFile.load(Value.self, from: url) }

    func save(_ value: Value) { CacheFile.store(value, at: url) }

    func clear() { unlink(url.path) }
}
