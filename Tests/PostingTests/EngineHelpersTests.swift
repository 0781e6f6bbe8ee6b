import Foundation
@testable import Posting
import Testing

@Suite("Engine helpers")
struct EngineHelpersTests {
    @Test func idempotencyKeysAreVersion4UUIDs() {
        let keys = (0..<200).map { _ in IdempotencyKey.random() }
        #expect(Set(keys).count == keys.count)
        for key in keys {
            let parsed = UUID(uuidString: key)
            #expect(parsed != nil, "\(key)")
            #expect(key == key.lowercased())
            let bytes = Array(key.utf8)
            #expect(bytes[14] == UInt8(ascii: "4"), "version 4: \(key)")
            #expect([UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(bytes[19]), "RFC 4122 variant: \(key)")
        }
    }

    @Test func semaphoreKeepsASlotOnlyWhileNobodyWaits() async throws {
        let semaphore = AsyncSemaphore(1)
        await semaphore.acquire()
        #expect(semaphore.keepIfUncontended(), "nobody waits: the holder keeps its slot")
        let waiter = Task { await semaphore.acquire(); return true }
        // Give the waiter time to queue up behind the held slot.
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(!semaphore.keepIfUncontended(), "someone waits: the slot goes to them")
        #expect(await waiter.value)
        semaphore.release()
        await semaphore.acquire() // free again: taken at once
        semaphore.release()
    }

    @Test func semaphoreNeverLetsMoreThanItsCountIn() async {
        let semaphore = AsyncSemaphore(3)
        let counter = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    await semaphore.acquire()
                    counter.enter()
                    try? await Task.sleep(nanoseconds: 5_000_000)
                    counter.leave()
                    semaphore.release()
                }
            }
        }
        #expect(counter.peak <= 3)
        #expect(counter.peak >= 1)
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var inside = 0
        private(set) var peak = 0
        func enter() { lock.lock(); inside += 1; peak = max(peak, inside); lock.unlock() }
        func leave() { lock.lock(); inside -= 1; lock.unlock() }
    }
}
