import Dispatch
import Foundation
import Synchronization

/// SIGTERM and SIGINT turned into a request to stop, for `post --watch` (docs/SPEC.md §11).
///
/// The default action of both would end the process at once, perhaps with a request on the
/// wire and its delivery left `sending` (an `unknown` for the next run). Instead the signals
/// are ignored by the process and watched through dispatch sources: the worker sends nothing
/// new, lets what is in flight finish (within `post.timeout`) and records it, then exits 0.
public final class StopSignals: Sendable {
    /// The first signal received; a class so the handlers can hold it before `self` exists.
    private final class Received: Sendable {
        let signal = Mutex<Int32?>(nil)
    }

    private let received = Received()
    /// Kept for the process's lifetime: a released source stops watching. Never touched after
    /// `init` (their handlers run on their own queue), hence safe to share.
    private nonisolated(unsafe) let sources: [any DispatchSourceSignal]

    /// Starts watching SIGTERM and SIGINT. Create it once, early, before anything is sent.
    public init() {
        var sources: [any DispatchSourceSignal] = []
        let queue = DispatchQueue(label: "syndicate.stop-signals")
        let received = self.received
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                received.signal.withLock { if $0 == nil { $0 = number } }
            }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    /// Whether a stop was asked for.
    public var requested: Bool { received.signal.withLock { $0 != nil } }

    /// The first signal received, by name (`SIGTERM`), for the log line.
    public var name: String? {
        received.signal.withLock { signal in
            switch signal {
            case SIGTERM?: return "SIGTERM"
            case SIGINT?: return "SIGINT"
            case let other?: return "signal \(other)"
            case nil: return nil
            }
        }
    }

    /// Sleeps until `deadline` (real time), the stop, or `wake` answering true, whichever
    /// comes first. In slices of a fifth of a second, after each of which the stop and `wake`
    /// are asked: `wake` must be cheap (a local read, a look at what a socket received).
    public func sleep(until deadline: ContinuousClock.Instant, wake: () -> Bool = { false }) async {
        let clock = ContinuousClock()
        while clock.now < deadline && !requested {
            try? await Task.sleep(for: min(.milliseconds(200), deadline - clock.now))
            if wake() { return }
        }
    }
}
