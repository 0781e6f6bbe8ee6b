import Foundation

/// A task executor with one thread of its own, on which blocking I/O is allowed.
///
/// A task that prefers this executor (`group.addTask(executorPreference:)`) runs its
/// nonisolated code on that thread, and `CurlHTTPClient` performs its transfers right there
/// instead of handing each one to a worker thread and back. For a queue of requests made one
/// after another (one destination's deliveries), that saves two thread switches per request,
/// which cost more CPU than the request itself. Only one task should prefer an executor, since
/// a blocking transfer holds its thread.
public final class BlockingIOExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false

    public init() {
        let thread = Thread { [self] in run() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread end once the jobs enqueued so far have run.
    public func shutdown() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        let context = BlockingThreadContext()
        BlockingThreadContext.setCurrent(context)
        defer {
            BlockingThreadContext.setCurrent(nil)
            context.close()
        }
        let executor = asUnownedTaskExecutor()
        condition.lock()
        while true {
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty { break }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: executor)
            condition.lock()
        }
        condition.unlock()
    }
}

/// What a `BlockingIOExecutor` thread keeps for the transfers made on it: its own easy handle,
/// reused like a worker's, so its connections are reused too.
final class BlockingThreadContext {
    private var made: EasyHandle?

    /// Made on first use, after `CurlHTTPClient` has initialised libcurl.
    var handle: EasyHandle? {
        if made == nil { made = EasyHandle() }
        return made
    }

    func close() {
        made = nil
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// The context of the calling thread, if it is a `BlockingIOExecutor`'s.
    static var current: BlockingThreadContext? {
        pthread_getspecific(key).map { Unmanaged<BlockingThreadContext>.fromOpaque($0).takeUnretainedValue() }
    }

    static func setCurrent(_ context: BlockingThreadContext?) {
        if let old = pthread_getspecific(key) { Unmanaged<BlockingThreadContext>.fromOpaque(old).release() }
        pthread_setspecific(key, context.map { Unmanaged.passRetained($0).toOpaque() })
    }
}
