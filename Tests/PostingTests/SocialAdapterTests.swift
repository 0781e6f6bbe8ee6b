import Destinations
import Foundation
import HTTP
import Posting
import Reviews
import SyndicateTesting
import Testing

private let start = Date(timeIntervalSince1970: 1_764_000_000)

private func site(_ destination: String, credentials: String, reviews: Int = 2, post: String = "") throws -> TemporarySite {
    try TemporarySite.posting(reviews: reviews, destinations: destination, post: post, credentials: credentials)
}

private func run(_ site: TemporarySite, clock: TestClock) async throws -> PostReport {
    let session = try PostingSession.open(siteDirectory: site.directory, clock: { clock.now })
    return try await session.poster.post(index: try await session.readReviews())
}

private func deliveries(_ site: TemporarySite) throws -> [Delivery] {
    try Ledger(siteDirectory: site.directory).deliveries()
}

@Suite("Mastodon", .serialized)
struct MastodonTests {
    func make(_ fake: FakeMastodon, reviews: Int = 2) throws -> TemporarySite {
        try site("""
        [[destination]]
        name = "masto"
        kind = "mastodon"
        base_url = "\(fake.baseURL)"
        visibility = "unlisted"
        spoiler_text = "Plot details"
        """, credentials: "[masto]\naccess_token = \"\(fake.token)\"\n", reviews: reviews)
    }

    @Test func postsWithIdempotencyKeyVisibilityAndLanguage() async throws {
        let fake = try FakeMastodon(token: "masto-token-RECOGNISABLE")
        let site = try make(fake)
        let report = try await run(site, clock: TestClock(start))
        #expect(report.count(.posted) == 2, "\(report.outcomes.map(\.delivery.lastError))")
        let first = try #require(fake.posted.first)
        #expect(first["visibility"] as? String == "unlisted")
        #expect(first["language"] as? String == "en")
        #expect(first["sensitive"] as? Bool == false)
        #expect((first["status"] as? String)?.contains("https://reviews.test/reviews/r0000/") == true)
        #expect(try deliveries(site).first?.remoteURL == "\(fake.baseURL)/@critic/100000")
        let requests = fake.server.requests
        #expect(requests.filter { $0.path == "/api/v2/instance" }.count == 1, "limits fetched once, before sending")
        #expect(requests.filter { $0.path == "/api/v1/statuses" }.allSatisfy { $0.header("Idempotency-Key") != nil })
    }

    /// What a post answers is read for its top-level `id` and `url` only, the `uri` standing in
    /// for a null `url`: the nested account's own `id` and `url` (written first here) are never
    /// taken for them, and escapes are decoded.
    @Test func statusAnswerGivesTheTopLevelIdAndURL() async throws {
        let fake = try FakeMastodon(token: "t0ken-value")
        fake.scripted = [.json(200, """
        {"account":{"id":"1","url":"https://fake.test/@critic","fields":[{"id":"x"}]},"id":"109\\u0033","url":null,
         "uri":"https:\\/\\/fake.test\\/users\\/critic\\/statuses\\/1093","media_attachments":[],"poll":null}
        """)]
        let site = try make(fake, reviews: 1)
        _ = try await run(site, clock: TestClock(start))
        let delivery = try #require(try deliveries(site).first)
        #expect(delivery.state == .posted)
        #expect(delivery.remoteID == "1093")
        #expect(delivery.remoteURL == "https://fake.test/users/critic/statuses/1093")
    }

    @Test func nothingDueFetchesNothing() async throws {
        let fake = try FakeMastodon(token: "t0ken-value")
        let site = try make(fake, reviews: 1)
        _ = try await run(site, clock: TestClock(start))
        let before = fake.server.requests.count
        _ = try await run(site, clock: TestClock(start.addingTimeInterval(2 * 86400)))
        #expect(fake.server.requests.count == before, "no instance fetch, no post, when nothing is due")
    }

    @Test func spoilersBecomeAContentWarning() async throws {
        let fake = try FakeMastodon(token: "t0ken-value")
        let site = try make(fake, reviews: 0)
        try site.review("spoiler.md", "title: Twisty\ndate: 2025-02-01\nspoilers: true")
        _ = try await run(site, clock: TestClock(start))
        let status = try #require(fake.posted.first)
        #expect(status["spoiler_text"] as? String == "Plot details")
        #expect(status["sensitive"] as? Bool == true)
    }

    @Test func instanceLimitIsRespected() async throws {
        let fake = try FakeMastodon(token: "t0ken-value", maxCharacters: 120)
        let site = try make(fake, reviews: 0)
        try site.review("long.md", "title: Long\ndate: 2025-02-01\ngenres: [Drama]\nsummary: \"\(String(repeating: "word ", count: 60))\"")
        let report = try await run(site, clock: TestClock(start))
        #expect(report.count(.posted) == 1, "\(report.outcomes.map(\.delivery.lastError))")
        #expect((fake.posted.first?["status"] as? String)?.contains("…") == true)
    }

    /// The limits are kept on disk for a day: a later run composes under them without asking
    /// again, and a cache it cannot read is fetched anew.
    @Test func instanceLimitsAreCachedForADay() async throws {
        let fake = try FakeMastodon(token: "t0ken-value", maxCharacters: 120)
        let site = try make(fake, reviews: 0)
        try site.review("first.md", "title: First\ndate: 2025-02-01")
        _ = try await run(site, clock: TestClock(start))
        let long = "title: Long\ndate: 2025-02-02\nsummary: \"\(String(repeating: "word ", count: 60))\""
        try site.review("long.md", long)
        _ = try await run(site, clock: TestClock(start.addingTimeInterval(3600)))
        #expect(fake.server.requests.filter { $0.path == "/api/v2/instance" }.count == 1)
        #expect((fake.posted.last?["status"] as? String)?.contains("…") == true, "composed under the cached 120")

        let cache = site.directory.appendingPathComponent(".syndicate/cache/mastodon-masto-limits")
        #expect(FileManager.default.fileExists(atPath: cache.path))
        try Data("max_characters lots\n".utf8).write(to: cache)
        try site.review("third.md", "title: Third\ndate: 2025-02-03")
        _ = try await run(site, clock: TestClock(start.addingTimeInterval(7200)))
        #expect(fake.server.requests.filter { $0.path == "/api/v2/instance" }.count == 2, "an unreadable cache is fetched again")
    }

    @Test func rateLimitWaitsForTheResetHeader() async throws {
        let fake = try FakeMastodon(token: "t0ken-value")
        fake.scripted = [.json(429, "{\"error\":\"Too many requests\"}", headers: [("X-RateLimit-Limit", "300"), ("X-RateLimit-Remaining", "0"),
                                                                                  ("X-RateLimit-Reset", "2025-11-24T17:30:00.000000Z")])]
        let site = try make(fake, reviews: 1)
        _ = try await run(site, clock: TestClock(start))
        let delivery = try #require(try deliveries(site).first)
        #expect(delivery.state == .retrying)
        #expect(delivery.nextAttemptAt! >= Date(timeIntervalSince1970: 1_764_005_400))
    }

    @Test func wrongTokenIsDeadWithTheServersWords() async throws {
        let fake = try FakeMastodon(token: "right-token")
        let site = try site("""
        [[destination]]
        name = "masto"
        kind = "mastodon"
        base_url = "\(fake.baseURL)"
        """, credentials: "[masto]\naccess_token = \"wrong-token\"\n", reviews: 1)
        _ = try await run(site, clock: TestClock(start))
        #expect(try deliveries(site).first?.lastError == "HTTP 401: The access token is invalid")
    }

    @Test func noAnswerIsResentWithTheSameKeyWithinTheHour() async throws {
        let fake = try FakeMastodon(token: "t0ken-value")
        fake.scripted = [.fault(.reset)]
        let site = try make(fake, reviews: 1)
        let clock = TestClock(start)
        _ = try await run(site, clock: clock)
        #expect(try deliveries(site).first?.state == .retrying)
        clock.advance(600)
        _ = try await run(site, clock: clock)
        #expect(try deliveries(site).first?.state == .posted)
        let keys = fake.server.requests.filter { $0.path == "/api/v1/statuses" }.compactMap { $0.header("Idempotency-Key") }
        #expect(keys.count == 2 && Set(keys).count == 1)
    }
}

extension MastodonTests {
    @Test func afterAnHourAnUnansweredPostIsUnknown() async throws {
        let fake = try FakeMastodon(token: "t0ken-value")
        fake.scripted = [.fault(.reset)]
        let site = try make(fake, reviews: 1)
        let clock = TestClock(start)
        // Created now, answered never, found two hours later: the key is forgotten by then.
        let session = try PostingSession.open(siteDirectory: site.directory, clock: { clock.now })
        let destination = try #require(session.destinations.first)
        #expect(destination.resendIsSafe(createdAt: start, now: start.addingTimeInterval(600)))
        #expect(!destination.resendIsSafe(createdAt: start, now: start.addingTimeInterval(7200)))
        _ = try await run(site, clock: clock)
        #expect(try deliveries(site).first?.state == .retrying)
    }
}

@Suite("Bluesky", .serialized)
struct BlueskyTests {
    func make(_ fake: FakeBluesky, reviews: Int = 2) throws -> TemporarySite {
        try site("""
        [[destination]]
        name = "sky"
        kind = "bluesky"
        base_url = "\(fake.baseURL)"
        """, credentials: "[sky]\nidentifier = \"\(fake.identifier)\"\napp_password = \"\(fake.password)\"\n", reviews: reviews)
    }

    @Test func postsRecordsWithFacetsAndCardAndCachesTheSession() async throws {
        let fake = try FakeBluesky(identifier: "critic.test", password: "app-pass-RECOGNISABLE")
        let site = try make(fake)
        let report = try await run(site, clock: TestClock(start))
        #expect(report.count(.posted) == 2, "\(report.outcomes.map(\.delivery.lastError))")
        #expect(fake.createSessionCalls == 1)
        let delivery = try #require(try deliveries(site).first)
        #expect(TID.isValid(delivery.idempotencyKey))
        #expect(delivery.remoteURL == "https://bsky.app/profile/\(fake.did)/post/\(delivery.idempotencyKey)")
        let record = try #require(fake.posts[delivery.idempotencyKey])
        let facets = try #require(record["facets"] as? [[String: Any]])
        #expect(facets.count == 3, "the link and two hashtags")
        let external = try #require((record["embed"] as? [String: Any])?["external"] as? [String: Any])
        #expect(external["uri"] as? String == "https://reviews.test/reviews/r0000/")
        #expect(record["langs"] as? [String] == ["en"])

        let sessionFile = site.directory.appendingPathComponent(".syndicate/bluesky-sky.session.json")
        #expect(try FileManager.default.attributesOfItem(atPath: sessionFile.path)[.posixPermissions] as? Int == 0o600)

        try site.review("more.md", "title: More\ndate: 2025-03-01")
        _ = try await run(site, clock: TestClock(start))
        #expect(fake.createSessionCalls == 1, "the cached session is reused across runs")
    }

    @Test func expiredTokenIsRefreshedNotRecreated() async throws {
        let fake = try FakeBluesky(identifier: "critic.test", password: "pw-1234")
        let site = try make(fake, reviews: 1)
        _ = try await run(site, clock: TestClock(start))
        fake.expireAccessToken()
        try site.review("more.md", "title: More\ndate: 2025-03-01")
        let report = try await run(site, clock: TestClock(start))
        #expect(report.count(.posted) == 1, "\(report.outcomes.map(\.delivery.lastError))")
        #expect(fake.refreshSessionCalls == 1)
        #expect(fake.createSessionCalls == 1)
    }

    @Test func localImageBecomesTheCardThumbnail() async throws {
        let fake = try FakeBluesky(identifier: "critic.test", password: "pw-1234")
        let site = try make(fake, reviews: 0)
        let poster = try Data(contentsOf: repositoryRoot().appendingPathComponent("static/images/flow.jpg"))
        try site.write("static/images/poster.jpg", poster)
        try site.write("static/images/huge.jpg", Data([0xFF, 0xD8, 0xFF]) + Data(repeating: 0xFF, count: 1_000_001))
        try site.review("a.md", "title: A\ndate: 2025-02-01\nimage: /images/poster.jpg")
        try site.review("b.md", "title: B\ndate: 2025-02-02\nimage: /images/huge.jpg")
        _ = try await run(site, clock: TestClock(start))
        let records = try deliveries(site).map { fake.posts[$0.idempotencyKey] }
        let thumbs = records.map { (($0?["embed"] as? [String: Any])?["external"] as? [String: Any])?["thumb"] as? [String: Any] }
        #expect(thumbs[0]?["size"] as? Int == poster.count)
        #expect(thumbs[1] == nil, "over 1,000,000 bytes and no card built: no thumbnail")
    }

    @Test func unknownIsSettledWithGetRecord() async throws {
        let fake = try FakeBluesky(identifier: "critic.test", password: "pw-1234")
        let site = try make(fake, reviews: 1)
        fake.scripted = [.fault(.reset)]
        let clock = TestClock(start)
        _ = try await run(site, clock: clock)
        #expect(try deliveries(site).first?.state == .retrying)
        clock.advance(3600)
        _ = try await run(site, clock: clock)
        let delivery = try #require(try deliveries(site).first)
        #expect(delivery.state == .posted)
        let paths = fake.server.requests.map(\.path)
        #expect(paths.contains("/xrpc/com.atproto.repo.getRecord"))
    }

    @Test func badPasswordIsDeadAndSaysSo() async throws {
        let fake = try FakeBluesky(identifier: "critic.test", password: "right")
        let site = try site("""
        [[destination]]
        name = "sky"
        kind = "bluesky"
        base_url = "\(fake.baseURL)"
        """, credentials: "[sky]\nidentifier = \"critic.test\"\napp_password = \"wrong\"\n", reviews: 1)
        _ = try await run(site, clock: TestClock(start))
        #expect(try deliveries(site).first?.lastError == "createSession: HTTP 401: AuthenticationRequired: Invalid identifier or password")
    }
}

@Suite("X", .serialized)
struct XTests {
    func make(_ fake: FakeX, reviews: Int = 2, consumerSecret: String? = nil) throws -> TemporarySite {
        try site("""
        [[destination]]
        name = "x"
        kind = "x"
        base_url = "\(fake.baseURL)"
        """, credentials: """
        [x]
        consumer_key = "\(fake.consumerKey)"
        consumer_secret = "\(consumerSecret ?? fake.consumerSecret)"
        access_token = "\(fake.token)"
        access_token_secret = "\(fake.tokenSecret)"
        """, reviews: reviews)
    }

    func fake() throws -> FakeX {
        try FakeX(consumerKey: "ck-123", consumerSecret: "cs-SECRET-456", token: "at-789", tokenSecret: "ats-SECRET-012")
    }

    @Test func signedPostsArrive() async throws {
        let x = try fake()
        let site = try make(x)
        let report = try await run(site, clock: TestClock(start))
        #expect(report.count(.posted) == 2, "\(report.outcomes.map(\.delivery.lastError))")
        #expect(x.posted.count == 2)
        #expect(try deliveries(site).first?.remoteURL?.hasPrefix("https://x.com/i/web/status/") == true)
    }

    @Test func wrongSignatureIsRejected() async throws {
        let x = try fake()
        let site = try make(x, reviews: 1, consumerSecret: "not-the-secret")
        _ = try await run(site, clock: TestClock(start))
        #expect(try deliveries(site).first?.lastError == "HTTP 401: Unauthorized")
        #expect(x.posted.isEmpty)
    }

    @Test func duplicateContentIsUnknownAndNeverResent() async throws {
        let x = try fake()
        x.scripted = [.json(403, "{\"detail\":\"You are not allowed to create a Tweet with duplicate content.\",\"type\":\"about:blank\",\"title\":\"Forbidden\",\"status\":403}")]
        let site = try make(x, reviews: 1)
        let clock = TestClock(start)
        let report = try await run(site, clock: clock)
        #expect(report.count(.unknown) == 1)
        clock.advance(86400)
        _ = try await run(site, clock: clock)
        #expect(x.server.requests.count == 1)
    }

    @Test func rateLimitWaitsForTheReset() async throws {
        let x = try fake()
        x.scripted = [.json(429, "{\"title\":\"Too Many Requests\",\"detail\":\"Too Many Requests\",\"type\":\"about:blank\",\"status\":429}",
                            headers: [("x-rate-limit-reset", "1764009000"), ("x-rate-limit-remaining", "0")])]
        let site = try make(x, reviews: 1)
        _ = try await run(site, clock: TestClock(start))
        let delivery = try #require(try deliveries(site).first)
        #expect(delivery.state == .retrying)
        #expect(delivery.nextAttemptAt! >= Date(timeIntervalSince1970: 1_764_009_000))
    }
}

@Suite("Found in review: resend windows and races", .serialized)
struct ReviewFindingsTests {
    @Test func mastodonRetryAfterTheKeyIsForgottenBecomesUnknown() async throws {
        let fake = try FakeMastodon(token: "t0ken-value")
        fake.scripted = [.fault(.reset)]
        let site = try TemporarySite.posting(reviews: 1, destinations: """
        [[destination]]
        name = "masto"
        kind = "mastodon"
        base_url = "\(fake.baseURL)"
        """, credentials: "[masto]\naccess_token = \"t0ken-value\"\n")
        let clock = TestClock(start)
        _ = try await run(site, clock: clock)
        #expect(try deliveries(site).first?.state == .retrying)
        // The next cron run comes two hours later: Mastodon has forgotten the key by then.
        clock.advance(7200)
        let report = try await run(site, clock: clock)
        #expect(report.count(.unknown) == 1)
        #expect(fake.server.requests.filter { $0.path == "/api/v1/statuses" }.count == 1, "never resent without the key")
    }

    @Test func aDeliverySettledByAnotherCommandIsNotSent() throws {
        let site = try TemporarySite.posting(reviews: 1, destinations: "[[destination]]\nname = \"hook\"\nkind = \"webhook\"",
                                             credentials: "[hook]\nurl = \"http://127.0.0.1:9/h\"\n")
        let ledger = try Ledger(siteDirectory: site.directory)
        let pending = try ledger.insert([Delivery(review: "r0000", destination: "hook", kind: "webhook", series: 0, idempotencyKey: "k",
                                                  payload: Data("{}".utf8), reviewDate: start, contentHash: "", now: start)])[0]
        _ = try ledger.markPosted(reviews: [("r0000", "r0000", start, "")], destinations: [("hook", "webhook")], now: start)
        #expect(try ledger.markSending(pending, now: start) == nil, "a post that read it as pending must not send it")
        #expect(try ledger.deliveries().first?.state == .posted)
    }

    @Test func aRevivedDeliveryWithoutAPostIsNotSentEmpty() async throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try TemporarySite.posting(reviews: 0, destinations: """
        [[destination]]
        name = "hook"
        kind = "webhook"
        format = "discord"
        template = "{{#summary}}"
        """, credentials: "[hook]\nurl = \"\(server.baseURL)/h\"\n")
        try site.review("a.md", "title: A\ndate: 2025-02-01")
        let clock = TestClock(start)
        _ = try await run(site, clock: clock)
        #expect(try deliveries(site).first?.state == .dead)
        _ = try Ledger(siteDirectory: site.directory).update(where: { _ in true }) { $0.state = .retrying; $0.nextAttemptAt = start }
        _ = try await run(site, clock: clock)
        #expect(server.requests.isEmpty)
        #expect(try deliveries(site).first?.lastError?.contains("could not be composed") == true)
    }
}
