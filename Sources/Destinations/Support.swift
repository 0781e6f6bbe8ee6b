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

/// An adapter's own state on disk (a session, a token, the links it made), as JSON: mode
/// 0600 from the start, since it may hold secrets, and replaced atomically. A file that is
/// missing or unreadable loads as nil: the adapter signs in or starts again.
struct PrivateFile<Value: Codable>: Sendable {
    let url: URL

    func load() -> Value? {
        FileManager.default.contents(atPath: url.path).flatMap { try? JSONDecoder().decode(Value.self, from: $0) }
    }

    func save(_ value: Value) {
        guard let data = try? JSONEncoder().encode(value) else { return }
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let staging = url.path + ".\(getpid()).tmp"
        let descriptor = open(staging, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        fsync(descriptor)
        close(descriptor)
        if written == data.count { rename(staging, url.path) } else { unlink(staging) }
    }

    func clear() { unlink(url.path) }
}
