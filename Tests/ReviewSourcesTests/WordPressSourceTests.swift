import Foundation
import HTTP
import Reviews
import ReviewSources
import SyndicateTesting
import Synchronization
import Testing

/// `kind = "wordpress"` against the strict fake (docs/SPEC.md §9): discovery, paging, embeds,
/// later reads with `modified_after`, the last good copy, host moves, edits and faults.
@Suite struct WordPressSourceTests {
    static let day: TimeInterval = 86_400
    static let firstRead = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    /// A post in the shape of a real review: kicker, film title, separator, facts, review.
    static func review(_ id: Int, film: String = "The Lighthouse", daysAgo: Double = 10) -> FakeWordPress.Post {
        FakeWordPress.Post(
            id: id, slug: "review-\(id)", title: "A Keeper&#8217;s Long Night \(id)",
            content: """
                <p>MOVIE REVIEW</p>
                <h3>\(film)</h3>
                <p>–</p>
                <p><strong>Genre:</strong> Horror, Drama<br>
                <strong>Year Released:</strong> 2019<br>
                <strong>Runtime:</strong> 1h 49m<br>
                <strong>Director(s):</strong> Robert Eggers<br>
                <strong>Where To Watch:</strong> rent it on most stores</p>
                <p>REVIEW \(id): two keepers on a rock slowly come apart, and the film never lets us stand on dry land.</p>
                <p>The second paragraph, with a <a href="/about/">link</a> and <script>track()</script>nothing else.</p>
                """,
            date: firstRead.addingTimeInterval(-daysAgo * day), categories: ["Movie Reviews"], tags: ["A24"],
            image: (url: "/wp-content/uploads/still-\(id).jpg", alt: "Two keepers", caption: "<p>[photo courtesy of A24]</p>"))
    }

    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var now: Date
        init(_ now: Date) { self.now = now }
        var date: Date {
            get { lock.withLock { now } }
            set { lock.withLock { now = newValue } }
        }
    }

    struct Fixture {
        let site: TemporarySite
        let fake: FakeWordPress
        let clock = Clock(WordPressSourceTests.firstRead)

        init(posts: [FakeWordPress.Post]) throws {
            site = try TemporarySite()
            fake = try FakeWordPress(posts: posts)
        }

        func read(url: String? = nil, only: String = "") async throws -> SourceReading {
            let text = TemporarySite.config(extra: """
                [source]
                kind = "wordpress"
                url = "\(url ?? fake.homeURL)"
                \(only)
                """)
            let config = try ConfigLoader.parse(text, checkingSource: SourceKinds.check)
            let clock = self.clock
            let context = SourceContext(siteDirectory: site.directory, config: config,
                                        http: CurlHTTPClient(userAgent: "syndicate-tests"), clock: { clock.date })
            return try await SourceKinds.make(context).read()
        }
    }

    @Test func theFirstReadFindsTheAPIAndPagesThroughEveryPostWithItsEmbeds() async throws {
        let fixture = try Fixture(posts: (1...230).map { Self.review($0, daysAgo: Double($0)) })
        let reading = try await fixture.read()
        #expect(reading.fallback == nil)
        #expect(reading.diagnostics.isEmpty)
        #expect(reading.reviews.count == 230)
        #expect(fixture.fake.requests.first?.path == "/")
        // Pages after the first are asked for together: in the order they arrived, not asked.
        let pages = fixture.fake.postsRequests.sorted { Self.page(of: $0) < Self.page(of: $1) }
        #expect(pages.count == 3)
        for (index, request) in pages.enumerated() {
            let query = Dictionary(FormEncoding.decode(request.query), uniquingKeysWith: { a, _ in a })
            #expect(query["status"] == "publish" && query["per_page"] == "100" && query["page"] == String(index + 1))
            #expect(query["_embed"] == "wp:term,wp:featuredmedia")
            #expect(query["modified_after"] == nil)
        }
        let newest = try #require(reading.reviews.first)
        #expect(newest.id == "wordpress:1")
        #expect(newest.title == "The Lighthouse")
        #expect(newest.headline == "A Keeper\u{2019}s Long Night 1")
        #expect(newest.genres == ["Horror", "Drama"])
        #expect(newest.year == 2019 && newest.runtimeMinutes == 109 && newest.directors == ["Robert Eggers"])
        #expect(newest.summary.hasPrefix("REVIEW 1: two keepers"))
        #expect(newest.permalink == fixture.fake.linkBase + "/review-1/")
        #expect(newest.image == fixture.fake.linkBase + "/wp-content/uploads/still-1.jpg")
        #expect(newest.imageAlt == "Two keepers" && newest.imageCredit == "[photo courtesy of A24]")
        let html = try #require(newest.html)
        #expect(html.contains("href=\"\(fixture.fake.linkBase)/about/\"") && !html.contains("script") && !html.contains("Genre"))
    }

    static func page(of request: RecordedRequest) -> Int {
        FormEncoding.decode(request.query).first { $0.0 == "page" }.flatMap { Int($0.1) } ?? 0
    }

    /// How many requests a fake is answering at once, and the most it ever was.
    final class Gauge: Sendable {
        private let counts = Mutex((now: 0, most: 0))
        func enter() { counts.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
        func leave() { counts.withLock { $0.now -= 1 } }
        var most: Int { counts.withLock { $0.most } }
    }

    /// After the first page (whose `X-WP-TotalPages` says how many follow), the others are
    /// asked for four at a time, and every post arrives whatever order the pages come back in.
    @Test func laterPagesAreAskedForFourAtATime() async throws {
        let fixture = try Fixture(posts: (1...650).map { Self.review($0, daysAgo: Double($0)) })
        let gauge = Gauge()
        fixture.fake.fault { request in
            guard Self.page(of: request) > 0 else { return nil }
            gauge.enter()
            // Later pages slower than earlier ones: they come back out of order.
            Thread.sleep(forTimeInterval: 0.3 - 0.03 * Double(Self.page(of: request)))
            gauge.leave()
            return nil
        }
        let reading = try await fixture.read()
        #expect(reading.fallback == nil)
        #expect(reading.reviews.count == 650)
        #expect(Set(reading.reviews.map(\.id)).count == 650)
        #expect(fixture.fake.postsRequests.count == 7)
        #expect(gauge.most == 4)
    }

    @Test func aPostWithoutFactsTakesItsGenresFromTermsAndNeverTheGeneratedExcerpt() async throws {
        var post = Self.review(1)
        post.content = "<p>A plain review with no facts block, long enough to be a summary of its own.</p><p>More.</p>"
        post.categories = ["Uncategorized", "Horror"]
        post.tags = ["Slow Burn"]
        let fixture = try Fixture(posts: [post])
        let review = try #require(try await fixture.read().reviews.first)
        #expect(review.genres == ["Horror", "Slow Burn"])
        #expect(review.summary == "A plain review with no facts block, long enough to be a summary of its own.")
        #expect(review.title == "A Keeper\u{2019}s Long Night 1" && review.headline == nil)
    }

    @Test func onlyKeepsThePostsOfItsCategories() async throws {
        var other = Self.review(2)
        other.categories = ["Books"]
        let fixture = try Fixture(posts: [Self.review(1), other])
        let reading = try await fixture.read(only: "only = [\"Movie Reviews\"]")
        #expect(reading.reviews.map(\.id) == ["wordpress:1"])
    }

    @Test func laterReadsAskOnlyForPostsModifiedSinceTheLastReadAndMergeEdits() async throws {
        let fixture = try Fixture(posts: [Self.review(1), Self.review(2, daysAgo: 20)])
        let first = try await fixture.read()
        fixture.clock.date = Self.firstRead.addingTimeInterval(3 * 3600)
        let requestsBefore = fixture.fake.requests.count
        let unchanged = try await fixture.read()
        #expect(unchanged.reviews == first.reviews)
        let later = Array(fixture.fake.requests.dropFirst(requestsBefore))
        #expect(later.count == 1)  // no home page again, one empty page
        let query = Dictionary(FormEncoding.decode(later[0].query), uniquingKeysWith: { a, _ in a })
        #expect(query["modified_after"] == "2025-12-31T23:00:00Z")

        fixture.fake.edit(2, at: Self.firstRead.addingTimeInterval(4 * 3600)) { $0.content = $0.content.replacingOccurrences(of: "Horror, Drama", with: "Horror") }
        fixture.clock.date = Self.firstRead.addingTimeInterval(5 * 3600)
        let edited = try await fixture.read()
        #expect(edited.reviews.map(\.id) == ["wordpress:1", "wordpress:2"])
        #expect(edited.reviews[0] == first.reviews[0])
        #expect(edited.reviews[1].genres == ["Horror"])
        #expect(edited.reviews[1].contentHash != first.reviews[1].contentHash)
        #expect(edited.reviews[1].date == first.reviews[1].date)
    }

    @Test func deletedAndUnpublishedPostsStayUntilTheDailyWholeReadThenLeave() async throws {
        let fixture = try Fixture(posts: [Self.review(1), Self.review(2, daysAgo: 20), Self.review(3, daysAgo: 30)])
        _ = try await fixture.read()
        fixture.fake.delete(1)
        fixture.fake.edit(2, at: Self.firstRead.addingTimeInterval(600)) { $0.status = "draft" }
        fixture.clock.date = Self.firstRead.addingTimeInterval(2 * 3600)
        let later = try await fixture.read()
        #expect(later.reviews.map(\.id) == ["wordpress:1", "wordpress:2", "wordpress:3"], "a modified_after read cannot tell")
        fixture.clock.date = Self.firstRead.addingTimeInterval(25 * 3600)
        let nextDay = try await fixture.read()
        #expect(nextDay.reviews.map(\.id) == ["wordpress:3"])
        #expect(fixture.fake.postsRequests.last?.query.contains("modified_after") == false)
        fixture.clock.date = Self.firstRead.addingTimeInterval(26 * 3600)
        _ = try await fixture.read()
        #expect(fixture.fake.postsRequests.last?.query.contains("modified_after") == true, "one whole read a day")
    }

    @Test func aWholeReadThatSeesNoPostAtAllDropsNothing() async throws {
        let fixture = try Fixture(posts: [Self.review(1), Self.review(2, daysAgo: 20)])
        _ = try await fixture.read()
        fixture.fake.fault { $0.path == "/wp-json/wp/v2/posts" ? .json(200, "[]", headers: [("X-WP-Total", "0"), ("X-WP-TotalPages", "0")]) : nil }
        fixture.clock.date = Self.firstRead.addingTimeInterval(25 * 3600)
        let reading = try await fixture.read()
        #expect(reading.fallback == nil)
        #expect(reading.reviews.map(\.id) == ["wordpress:1", "wordpress:2"])
    }

    @Test func aHostMoveKeepsIdentitiesAndHashesAndUpdatesLinks() async throws {
        let fixture = try Fixture(posts: [Self.review(1), Self.review(2, daysAgo: 20)])
        let first = try await fixture.read()
        // The site moves to another host name; the user points `url` at it.
        let newHome = fixture.fake.homeURL.replacingOccurrences(of: "127.0.0.1", with: "localhost")
        fixture.fake.move(to: String(newHome.dropLast()))
        fixture.clock.date = Self.firstRead.addingTimeInterval(3600)
        let moved = try await fixture.read(url: newHome)
        #expect(moved.fallback == nil)
        #expect(moved.reviews.map(\.id) == first.reviews.map(\.id))
        #expect(moved.reviews.map(\.contentHash) == first.reviews.map(\.contentHash))
        #expect(moved.reviews[0].permalink == newHome + "review-1/")
        let last = try #require(fixture.fake.postsRequests.last)
        #expect(!last.query.contains("modified_after"))  // a whole read for a new `url`
    }

    struct Home: Sendable, CustomTestStringConvertible {
        var name: String
        var headers: [(String, String)]
        var html: String
        var expectedPath: String
        var testDescription: String { name }
    }

    static let homes: [Home] = [
        Home(name: "a relative Link among others", headers: [("Link", "<https://elsewhere.example/wp-json/wp/v2/pages/2>; rel=\"alternate\"; type=\"application/json\", </wp-json/>; rel=\"https://api.w.org/\"")],
             html: "<html><body>Hi</body></html>", expectedPath: "/wp-json/wp/v2/posts"),
        Home(name: "no header, a <link> in the page", headers: [],
             html: "<html><head><link rel=\"https://api.w.org/\" href=\"/wp-json/\"></head><body>Hi</body></html>", expectedPath: "/wp-json/wp/v2/posts"),
        Home(name: "neither: plain permalinks", headers: [], html: "<html><body>Hi</body></html>", expectedPath: "/"),
    ]

    @Test(arguments: homes) func theAPIIsFoundEveryWayAHomePageNamesIt(_ home: Home) async throws {
        let fixture = try Fixture(posts: [Self.review(1)])
        let response = FakeResponse(status: 200, headers: [("Content-Type", "text/html")] + home.headers, body: Data(home.html.utf8))
        fixture.fake.fault { $0.path == "/" && $0.query.isEmpty ? response : nil }
        let reading = try await fixture.read()
        #expect(reading.reviews.map(\.id) == ["wordpress:1"])
        #expect(fixture.fake.postsRequests.last?.path == home.expectedPath)
    }

    @Test func anAPIThatMovedIsFoundAgainFromTheHomePage() async throws {
        let fixture = try Fixture(posts: [Self.review(1)])
        _ = try await fixture.read()
        // Pretty permalinks switched off: /wp-json/ is gone, the home page names ?rest_route=/.
        fixture.fake.plainPermalinks = true
        fixture.fake.fault { $0.path.hasPrefix("/wp-json/") ? .json(404, "{\"code\":\"rest_no_route\"}") : nil }
        fixture.clock.date = Self.firstRead.addingTimeInterval(3600)
        let reading = try await fixture.read()
        #expect(reading.fallback == nil)
        #expect(reading.reviews.map(\.id) == ["wordpress:1"])
        #expect(fixture.fake.postsRequests.last?.query.contains("rest_route") == true)
    }

    struct Fault: Sendable, CustomTestStringConvertible {
        var name: String
        var response: FakeResponse
        var reason: String
        var testDescription: String { name }
    }

    static let faults: [Fault] = [
        Fault(name: "503", response: .text(503, "busy"), reason: "HTTP status 503"),
        Fault(name: "reset", response: .fault(.reset), reason: "reset"),
        Fault(name: "HTML with 200", response: .text(200, "<html><body>Maintenance</body></html>"), reason: "not WordPress's list of posts"),
        Fault(name: "a JSON object", response: .json(200, "{\"code\":\"rest_disabled\"}"), reason: "not WordPress's list of posts"),
        Fault(name: "objects that are no posts", response: .json(200, "[{\"name\":\"x\"}]", headers: [("X-WP-TotalPages", "1")]),
              reason: "not a WordPress post"),
        Fault(name: "no X-WP-TotalPages", response: .json(200, "[]"), reason: "X-WP-TotalPages"),
        Fault(name: "truncated", response: .fault(.truncatedBody), reason: "cut short"),
    ]

    @Test(arguments: faults) func aFailedFirstReadIsAnErrorNamingTheURL(_ fault: Fault) async throws {
        let fixture = try Fixture(posts: [Self.review(1)])
        let response = fault.response
        fixture.fake.fault { $0.path == "/wp-json/wp/v2/posts" ? response : nil }
        let error = await #expect(throws: Diagnostics.self) { try await fixture.read() }
        let line = try #require(error?.description)
        #expect(line.hasPrefix(fixture.fake.homeURL + ":1: source: " + fixture.fake.server.baseURL + "/wp-json/wp/v2/posts?"))
        #expect(line.contains(fault.reason))
        #expect(!line.contains("\n"))
    }

    @Test(arguments: faults) func aFailedLaterReadUsesTheLastGoodCopyAndSaysSo(_ fault: Fault) async throws {
        let fixture = try Fixture(posts: [Self.review(1), Self.review(2, daysAgo: 20)])
        let first = try await fixture.read()
        let response = fault.response
        fixture.fake.fault { $0.path == "/wp-json/wp/v2/posts" || $0.path == "/" ? response : nil }
        fixture.clock.date = Self.firstRead.addingTimeInterval(3600)
        let reading = try await fixture.read()
        #expect(reading.reviews == first.reviews)
        #expect(reading.fallback?.contains(fault.reason) == true)
    }

    @Test func aReadThatFailsPartWayKeepsWhatItReadAndStartsFromTheSameTimeNext() async throws {
        let fixture = try Fixture(posts: (1...150).map { Self.review($0, daysAgo: Double($0)) })
        _ = try await fixture.read()
        // 120 posts edited: two pages; the second fails.
        for id in 1...120 { fixture.fake.edit(id, at: Self.firstRead.addingTimeInterval(1800)) { $0.title += " (edited)" } }
        fixture.fake.fault { FormEncoding.decode($0.query).contains { $0 == ("page", "2") } ? .text(500, "oops") : nil }
        fixture.clock.date = Self.firstRead.addingTimeInterval(2 * 3600)
        let partial = try await fixture.read()
        #expect(partial.fallback?.contains("HTTP status 500") == true)
        #expect(partial.reviews.count == 150)
        #expect(partial.reviews.filter { $0.headline?.hasSuffix("(edited)") == true }.count == 100)
        fixture.fake.fault(nil)
        fixture.clock.date = Self.firstRead.addingTimeInterval(3 * 3600)
        let next = try await fixture.read()
        #expect(next.fallback == nil)
        #expect(next.reviews.filter { $0.headline?.hasSuffix("(edited)") == true }.count == 120)
        let query = Dictionary(FormEncoding.decode(try #require(fixture.fake.postsRequests.last).query), uniquingKeysWith: { a, _ in a })
        #expect(query["modified_after"] == "2025-12-31T23:00:00Z")  // the last complete read, less an hour
    }

    @Test func aBadURLInConfigIsAConfigErrorOnItsLine() throws {
        let text = TemporarySite.config(extra: """
            [source]
            kind = "wordpress"
            url = "ftp://blog.example"
            only = "Movie Reviews"
            """)
        let error = #expect(throws: Diagnostics.self) { try ConfigLoader.parse(text, checkingSource: SourceKinds.check) }
        let lines = error?.items.map(\.description) ?? []
        #expect(lines.contains { $0.contains(": source.url: \"ftp://blog.example\" is not an absolute http(s) URL") })
        #expect(lines.contains { $0.contains(": source.only: expected an array") })
    }
}
