import Foundation

/// One `post` per site at a time: an exclusive `flock` on `.syndicate/post.lock`, released by
/// the kernel however the holder ends, so a crash never leaves a stale lock behind.
public final class PostLock: Sendable {
    private let descriptor: Int32

    /// Takes the lock, or returns nil at once when another run holds it.
    public init?(siteDirectory: URL) throws {
        let folder = siteDirectory.appendingPathComponent(".syndicate")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let descriptor = open(folder.appendingPathComponent("post.lock").path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EACCES) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
