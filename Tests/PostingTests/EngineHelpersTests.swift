import Foundation
@testable import Posting
import Synchronization
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

    @Test func semaphoreHandsSlotsOnInOrder() async throws {
        let semaphore = AsyncSemaphore(1)
        await semaphore.acquire()
        let order = Log()
        var waiters: [Task<Void, Never>] = []
        for number in 0..<3 {
            waiters.append(Task {
                await semaphore.acquire()
                order.append(number)
                semaphore.release()
            })
            // Each waiter queues up before the next one starts.
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        #expect(order.entries.isEmpty, "the slot is held: everyone waits")
        semaphore.release()
        for waiter in waiters { await waiter.value }
        #expect(order.entries == [0, 1, 2])
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

    final class Log: Sendable {
        private let state = Mutex<[Int]>([])
        var entries: [Int] { state.withLock { $0 } }
        func append(_ entry: Int) { state.withLock { $0.append(entry) } }
    }

    final class Counter: Sendable {
        private let state = Mutex((inside: 0, peak: 0))
        var peak: Int { state.withLock { $0.peak } }
        func enter() { state.withLock { $0.inside += 1; $0.peak = max($0.peak, $0.inside) } }
        func leave() { state.withLock { $0.inside -= 1 } }
    }
}
