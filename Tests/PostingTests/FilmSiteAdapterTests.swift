import Destinations
import Foundation
import HTTP
import Posting
import Reviews
import SyndicateTesting
import Testing

private let start = Date(timeIntervalSince1970: 1_764_000_000)

private func run(_ site: TemporarySite, clock: TestClock = TestClock(start)) async throws -> PostReport {
    let session = try PostingSession.open(siteDirectory: site.directory, clock: { clock.now })
    return try await session.poster.post(index: try await session.readReviews())
}

private func deliveries(_ site: TemporarySite) throws -> [Delivery] { try Ledger(siteDirectory: site.directory).deliveries() }

@Suite("Letterboxd", .serialized)
struct LetterboxdTests {
    func make(_ fake: FakeLetterboxd, content: String = "summary") throws -> TemporarySite {
        let site = try TemporarySite.posting(reviews: 0, destinations: """
        [[destination]]
        name = "lb"
        kind = "letterboxd"
        base_url = "\(fake.baseURL)"
        content = "\(content)"
        """, credentials: """
        [lb]
        username = "\(fake.username)"
        password = "\(fake.password)"
        client_id = "\(fake.clientID)"
        client_secret = "\(fake.clientSecret)"
        """)
        return site
    }

    func fake() throws -> FakeLetterboxd {
        try FakeLetterboxd(username: "critic", password: "lb-pass-RECOGNISABLE", clientID: "cid", clientSecret: "csecret-RECOGNISABLE")
    }

    @Test func logsTheFilmFoundByTMDBWithRatingSpoilersAndTags() async throws {
        let lb = try fake()
        let site = try make(lb)
        try site.review("2025-02-01-holdovers.md", """
        title: The Holdovers
        date: 2025-02-01T20:00:00Z
        rating: 4
        spoilers: true
        tags: [christmas, rewatch]
        ids: {tmdb: 840430}
        summary: Grumpy and kind.
        """)
        let report = try await run(site)
        #expect(report.count(.posted) == 1, "\(report.outcomes.map(\.delivery.lastError))")
        let entry = try #require(lb.logEntries.first)
        #expect(entry["filmId"] as? String == "hTha")
        #expect(entry["rating"] as? Double == 4)
        #expect(entry["tags"] as? [String] == ["christmas", "rewatch"])
        #expect((entry["diaryDetails"] as? [String: Any])?["diaryDate"] as? String == "2025-02-01")
        let review = try #require(entry["review"] as? [String: Any])
        #expect(review["containsSpoilers"] as? Bool == true)
        #expect(review["text"] as? String == "Grumpy and kind.\n\nhttps://reviews.test/reviews/holdovers/")
        #expect(try deliveries(site).first?.remoteURL == "https://boxd.it/le1")
    }

    @Test func unratedReviewSendsNoRatingAndLIDIsUsedAsIs() async throws {
        let lb = try fake()
        let site = try make(lb)
        try site.review("a.md", "title: Dune Part Two\ndate: 2025-02-01\nids: {letterboxd: pUfA}")
        _ = try await run(site)
        let entry = try #require(lb.logEntries.first)
        #expect(entry["filmId"] as? String == "pUfA")
        #expect(entry["rating"] == nil)
        #expect(!lb.server.requests.contains { $0.path == "/films" })
    }

    @Test func anEntryWithThisReviewIsAdoptedNotDoubled() async throws {
        let lb = try fake()
        lb.addExistingEntry(film: "hTha", reviewText: "Logged earlier.\n\nhttps://reviews.test/reviews/a/")
        let site = try make(lb)
        try site.review("a.md", "title: The Holdovers\ndate: 2025-02-01\nids: {imdb: tt14849194}")
        let report = try await run(site)
        #expect(report.count(.posted) == 1)
        #expect(lb.logEntries.count == 1, "no second entry")
        #expect(try deliveries(site).first?.remoteURL == "https://boxd.it/existing0")
    }

    @Test func anOlderDiaryEntryOfTheFilmIsNotMistakenForThisReview() async throws {
        let lb = try fake()
        lb.addExistingEntry(film: "hTha")
        lb.addExistingEntry(film: "hTha", reviewText: "A review from years ago, elsewhere.")
        let site = try make(lb)
        try site.review("a.md", "title: The Holdovers\ndate: 2025-02-01\nids: {imdb: tt14849194}")
        _ = try await run(site)
        #expect(lb.logEntries.count == 3, "a new entry for this review")
        #expect(try deliveries(site).first?.remoteURL == "https://boxd.it/le3")
    }

    @Test func noFilmIdIsDeadWithTheKeyToAdd() async throws {
        let lb = try fake()
        lb.unknownFilms = ["tmdb:999"]
        let site = try make(lb)
        try site.review("a.md", "title: Mystery\ndate: 2025-02-01")
        try site.review("b.md", "title: Unknown\ndate: 2025-02-02\nids: {tmdb: 999}")
        _ = try await run(site)
        let errors = try deliveries(site).map(\.lastError)
        #expect(errors == ["no film id: add ids.letterboxd, ids.tmdb or ids.imdb to the review's front matter (or, to find the film by its title, its year: `year`, or a \"Year Released:\" line in a WordPress post)",
                           "Letterboxd knows no film with tmdb:999: check the review's ids"])
    }

    @Test func fullContentIsTheWholeReviewAsPlainText() async throws {
        let lb = try fake()
        let site = try make(lb, content: "full")
        try site.review("a.md", "title: Film\ndate: 2025-02-01\nids: {tmdb: 1}", body: "First *para*.\n\n- one\n- two\n\nLast [link](/x/).\n")
        _ = try await run(site)
        let text = try #require((lb.logEntries.first?["review"] as? [String: Any])?["text"] as? String)
        #expect(text == "First para.\n\n• one\n\n• two\n\nLast link.\n\nhttps://reviews.test/reviews/a/")
    }

    @Test func revokedTokenIsReplacedOnce() async throws {
        let lb = try fake()
        let site = try make(lb)
        try site.review("a.md", "title: A\ndate: 2025-02-01\nids: {tmdb: 1}")
        _ = try await run(site)
        lb.revokeTokens()
        try site.review("b.md", "title: B\ndate: 2025-02-02\nids: {tmdb: 2}")
        let report = try await run(site)
        #expect(report.count(.posted) == 1, "\(report.outcomes.map(\.delivery.lastError))")
        #expect(lb.logEntries.count == 2)
    }
}

@Suite("Link hub", .serialized)
struct LinkHubTests {
    @Test func upsertsAtTheTopAndPrunesItsOwnLinksBeyondKeep() async throws {
        let hub = try FakeLinkHub(token: "hub-token-RECOGNISABLE")
        hub.addManualLink("my-shop")
        let site = try TemporarySite.posting(reviews: 4, destinations: """
        [[destination]]
        name = "links"
        kind = "linkhub"
        base_url = "\(hub.baseURL)"
        keep = 2
        """, credentials: "[links]\ntoken = \"\(hub.token)\"\n")
        let report = try await run(site)
        #expect(report.count(.posted) == 4)
        #expect(Set(hub.links.keys) == ["my-shop", "r0002", "r0003"], "the two newest reviews and the hand-made link remain")
        let newest = try #require(hub.links["r0003"])
        #expect(newest["position"] as? Int == 0)
        #expect(newest["url"] as? String == "https://reviews.test/reviews/r0003/")
        #expect(newest["title"] as? String == "Film 3 (2024)")

        // A repost of the same review is the same upsert.
        let session = try PostingSession.open(siteDirectory: site.directory, clock: { start })
        _ = try await session.poster.repost(try Site.load(site.directory).reviews.first { $0.slug == "r0003" }!)
        #expect(hub.links.count == 3)
    }
}

@Suite("Micropub", .serialized)
struct MicropubTests {
    @Test func discoversTheEndpointAndPostsAFormEncodedEntry() async throws {
        let micropub = try FakeMicropub(token: "mp-token-RECOGNISABLE")
        let site = try TemporarySite.posting(reviews: 1, destinations: """
        [[destination]]
        name = "blog"
        kind = "micropub"
        me = "\(micropub.homeURL)"
        """, credentials: "[blog]\ntoken = \"\(micropub.token)\"\n")
        let report = try await run(site)
        #expect(report.count(.posted) == 1, "\(report.outcomes.map(\.delivery.lastError))")
        let fields = try #require(micropub.posted.first)
        #expect(fields.filter { $0.0 == "category[]" }.map(\.1) == ["Drama", "Science Fiction"])
        #expect(fields.first { $0.0 == "bookmark-of" }?.1 == "https://reviews.test/reviews/r0000/")
        #expect(fields.first { $0.0 == "h" }?.1 == "entry")
        #expect(try deliveries(site).first?.remoteURL == "\(micropub.endpoint.replacingOccurrences(of: "/micropub", with: ""))/entries/1")
    }

    @Test func linkHeaderDiscovery() {
        let response = HTTPResponse(status: 200, headers: ["Link": "<https://aperture.test/>; rel=\"microsub\", </mp>; rel=\"micropub\""])
        #expect(MicropubDestination.discover(response, base: "https://me.test/") == "https://me.test/mp")
        let html = HTTPResponse(status: 200, body: Data("<head><link href='https://e.test/micropub' rel='micropub'></head>".utf8))
        #expect(MicropubDestination.discover(html, base: "https://me.test/") == "https://e.test/micropub")
    }

    /// Found by the `answers` fuzzer: a page whose bytes are not UTF-8 next to an attribute
    /// (here a combining accent decoded from them right after `href=`) crashed discovery.
    @Test func discoveryOnAPageThatIsNotUTF8FindsNothingAndDoesNotCrash() {
        var page = Data("<!doctype html><link href=".utf8)
        page.append(contentsOf: [0xD6, 0x97, 0x8B, 0x8B])
        page.append(Data("ps://me.test/end\" rel=\"alternate micropub\">".utf8))
        let response = HTTPResponse(status: 200, body: page)
        #expect(MicropubDestination.discover(response, base: "https://me.test/") == nil)
    }

    @Test func wrongTokenIsDeadWithTheServersMessage() async throws {
        let micropub = try FakeMicropub(token: "right")
        let site = try TemporarySite.posting(reviews: 1, destinations: """
        [[destination]]
        name = "blog"
        kind = "micropub"
        endpoint = "\(micropub.endpoint)"
        """, credentials: "[blog]\ntoken = \"wrong\"\n")
        _ = try await run(site)
        #expect(try deliveries(site).first?.lastError == "HTTP 401: unauthorized: No valid access token")
    }
}
