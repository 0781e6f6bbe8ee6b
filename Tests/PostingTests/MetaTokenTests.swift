@testable import Destinations
import Foundation
import HTTP
import Testing

/// When Instagram's and Threads' long-lived tokens are refreshed (docs/SPEC.md §8): once
/// older than 24 hours and within 10 days of expiry (an expiry not yet known counts as near).
@Suite("Meta token refresh")
struct MetaTokenTests {
    static let now = Date(timeIntervalSince1970: 1_780_000_000)
    static let day = 86_400.0

    @Test(arguments: [
        ("new, expiry unknown", -0.5, nil as Double?, false),
        ("a day and a bit old, expiry unknown", -1.1, nil, true),
        ("two days old, expiring in 50 days", -2, 50, false),
        ("50 days old, expiring in 11 days", -50, 11, false),
        ("50 days old, expiring in 9 days", -50, 9, true),
        ("12 hours old, expiring in 2 days", -0.5, 2, false),
    ])
    func refreshDue(_ name: String, _ issuedDaysAgo: Double, _ expiresInDays: Double?, _ due: Bool) {
        let token = MetaToken(access_token: "a", configured: "c", issued_at: Self.now.timeIntervalSince1970 + issuedDaysAgo * Self.day,
                              expires_at: expiresInDays.map { Self.now.timeIntervalSince1970 + $0 * Self.day })
        #expect(token.refreshDue(now: Self.now) == due, "\(name)")
    }

    @Test func metaRateLimitHeaderSaysWhenAccessIsBack() {
        var headers: HTTPHeaders = ["X-Business-Use-Case-Usage":
            #"{"1784":[{"type":"instagram","call_count":100,"estimated_time_to_regain_access":12},{"type":"pages","estimated_time_to_regain_access":0}]}"#]
        #expect(MetaGraph.regainAccess(headers, now: Self.now) == Self.now.addingTimeInterval(12 * 60))
        headers = ["X-Business-Use-Case-Usage": "not json"]
        #expect(MetaGraph.regainAccess(headers, now: Self.now) == nil)
    }
}
