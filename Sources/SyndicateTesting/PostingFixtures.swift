import Foundation

extension TemporarySite {
    /// A site with `count` published reviews (dated a day apart from 2025-01-01) and the
    /// destinations given as TOML; `feeds` is added to the `[feeds]` table.
    /// - Parameter since: `post.since`. Set by default: these sites test posting, and with it
    ///   unset a new site's first `post` adopts its reviews instead (docs/SPEC.md §6); nil
    ///   leaves it unset, for the tests of adoption.
    public static func posting(reviews count: Int, destinations: String, post: String = "", since: String? = "2025-01-01",
                               credentials: String? = nil, hub: String = "", feeds: String = "") throws -> TemporarySite {
        let site = try TemporarySite(config: """
        [site]
        title = "Test Reviews"
        url = "https://reviews.test"
        author = "Tester"
        timezone = "UTC"

        [feeds]
        hub = "\(hub)"
        \(feeds)

        [post]
        \(since.map { "since = \"\($0)\"" } ?? "")
        backoff_base = "30s"
        \(post)

        \(destinations)
        """)
        for day in 0..<count {
            let date = Date(timeIntervalSince1970: 1_735_689_600 + Double(day) * 86400)
            let stamp = ISO8601DateFormatter().string(from: date)
            try site.review(String(format: "r%04d.md", day), """
            title: "Film \(day)"
            date: \(stamp)
            year: 2024
            rating: 3.5
            genres: [Drama, Science Fiction]
            summary: "Summary of film \(day), which is worth seeing."
            """)
        }
        if let credentials {
            try site.write("credentials", credentials)
            chmod(site.directory.appendingPathComponent("credentials").path, 0o600)
        }
        return site
    }
}

/// Polls until `condition` holds or `timeout` passes.
public func eventually(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return condition()
}

/// Polls until `condition` holds or `timeout` passes, sleeping without holding a thread: a
/// long end-to-end test must not starve the tasks of the tests running beside it (a lease
/// renewal, a fake's answer).
public func eventually(timeout: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}
