/// Limits how many requests are in flight at once, across destinations (`post.concurrency`).
actor AsyncSemaphore {
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) { available = count }

    func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            available += 1
        } else {
            waiters.removeFirst().resume()
        }
    }

    /// For a holder about to need a slot again: true, keeping its slot, when nobody waits for
    /// one; otherwise the slot goes to the first waiter, and the holder must `acquire` anew.
    func keepIfUncontended() -> Bool {
        if waiters.isEmpty { return true }
        waiters.removeFirst().resume()
        return false
    }
}
