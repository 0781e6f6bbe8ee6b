import Destinations
import Foundation
import GRDB
@testable import Posting
import ReviewSources
import Reviews
import SyndicateTesting
import Testing

private let start = Date(timeIntervalSince1970: 1_764_000_000)

/// A site whose one destination is a webhook on `server`; `since` nil leaves `post.since`
/// unset, so the first `post` adopts (docs/SPEC.md §6).
private func hookSite(reviews: Int, server: FakeServer, since: String? = nil, names: [String] = ["hook"]) throws -> TemporarySite {
    try TemporarySite.posting(reviews: reviews, destinations: names.map { "[[destination]]\nname = \"\($0)\"\nkind = \"webhook\"\n" }.joined(),
                              since: since, credentials: names.map { "[\($0)]\nurl = \"\(server.baseURL)/\($0)\"\n" }.joined())
}

private func post(_ site: TemporarySite, clock: TestClock, only: [String]? = nil) async throws -> PostReport {
    let session = try PostingSession.open(siteDirectory: site.directory, clock: { clock.now })
    return try await session.poster.post(index: try await session.readReviews(), only: only)
}

private func deliveries(_ site: TemporarySite) throws -> [Delivery] {
    try Ledger(siteDirectory: site.directory).deliveries()
}

private func slugs(_ server: FakeServer) -> [String?] {
    server.requests.map { ($0.json?["review"] as? [String: Any])?["slug"] as? String }
}

/// A ledger as schema v4 (before identities) made it, with two deliveries keyed by slug.
private func makeV4Ledger(in site: URL) throws {
    let path = site.appendingPathComponent(Ledger.relativePath)
    try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
    let queue = try DatabaseQueue(path: path.path)
    try Ledger.migrator.migrate(queue, upTo: "v4: attempts stored by delivery")
    try queue.write { db in
        try db.execute(sql: """
            INSERT INTO delivery (review, destination, kind, series, state, attempts, idempotency_key, payload, review_date,
              content_hash, created_at, updated_at, posted_at, remote_url)
            VALUES ('r0000', 'hook', 'webhook', 0, 'posted', 1, 'k0', X'7B7D', 1735689600, 'old-hash', 1, 1, 1, 'https://hook.test/0'),
                   ('r0001', 'hook', 'webhook', 0, 'posted', 1, 'k1', X'7B7D', 1735776000, 'old-hash', 1, 1, 1, 'https://hook.test/1');
            """)
    }
    try queue.close()
}

@Suite("Review identity in the ledger")
struct LedgerIdentityTests {
    /// A ledger the previous schema (v4) made, its rows written with SQL as that version wrote
    /// them (keyed by slug, no slug column): it keeps working, and nothing is posted again.
    @Test func aLedgerFromBeforeIdentitiesPostsNothingAgain() async throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try hookSite(reviews: 3, server: server)
        try makeV4Ledger(in: site.directory)

        // post.since is unset, yet the destination was met before (it has deliveries): no
        // adoption, and only the review the old ledger lacks is posted.
        let report = try await post(site, clock: TestClock(start))
        #expect(report.adoption == nil)
        #expect(slugs(server) == ["r0002"])
        let rows = try deliveries(site)
        #expect(rows.map(\.review) == ["r0000", "r0001", "r0002"])
        #expect(rows.map(\.slug) == ["r0000", "r0001", "r0002"], "old rows take their key as their slug")
        #expect(rows.allSatisfy { !$0.adopted })
        let again = try await post(site, clock: TestClock(start.addingTimeInterval(3600)))
        #expect(again.outcomes.isEmpty)
        #expect(server.requests.count == 1)
    }

    /// The ledger's key is the identity; the slug is only shown.
    @Test func deliveriesAreKeyedOnTheIdentityAndShowTheSlug() async throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try hookSite(reviews: 0, server: server, since: "2025-01-01")
        let source = FakeRemoteSource([remoteReview(id: "feed:example.org/films/1", slug: "first-film")])
        let clock = TestClock(start)
        _ = try await post(site, source: source, clock: clock)
        let row = try #require(try deliveries(site).first)
        #expect(row.review == "feed:example.org/films/1")
        #expect(row.slug == "first-film")
        #expect(slugs(server) == ["first-film"], "what a destination is told is the slug")
        let ledger = try Ledger(siteDirectory: site.directory)
        #expect(try ledger.reviews(named: "first-film") == ["feed:example.org/films/1"])
        #expect(try ledger.reviews(named: "feed:example.org/films/1") == ["feed:example.org/films/1"])
        let status = StatusReport(deliveries: try ledger.deliveries(), currentHashes: [:])
        #expect(status.rows.map(\.review) == ["first-film"])
    }
}

@Suite("First-run adoption (docs/SPEC.md §6)")
struct AdoptionTests {
    @Test func theFirstPostOfANewSiteAdoptsWhatIsPublishedAndSendsNothing() async throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try hookSite(reviews: 3, server: server)
        // Scheduled: not published at the first post, so not adopted; posted when it comes due.
        try site.review("later.md", "title: Later\ndate: 2025-12-01T00:00:00Z")
        let clock = TestClock(start)
        let report = try await post(site, clock: clock)
        #expect(server.requests.isEmpty)
        let adoption = try #require(report.adoption)
        #expect(adoption.reviews.map(\.slug) == ["r0000", "r0001", "r0002"])
        #expect(adoption.destinations.map(\.name) == ["hook"])
        #expect(adoption.summary().hasPrefix("adopted 3 reviews already published for hook"))
        #expect(adoption.summary().contains("set post.since to post older ones"))
        let rows = try deliveries(site)
        #expect(rows.count == 3)
        #expect(rows.allSatisfy { $0.state == .posted && $0.adopted && $0.attempts == 0 && $0.remoteURL == nil })
        let status = StatusReport(deliveries: rows, currentHashes: [:])
        #expect(status.rows.allSatisfy { $0.adopted })
        #expect(status.table().contains("posted (adopted)"))
        #expect(status.json().contains("\"adopted\" : true"))

        // By presence, not date: a review that appears later is new though dated earlier.
        try site.review("backdated.md", "title: Backdated\ndate: 2024-06-01")
        clock.advance(3600)
        let second = try await post(site, clock: clock)
        #expect(second.adoption == nil, "a destination is adopted for once")
        #expect(slugs(server) == ["backdated"])
        clock.advance(30 * 86400)
        _ = try await post(site, clock: clock)
        #expect(slugs(server) == ["backdated", "later"])
    }

    @Test func aDestinationAddedLaterIsAdoptedAloneAndAnEmptySiteIsMetToo() async throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try hookSite(reviews: 0, server: server)
        let clock = TestClock(start)
        // A new site with no review yet: the destination is met with nothing to adopt.
        let first = try await post(site, clock: clock)
        #expect(first.adoption?.reviews.isEmpty == true)
        try site.review("first.md", "title: First\ndate: 2025-11-01")
        _ = try await post(site, clock: clock)
        #expect(slugs(server) == ["first"], "the first review after the first post is new")

        // A second destination: only it adopts; the first one's deliveries stand.
        let config = try #require(site.read("syndicate.toml"))
        try site.write("syndicate.toml", config + "\n[[destination]]\nname = \"late\"\nkind = \"webhook\"\n")
        try site.write("credentials", "[hook]\nurl = \"\(server.baseURL)/hook\"\n[late]\nurl = \"\(server.baseURL)/late\"\n")
        chmod(site.directory.appendingPathComponent("credentials").path, 0o600)
        let added = try await post(site, clock: clock)
        #expect(added.adoption?.destinations.map(\.name) == ["late"])
        #expect(added.adoption?.reviews.map(\.slug) == ["first"])
        #expect(server.requests.count == 1)
        #expect(try deliveries(site).map { "\($0.destination):\($0.adopted)" }.sorted() == ["hook:false", "late:true"])
    }

    /// A `repost` made before the first `post` (to try a destination out) adopts first: else
    /// the destination would count as met, and the next `post` would send the back catalogue.
    @Test func aRepostBeforeTheFirstPostAdoptsFirst() async throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try hookSite(reviews: 3, server: server)
        let clock = TestClock(start)
        let session = try PostingSession.open(siteDirectory: site.directory, clock: { clock.now })
        let index = try await session.readReviews()
        let indexed = try #require(index.reviews.first { $0.slug == "r0002" })
        let review = try index.review(indexed).get()
        let report = try await session.poster.repost(review, index: index)
        #expect(report.adoption?.reviews.count == 3)
        #expect(slugs(server) == ["r0002"])
        #expect(try deliveries(site).map { "\($0.slug)#\($0.series):\($0.adopted)" }
                    == ["r0000#0:true", "r0001#0:true", "r0002#0:true", "r0002#1:false"])
        clock.advance(60)
        let next = try await post(site, clock: clock)
        #expect(next.outcomes.isEmpty && next.adoption == nil)
        #expect(server.requests.count == 1)
    }

    @Test func postSinceIsABackfillWithNoAdoption() async throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try hookSite(reviews: 3, server: server, since: "2025-01-02")
        let report = try await post(site, clock: TestClock(start))
        #expect(report.adoption == nil)
        #expect(slugs(server) == ["r0001", "r0002"])
    }

    /// The plan (`post --dry-run`) says what would be adopted and records nothing.
    @Test func aPlanShowsTheAdoptionWithoutRecordingIt() async throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try hookSite(reviews: 2, server: server)
        let session = try PostingSession.open(siteDirectory: site.directory, clock: { start })
        let plan = try session.planner.plan(index: try await session.readReviews())
        #expect(plan.adoption?.reviews.count == 2)
        #expect(plan.new.isEmpty, "adopted reviews are not planned as posts")
        #expect(plan.adoption?.summary(dryRun: true).hasPrefix("would adopt 2 reviews") == true)
        #expect(try deliveries(site).isEmpty)
        #expect(try session.ledger.metDestinations(["hook"]).isEmpty)
    }
}

// MARK: A remote source

/// A review as a remote source gives it.
private func remoteReview(id: String, slug: String, date: Date = Date(timeIntervalSince1970: 1_760_000_000),
                          hash: String = "h1", draft: Bool = false) -> Review {
    var review = Review(source: "https://example.org/\(slug)/", title: "Film \(slug)", date: date, slug: slug, summary: "About \(slug).")
    review.id = id
    review.permalink = "https://example.org/\(slug)/"
    review.html = "<p>About \(slug).</p>"
    review.draft = draft
    review.contentHash = hash
    return review
}

/// A test-only remote source: gives what it is told, counts its reads, and can say that its
/// last good copy stood in.
private final class FakeRemoteSource: ReviewSource, @unchecked Sendable {
    private let lock = NSLock()
    private var reviews: [Review]
    private var fallback: String?
    private var reads = 0

    init(_ reviews: [Review]) { self.reviews = reviews }

    func set(_ reviews: [Review], fallback: String? = nil) {
        lock.withLock {
            self.reviews = reviews
            self.fallback = fallback
        }
    }

    var readCount: Int { lock.withLock { reads } }

    func read() async throws -> SourceReading {
        lock.withLock {
            reads += 1
            return SourceReading(reviews: reviews, fallback: fallback)
        }
    }
}

private func post(_ site: TemporarySite, source: FakeRemoteSource, clock: TestClock) async throws -> PostingSession.PostRun? {
    var session = try PostingSession.open(siteDirectory: site.directory, clock: { clock.now })
    session.source = source
    #expect(!session.readsFiles)
    return try await session.post(only: nil, limit: nil) { _ in }
}

@Suite("Posting from a remote source")
struct RemoteSourcePostingTests {
    @Test func eachRunReadsOnceAndANoOpRunSendsNothingWithoutTheIdleMarker() async throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try hookSite(reviews: 0, server: server, since: "2025-01-01")
        let source = FakeRemoteSource([remoteReview(id: "wordpress:7", slug: "seven")])
        let clock = TestClock(start)
        let first = try #require(try await post(site, source: source, clock: clock))
        #expect(first.report.count(.posted) == 1)
        #expect(source.readCount == 1)
        clock.advance(60)
        let second = try #require(try await post(site, source: source, clock: clock), "a remote source is never skipped by the idle marker")
        #expect(second.report.outcomes.isEmpty)
        #expect(source.readCount == 2, "one read per run")
        #expect(server.requests.count == 1, "a no-op run sends nothing")
        #expect(!site.exists(".syndicate/cache/post-idle"))
    }

    @Test func editsMovesAndDeletionsNeverRepostAndDraftsNeverPost() async throws {
        let server = try FakeServer(responses: [.json(200, "{}")])
        let site = try hookSite(reviews: 0, server: server, since: "2025-01-01")
        let future = start.addingTimeInterval(86400)
        let source = FakeRemoteSource([remoteReview(id: "wordpress:1", slug: "one"), remoteReview(id: "wordpress:2", slug: "two"),
                                       remoteReview(id: "wordpress:3", slug: "draft", draft: true),
                                       remoteReview(id: "wordpress:4", slug: "scheduled", date: future)])
        let clock = TestClock(start)
        _ = try await post(site, source: source, clock: clock)
        #expect(slugs(server) == ["one", "two"])

        // One edited (new hash) and moved (new slug and permalink: a host move), one gone from
        // a partial read: nothing is posted again, and the deliveries stay as they were.
        var moved = remoteReview(id: "wordpress:1", slug: "one-renamed", hash: "h2")
        moved.permalink = "https://new-host.example/one-renamed/"
        source.set([moved], fallback: "https://example.org/wp-json/: HTTP 503")
        clock.advance(60)
        let run = try #require(try await post(site, source: source, clock: clock))
        #expect(run.fallback == "https://example.org/wp-json/: HTTP 503")
        #expect(run.report.outcomes.isEmpty)
        #expect(server.requests.count == 2)
        let rows = try deliveries(site)
        #expect(rows.map(\.review) == ["wordpress:1", "wordpress:2"])
        #expect(rows.allSatisfy { $0.state == .posted })

        // `status` flags the edit by the remote review's own hash, and shows today's slug.
        let session = try PostingSession.open(siteDirectory: site.directory, clock: { clock.now })
        var reading = session
        reading.source = source
        let index = try await reading.readReviews()
        let status = StatusReport(deliveries: rows, currentHashes: Dictionary(uniqueKeysWithValues: index.reviews.map { ($0.id, $0.contentHash) }),
                                  currentSlugs: Dictionary(uniqueKeysWithValues: index.reviews.map { ($0.id, $0.slug) }))
        #expect(status.rows.map(\.review) == ["one-renamed", "two"])
        #expect(status.rows.map(\.changedSincePosted) == [true, false])
    }

    @Test func aSourceWithNothingToReadStopsTheRun() async throws {
        let site = try TemporarySite.posting(reviews: 0, destinations: "")
        try FileManager.default.removeItem(at: site.directory.appendingPathComponent("reviews"))
        let session = try PostingSession.open(siteDirectory: site.directory, clock: { start })
        await #expect(throws: SourceUnreadable.self) { try await session.post(only: nil, limit: nil) { _ in } }
    }
}
