import Foundation

/// Exponential backoff with full jitter (docs/SPEC.md §6): the n-th retry waits a random time up to
/// `base · 2^(n-1)`, capped by `max`, and never less than the server asked for, up to
/// `longestServerWait`.
public struct RetryPolicy: Sendable {
    public var base: Double
    public var max: Double
    public var maxAttempts: Int

    public init(base: Double, max: Double, maxAttempts: Int) {
        self.base = base
        self.max = max
        self.maxAttempts = maxAttempts
    }

    /// When to try again after `attempts` attempts, or nil when they are used up.
    public func nextAttempt(after attempts: Int, now: Date, notBefore: Date?,
                            random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> Date? {
        guard attempts < maxAttempts else { return nil }
        let ceiling = Swift.min(max, base * pow(2, Double(Swift.max(0, attempts - 1))))
        let jittered = now.addingTimeInterval(random(0...ceiling))
        guard let notBefore else { return jittered }
        // A server's wait is capped (`Retry-After: 1e12` or `inf` would park the delivery
        // for ever); the attempt that got it still counts towards `maxAttempts`.
        return Swift.max(jittered, Swift.min(notBefore, now.addingTimeInterval(longestServerWait)))
    }

    /// The longest a server can make a delivery wait: `max`, or a day when `max` is shorter.
    public var longestServerWait: Double { Swift.max(max, 86400) }
}
