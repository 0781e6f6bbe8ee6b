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

    /// Whether a run holds the lock now, asked without keeping it: a shared lock is granted
    /// only while nobody holds the exclusive one, and is dropped at once. (A `post` starting
    /// in that instant finds the lock taken and leaves the work to the next run.)
    public static func isHeld(siteDirectory: URL) -> Bool {
        let descriptor = open(siteDirectory.appendingPathComponent(".syndicate/post.lock").path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return flock(descriptor, LOCK_SH | LOCK_NB) != 0
    }
}
