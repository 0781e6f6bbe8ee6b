import Foundation

/// A cheap fingerprint of a site's inputs as they are on disk: the program itself,
/// `syndicate.toml`'s bytes, and each review file's name, size, mtime and inode. Caches
/// under `.syndicate/cache/` are valid only while it holds.
public enum SiteFingerprint {
    public static func compute(siteDirectory: URL, configData: Data, purpose: String) -> String {
        var hasher = FNV64()
        hasher.add("syndicate-" + purpose)
        if let exe = FileStat("/proc/self/exe") { hasher.add(UInt64(bitPattern: exe.size)); hasher.add(UInt64(bitPattern: exe.mtimeNanoseconds)) }
        hasher.add(configData)
        // stat relative to the folder's descriptor: a full path walk per file was most of a
        // warm build's time.
        let folder = siteDirectory.appendingPathComponent("reviews").path
        guard let directory = opendir(folder) else { hasher.add("no reviews folder"); return hasher.hex }
        defer { closedir(directory) }
        let descriptor = dirfd(directory)
        let names = ReviewLoader.reviewFiles(in: siteDirectory, sorted: false)
        // Each file's own hash, summed: the sum does not depend on the order, so the names
        // need no sorting, and both cores stat half the files each, when there are enough
        // files to be worth a second thread.
        let chunk = names.count < 2000 ? max(1, names.count) : (names.count + 1) / 2
        let parts = ParallelMap.map(Array(stride(from: 0, to: names.count, by: chunk))) { start -> UInt64 in
            var sum: UInt64 = 0
            for name in names[start..<min(names.count, start + chunk)] {
                var info = stat()
                var file = FNV64()
                file.add(name)
                if fstatat(descriptor, name, &info, 0) == 0 {
                    file.add(UInt64(info.st_size))
                    file.add(UInt64(info.st_mtim.tv_sec) &* 1_000_000_000 &+ UInt64(info.st_mtim.tv_nsec))
                    file.add(UInt64(info.st_ino))
                } else {
                    file.add("missing")
                }
                sum &+= file.value
            }
            return sum
        }
        hasher.add(UInt64(names.count))
        hasher.add(parts.reduce(0, &+))
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

    public mutating func add(_ value: UInt64) {
        var value = value
        for _ in 0..<8 {
            mix(UInt8(truncatingIfNeeded: value))
            value >>= 8
        }
    }

    private mutating func mix(_ byte: UInt8) {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01B3
    }

    public var value: UInt64 { hash }

    public var hex: String {
        let text = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}

/// Reads a whole file with `open`/`read`: FileManager's reader does more work per file than a
/// build of ten thousand reviews can afford.
public enum FileReader {
    public static func contents(atPath path: String) -> Data? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        // Not Data(count:), which zero-fills a buffer that read() is about to overwrite.
        let capacity = max(1, Int(info.st_size))
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        var total = 0
        var ok = true
        while total < Int(info.st_size) {
            let count = read(descriptor, buffer + total, Int(info.st_size) - total)
            if count < 0 { if errno == EINTR { continue }; ok = false; break }
            if count == 0 { break }
            total += count
        }
        guard ok else { buffer.deallocate(); return nil }
        let data = Data(bytesNoCopy: buffer, count: total, deallocator: .custom { pointer, _ in pointer.deallocate() })
        return data
    }
}
