import Foundation

/// A file written beside its final place and moved there only when complete, so readers
/// never see half a feed; and not moved at all when its bytes would not change, so the
/// file's mtime (and every HTTP cache keyed on it) stays put. The feeds and the review cards
/// are written through it.
package struct StagedFile {
    package let finalPath: String
    package let stagingPath: String

    package init(finalPath: String) {
        self.finalPath = finalPath
        let directory = (finalPath as NSString).deletingLastPathComponent
        let name = (finalPath as NSString).lastPathComponent
        stagingPath = directory + "/." + name + ".\(getpid()).tmp"
    }

    package enum Outcome { case written, unchanged }

    /// Moves the staged file into place, or drops it when the final file already has its bytes.
    package func commit() throws -> Outcome {
        if Self.sameBytes(stagingPath, finalPath) {
            unlink(stagingPath)
            return .unchanged
        }
        if rename(stagingPath, finalPath) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(stagingPath)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: finalPath, NSLocalizedDescriptionKey: "\(finalPath): \(reason)"])
        }
        return .written
    }

    package func discard() { unlink(stagingPath) }

    /// Removes the staging files (`.NAME.PID.tmp`) in `directory` of processes that are gone:
    /// a build killed with SIGKILL cannot clean up after itself, and each one it leaves is a
    /// whole feed. A live process's files (another build at work) are left alone.
    package static func removeStale(in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            let parts = name.dropLast(".tmp".count).split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count >= 3, let pid = pid_t(parts[parts.count - 1]), pid > 0, pid != getpid(),
                  kill(pid, 0) != 0, errno == ESRCH else { continue }
            var info = stat()
            let path = directory + "/" + name
            if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG { unlink(path) }
        }
    }

    /// Compares two files in chunks, so that large feeds are never read whole.
    package static func sameBytes(_ a: String, _ b: String) -> Bool {
        var statA = stat(), statB = stat()
        guard stat(a, &statA) == 0, stat(b, &statB) == 0, statA.st_size == statB.st_size else { return false }
        guard let fa = fopen(a, "rb") else { return false }
        defer { fclose(fa) }
        guard let fb = fopen(b, "rb") else { return false }
        defer { fclose(fb) }
        let size = 1 << 16
        var bufferA = [UInt8](repeating: 0, count: size), bufferB = [UInt8](repeating: 0, count: size)
        while true {
            let readA = fread(&bufferA, 1, size, fa)
            let readB = fread(&bufferB, 1, size, fb)
            if readA != readB { return false }
            if readA == 0 { return true }
            if memcmp(bufferA, bufferB, readA) != 0 { return false }
        }
    }
}
