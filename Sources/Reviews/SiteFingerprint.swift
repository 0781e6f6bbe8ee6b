import Foundation

/// A cheap fingerprint of a site's inputs as they are on disk: the program itself,
/// `syndicate.toml`'s bytes, and each review file's name, size, mtime and inode. Caches
/// under `.syndicate/cache/` are valid only while it holds.
public enum SiteFingerprint {
    public static func compute(siteDirectory: URL, configData: Data, purpose: String) -> String {
        var hasher = FNV64()
        hasher.add("syndicate-" + purpose)
        if let exe = FileStat("/proc/self/exe") { hasher.add("\(exe.size):\(exe.mtimeNanoseconds)") }
        hasher.add(configData)
        let folder = siteDirectory.appendingPathComponent("reviews").path
        for name in ReviewLoader.reviewFiles(in: siteDirectory) {
            let stat = FileStat(folder + "/" + name)
            hasher.add("\(name)\u{0}\(stat?.size ?? -1)\u{0}\(stat?.mtimeNanoseconds ?? -1)\u{0}\(stat?.inode ?? 0)")
        }
        return hasher.hex
    }
}

/// `stat(2)`, for what Foundation's attributes round off (nanosecond mtimes).
public struct FileStat: Sendable {
    public var size: Int64
    public var mtimeNanoseconds: Int64
    public var inode: UInt64

    public init?(_ path: String) {
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

/// FNV-1a over strings and bytes: a cheap, stable fingerprint (not a security measure).
public struct FNV64: Sendable {
    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func add(_ text: String) {
        for byte in text.utf8 { mix(byte) }
        mix(0xFF)
    }

    public mutating func add(_ data: Data) {
        for byte in data { mix(byte) }
        mix(0xFF)
    }

    private mutating func mix(_ byte: UInt8) {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01B3
    }

    public var hex: String {
        let text = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
