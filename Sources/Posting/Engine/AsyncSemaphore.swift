import Foundation

/// Limits how many requests are in flight at once, across destinations (`post.concurrency`).
///
/// A lock, not an actor: taking a free slot and keeping one are answered on the caller's
/// thread, with no hop to another executor; only a caller that must wait suspends.
final class AsyncSemaphore: @unchecked Sendable {
    private let lock = NSLock()
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) { available = count }

    func acquire() async {
        if takeFree() { return }
        await withCheckedContinuation { continuation in
            // Checked again under the lock: a slot may have come free since.
            lock.lock()
            if available > 0 {
                available -= 1
                lock.unlock()
                continuation.resume()
            } else {
                waiters.append(continuation)
                lock.unlock()
            }
        }
    }

    private func takeFree() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard available > 0 else { return false }
        available -= 1
        return true
    }

    func release() {
        lock.lock()
        if waiters.isEmpty {
            available += 1
            lock.unlock()
        } else {
            let next = waiters.removeFirst()
            lock.unlock()
            next.resume()
        }
    }

    /// For a holder about to need a slot again: true, keeping its slot, when nobody waits for
    /// one; otherwise the slot goes to the first waiter, and the holder must `acquire` anew.
    func keepIfUncontended() -> Bool {
        lock.lock()
        if waiters.isEmpty {
            lock.unlock()
            return true
        }
        let next = waiters.removeFirst()
        lock.unlock()
        next.resume()
        return false
    }
}
