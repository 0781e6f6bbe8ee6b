import Foundation

/// JSON as every adapter stores and sends it: sorted keys, slashes as they are.
enum JSONCoding {
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}

/// Secrets' caches on disk: mode 0600 from the start, replaced atomically.
enum PrivateFile {
    static func store(_ data: Data, at url: URL) {
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let staging = url.path + ".\(getpid()).tmp"
        let descriptor = open(staging, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        fsync(descriptor)
        close(descriptor)
        if written == data.count { rename(staging, url.path) } else { unlink(staging) }
    }
}

/// The string values of chosen top-level members of a JSON object, read in one pass over the
/// bytes. What a successful post answers is a large object (Mastodon's Status has the whole
/// account in it) of which only an id and a URL are kept; a full decode cost more than the
/// rest of reading the answer. Nested objects and arrays are skipped, never searched, so a
/// nested `id` is never taken for the top-level one. nil when the data is not a JSON object.
enum TopLevelJSONStrings {
    /// The member names to keep, as bytes once (an adapter keeps one of these for good).
    struct Keys {
        fileprivate let names: [[UInt8]]

        init(_ names: Set<String>) { self.names = names.map { Array($0.utf8) } }
    }

    static func read(_ data: Data, keys: Keys) -> [String: String]? {
        data.withUnsafeBytes { raw in
            var scanner = Scanner(bytes: raw.bindMemory(to: UInt8.self))
            return scanner.object(keys: keys.names)
        }
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard current == byte else { return false }
            index += 1
            return true
        }

        mutating func object(keys: [[UInt8]]) -> [String: String]? {
            guard take(UInt8(ascii: "{")) else { return nil }
            var found = [String: String](minimumCapacity: keys.count)
            if take(UInt8(ascii: "}")) { return finished(found) }
            repeat {
                skipSpace()
                guard let key = self.key(among: keys), take(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                if case .wanted(let key) = key, current == UInt8(ascii: "\"") {
                    guard let value = string() else { return nil }
                    found[key] = value
                } else {
                    guard skipValue() else { return nil }
                }
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "}")) else { return nil }
            return finished(found)
        }

        enum Name {
            case wanted(String)
            case other
        }

        /// A member's name, and whether it is one of `keys`; nil when it is not a string.
        /// Compared as bytes: only a name with escapes in it is decoded first.
        private mutating func key(among keys: [[UInt8]]) -> Name? {
            let start = index + 1
            guard let escaped = skipString() else { return nil }
            if escaped {
                index = start - 1
                guard let name = string() else { return nil }
                return keys.contains(Array(name.utf8)) ? .wanted(name) : .other
            }
            let name = UnsafeBufferPointer(rebasing: bytes[start..<index - 1])
            guard let match = keys.first(where: { $0.elementsEqual(name) }) else { return .other }
            return .wanted(String(decoding: match, as: UTF8.self))
        }

        /// Moves past a string (at its opening quote) without building it, checking what
        /// `string()` would. Returns whether it had escapes; nil when it is not a valid string.
        private mutating func skipString() -> Bool? {
            guard current == UInt8(ascii: "\"") else { return nil }
            index += 1
            var escaped = false
            var runStart = index
            var runIsASCII = true
            func runIsValid(_ end: Int) -> Bool {
                runIsASCII || String(validating: UnsafeBufferPointer(rebasing: bytes[runStart..<end]), as: UTF8.self) != nil
            }
            while let byte = current {
                switch byte {
                case UInt8(ascii: "\""):
                    guard runIsValid(index) else { return nil }
                    index += 1
                    return escaped
                case UInt8(ascii: "\\"):
                    guard runIsValid(index) else { return nil }
                    index += 1
                    guard escape() != nil else { return nil }
                    escaped = true
                    runStart = index
                    runIsASCII = true
                case 0x00..<0x20:
                    return nil
                case 0x80...:
                    runIsASCII = false
                    index += 1
                default:
                    index += 1
                }
            }
            return nil
        }

        /// Only white space may follow the object.
        private mutating func finished(_ found: [String: String]) -> [String: String]? {
            skipSpace()
            return index == bytes.count ? found : nil
        }

        /// A string at `index` (which holds its opening quote), with its escapes decoded.
        /// One without escapes (nearly every one) is validated and built straight from the
        /// bytes; one with escapes has them decoded into a byte buffer first.
        mutating func string() -> String? {
            let start = index + 1
            guard let escaped = skipString() else { return nil }
            // skipString has validated the bytes: decoding them is a copy.
            if !escaped { return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index - 1]), as: UTF8.self) }
            let end = index
            index = start
            var decoded: [UInt8] = []
            decoded.reserveCapacity(end - start)
            while let byte = current {
                switch byte {
                case UInt8(ascii: "\\"):
                    index += 1
                    guard let scalar = escape() else { return nil }
                    decoded.append(contentsOf: UTF8.encode(scalar)!)
                case UInt8(ascii: "\""):
                    index += 1
                    // skipString has checked the runs between escapes already.
                    return String(decoding: decoded, as: UTF8.self)
                default:
                    decoded.append(byte)
                    index += 1
                }
            }
            return nil
        }

        /// The escape after a backslash.
        private mutating func escape() -> Unicode.Scalar? {
            guard let byte = current else { return nil }
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                guard let high = hex4() else { return nil }
                if (0xD800..<0xDC00).contains(high) {
                    // A surrogate pair: the low half must follow as its own escape.
                    guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else { return nil }
                    index += 2
                    guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                    return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                }
                return Unicode.Scalar(high)
            default: return nil
            }
        }

        private mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }

        /// Skips any value: a string, or a number, literal, object or array, whose nested
        /// strings are skipped whole (so brackets inside them do not count).
        mutating func skipValue() -> Bool {
            skipSpace()
            guard let first = current else { return false }
            if first == UInt8(ascii: "\"") { return skipString() != nil }
            var depth = 0
            while let byte = current {
                switch byte {
                case UInt8(ascii: "\""):
                    guard skipString() != nil else { return false }
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth == 0 { return index > 0 && first != byte }
                    depth -= 1
                    if depth == 0 {
                        index += 1
                        return true
                    }
                case UInt8(ascii: ","):
                    if depth == 0 { return first != byte }
                default:
                    break
                }
                index += 1
            }
            return depth == 0 && first != UInt8(ascii: "{") && first != UInt8(ascii: "[")
        }
    }
}
