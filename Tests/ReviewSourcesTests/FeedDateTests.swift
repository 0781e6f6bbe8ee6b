import Foundation
@testable import ReviewSources
import Testing

/// Dates as feeds write them in the wild (docs/SPEC.md §9 "feed").
@Suite struct FeedDateTests {
    static let readable: [(String, String)] = [
        // RFC 822 / 2822 as specified.
        ("Sun, 06 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z"),
        ("Tue, 11 Mar 2025 09:30:00 +0000", "2025-03-11T09:30:00Z"),
        ("Tue, 11 Mar 2025 09:30:00 -0400", "2025-03-11T13:30:00Z"),
        // Variants: one-digit day, no weekday, no seconds, two-digit years, named zones.
        ("Tue, 4 Mar 2025 09:30:00 GMT", "2025-03-04T09:30:00Z"),
        ("11 Mar 2025 09:30:00 GMT", "2025-03-11T09:30:00Z"),
        ("Tue, 11 Mar 2025 09:30 GMT", "2025-03-11T09:30:00Z"),
        ("Tue, 11 Mar 25 09:30:00 GMT", "2025-03-11T09:30:00Z"),
        ("Sun, 06 Nov 94 08:49:37 GMT", "1994-11-06T08:49:37Z"),
        ("Tue, 11 Mar 2025 09:30:00 EST", "2025-03-11T14:30:00Z"),
        ("Tue, 11 Mar 2025 09:30:00 EDT", "2025-03-11T13:30:00Z"),
        ("Tue, 11 Mar 2025 09:30:00 PDT", "2025-03-11T16:30:00Z"),
        ("Tue, 11 Mar 2025 09:30:00 PST", "2025-03-11T17:30:00Z"),
        ("Tue, 11 Mar 2025 09:30:00 UT", "2025-03-11T09:30:00Z"),
        ("Tue, 11 Mar 2025 09:30:00 Z", "2025-03-11T09:30:00Z"),
        ("Tue, 11 Mar 2025 09:30:00 +05:30", "2025-03-11T04:00:00Z"),
        // Sloppier still: full names, no space after the comma, lower case, no zone, a
        // one-digit hour, a wrong weekday (it is redundant, so it is ignored).
        ("Tuesday, 11 March 2025 09:30:00 GMT", "2025-03-11T09:30:00Z"),
        ("Tue,11 Mar 2025 09:30:00 GMT", "2025-03-11T09:30:00Z"),
        ("tue, 11 mar 2025 09:30:00 gmt", "2025-03-11T09:30:00Z"),
        ("Tue, 11 Mar 2025 09:30:00", "2025-03-11T09:30:00Z"),
        ("Tue, 11 Mar 2025 9:30:00 GMT", "2025-03-11T09:30:00Z"),
        ("Fri, 11 Mar 2025 09:30:00 GMT", "2025-03-11T09:30:00Z"),
        ("  Tue, 11 Mar 2025 09:30:00 GMT\n", "2025-03-11T09:30:00Z"),
        // ISO 8601 / RFC 3339, as Atom, JSON Feed and many RSS feeds write.
        ("2025-03-11T09:30:00Z", "2025-03-11T09:30:00Z"),
        ("2025-03-11T09:30:00-04:00", "2025-03-11T13:30:00Z"),
        ("2025-03-11T09:30:00.250+00:00", "2025-03-11T09:30:00Z"),
        ("2025-03-11 09:30:00", "2025-03-11T09:30:00Z"),
        ("2025-03-11", "2025-03-11T00:00:00Z"),
    ]

    static let unreadable = [
        "", "yesterday", "Tue, 32 Mar 2025 09:30:00 GMT", "Tue, 11 Foo 2025 09:30:00 GMT", "Tue, 11 Mar 2025 25:00:00 GMT",
        "Tue, 11 Mar 2025 09:30:00 XYZT", "Tue, 11 Mär 2025 09:30:00 GMT", "Tue, 11 Mar 12025 09:30:00 GMT",
        "0999-12-31T00:00:00Z", "2025-13-01", "11 Mar", "Tue, 11 Mar 2025 09:30:00 GMT extra words",
        String(repeating: "9", count: 500),
    ]

    @Test(arguments: readable) func aDateInTheWildIsRead(_ text: String, _ expected: String) throws {
        let date = try #require(FeedDateParser().parse(text), "\(text)")
        #expect(FeedDateTests.iso(date) == expected, "\(text)")
    }

    @Test(arguments: unreadable) func anythingElseIsNoDate(_ text: String) {
        #expect(FeedDateParser().parse(text) == nil, "\(text)")
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
