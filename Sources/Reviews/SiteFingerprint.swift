import Foundation

/// A cheap fingerprint of a site's inputs as they are on disk: the program itself,
/// `syndicate.toml`'s bytes, and each review file's path, size, mtime and inode, in the
/// configured folder and its subfolders. Caches under `.syndicate/cache/` are valid only
/// while it holds.
public enum SiteFingerprint {
    /// - Parameter settings: the files source's folder; nil reads it from the site's
    ///   `syndicate.toml` (for callers that hold only its bytes).
    public static func compute(siteDirectory: URL, configData: Data, purpose: String, settings: FilesSettings? = nil) -> String {
        var hasher = FNV64()
        hasher.add("syndicate-" + purpose)
        if let exe = FileStat("/proc/self/exe") { hasher.add(UInt64(bitPattern: exe.size)); hasher.add(UInt64(bitPattern: exe.mtimeNanoseconds)) }
        hasher.add(configData)
        let settings = settings ?? FilesSettings.ofSite(siteDirectory)
        let site = siteDirectory.path + "/"
        // A missing folder fingerprints as an empty one; loading it is what reports it.
        let paths = (try? ReviewFolder.entries(in: siteDirectory, settings: settings)) ?? []
        for path in paths {
            hasher.add(path)
            if let file = FileStat(site + path) {
                hasher.add(UInt64(bitPattern: file.size))
                hasher.add(UInt64(bitPattern: file.mtimeNanoseconds))
                hasher.add(file.inode)
            } else {
                hasher.add("missing")
            }
        }
        hasher.add(UInt64(paths.count))
        return hasher.hex
    }
}

/// `stat(2)`, for what Foundation's attributes round off (nanosecond mtimes).
package struct FileStat: Sendable {
    package var size: Int64
    package var mtimeNanoseconds: Int64
    package var inode: UInt64

    package init?(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        size = Int64(info.st_size)
        #if canImport(Darwin)
        mtimeNanoseconds = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
        #else
        mtimeNanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        #endif
        inode = UInt64(info.st_ino)
    }
}

/// FNV-1a over 64-bit words: a cheap, stable fingerprint (not a security measure), the one
/// hash of the project. It names a review's contents (`Review.contentHash`, which ledgers
/// store as `content_hash` so that `status` can flag a review edited after posting) and keys
/// the caches (`SiteFingerprint`).
///
/// The ledgers hold its values: changing the algorithm would flag every posted review as
/// edited. `ReviewsTests.HashTests` pins it.
package struct FNV64: Sendable {
    private static let prime: UInt64 = 0x0000_0100_0000_01B3
    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325

    package init() {}

    /// The hex digest of one piece of data, as `Review.contentHash` stores it.
    package static func hex(of data: Data) -> String {
        var hasher = FNV64()
        hasher.add(data)
        return hasher.hex
    }

    /// Mixes in `bytes`: whole words at a time (fast on large review bodies), then the last
    /// few bytes one by one, then the count, which sets one piece apart from the next.
    package mutating func add(_ bytes: UnsafeRawBufferPointer) {
        let words = bytes.count / 8
        for index in 0..<words {
            hash ^= bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)
            hash = hash &* Self.prime
        }
        for byte in bytes[(words * 8)...] {
            hash ^= UInt64(byte)
            hash = hash &* Self.prime
        }
        hash ^= UInt64(bytes.count)
    }

    package mutating func add(_ data: Data) { data.withUnsafeBytes { add($0) } }

    package mutating func add(_ text: String) {
        var text = text
        text.withUTF8 { add(UnsafeRawBufferPointer($0)) }
    }

    package mutating func add(_ value: UInt64) { withUnsafeBytes(of: value) { add($0) } }

    package var value: UInt64 { hash }

    /// The value as 16 hex digits.
    package var hex: String {
        let text = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
