@testable import Cards
import Foundation
import SyndicateTesting
import Testing

private let igToken = "IGAA-RECOGNISABLE-instagram-token-4242"
private let thToken = "THAA-RECOGNISABLE-threads-token-4242"
private let env = ["NO_COLOR": "1", "SYNDICATE_NOW": "2025-11-24T16:00:00Z"]

private func text(_ value: Any?) -> String { value as? String ?? "" }

private func at(_ time: String) -> [String: String] { env.merging(["SYNDICATE_NOW": time]) { $1 } }

/// An instant written like `SYNDICATE_NOW`, for the fakes' clocks.
private func instant(_ time: String) -> Date { ISO8601DateFormatter().date(from: time)! }

/// Issue 14: Instagram and Threads against the real binary and strict fakes that fetch the
/// card from the site's own (fake) web server.
@Suite("Instagram and Threads, end to end", .serialized)
struct MetaPostingTests {
    let binary = syndicateBinary()

    /// The fakes, the site's web server and a site with `flow` (an image, so a card) and
    /// `plain` (none), posting to both kinds (and, with `secondInstagram`, to a second
    /// Instagram destination of that name on the same account). The fakes' clocks read the
    /// time `env` pins.
    struct World {
        let instagram: FakeInstagram
        let threads: FakeThreads
        let web: FakeWebServer
        let site: TemporarySite
    }

    func world(timeout: String = "20s", secondInstagram: String? = nil) throws -> World {
        let instagram = try FakeInstagram(token: igToken)
        let threads = try FakeThreads(token: thToken)
        instagram.now = instant(env["SYNDICATE_NOW"]!)
        threads.now = instagram.now
        let web = try FakeWebServer()
        let destinations = DestinationFixture([.instagram(instagram), .threads(threads)]
                                              + (secondInstagram.map { [.instagram(instagram, name: $0)] } ?? []))
        let site = try TemporarySite.posting(reviews: 0, destinations: destinations.config, post: "timeout = \"\(timeout)\"",
                                             credentials: destinations.credentials, feeds: "public_url = \"\(web.baseURL)/\"")
        web.root = site.directory.appendingPathComponent("feeds")
        try site.write("static/images/flow.jpg", try Data(contentsOf: repositoryRoot().appendingPathComponent("static/images/flow.jpg")))
        try site.review("2025-02-01-plain.md", """
        title: "Plain"
        date: 2025-02-01T12:00:00Z
        year: 2023
        summary: "No picture for this one."
        """)
        try site.review("2025-03-01-flow.md", """
        title: "Flow"
        date: 2025-03-01T12:00:00Z
        year: 2024
        rating: 4.5
        genres: [Animation]
        summary: "A cat, a flood and no words at all."
        image: /images/flow.jpg
        image_alt: "A grey cat on the prow of a small boat."
        """)
        let build = try run(binary, ["build", "--site", site.directory.path], environment: env)
        #expect(build.status == 0, "\(build.stderr)")
        return World(instagram: instagram, threads: threads, web: web, site: site)
    }

    func status(_ site: TemporarySite) throws -> [[String: Any]] {
        let result = try run(binary, ["status", "--json", "--site", site.directory.path], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    }

    func row(_ rows: [[String: Any]], _ destination: String, _ review: String) -> [String: Any]? {
        rows.first { $0["destination"] as? String == destination && ($0["review"] as? String ?? $0["slug"] as? String) == review }
    }

    /// The requests for the account's list of posts (`GET /{user_id}/media`, `/threads`).
    func lookups(_ fake: FakeMetaGraph) -> [RecordedRequest] {
        let edge = fake.platform.kind == "instagram" ? "media" : "threads"
        return fake.server.requests.filter { $0.method == "GET" && $0.path.hasSuffix("/\(fake.userID)/\(edge)") }
    }

    @Test func aPublishThatTimedOutHavingTakenEffectIsNeverPublishedAgain() throws {
        let w = try world(timeout: "5s")
        w.instagram.publishTimesOutAfterTakingEffect = 8
        w.threads.publishTimesOutAfterTakingEffect = 8
        let first = try run(binary, ["post", "--site", w.site.directory.path], environment: env)
        #expect(w.instagram.published.count == 1 && w.threads.published.count == 2, "the publishes took effect")

        let second = try run(binary, ["post", "--site", w.site.directory.path], environment: at("2025-11-24T17:00:00Z"))
        #expect(first.status == 1, "plain is dead for Instagram: \(first.stdout)\(first.stderr)")
        #expect(second.status == 0, "nothing else became dead or unknown: \(second.stdout)\(second.stderr)")
        for fake in [w.instagram, w.threads] as [FakeMetaGraph] {
            let flow = fake.allContainers.filter { $0.fields["image_url"]?.hasSuffix("/social/flow-4x5.jpg") == true }
            #expect(flow.count == 1, "\(fake.platform.kind): one container for flow")
            #expect(flow.first?.publishRequests == 1, "\(fake.platform.kind): the container was read, never published again")
            #expect(flow.first?.status == "PUBLISHED")
        }
        #expect(w.instagram.publishRequests == 1)
        let rows = try status(w.site)
        #expect(row(rows, "ig", "flow")?["state"] as? String == "posted", "\(rows)")
        #expect(row(rows, "th", "flow")?["state"] as? String == "posted", "\(rows)")
        #expect(row(rows, "th", "plain")?["state"] as? String == "posted")
        // The post of the publish that timed out was found in the account's recent posts, so
        // each delivery has its post's URL; looked up once, with the token in the header only.
        for (fake, name) in [(w.instagram, "ig"), (w.threads, "th")] as [(FakeMetaGraph, String)] {
            for post in fake.published {
                let review = post.fields["image_url"] == nil ? "plain" : "flow"
                let url = try #require(fake.permalink(of: post))
                #expect(row(rows, name, review)?["remote_url"] as? String == url, "\(name) \(review): \(rows)")
            }
            let lookups = lookups(fake)
            #expect(lookups.count == 1, "\(fake.platform.kind): one lookup, by the attempt that found the container PUBLISHED")
            let fields = fake.platform.kind == "instagram" ? "id,caption,permalink,timestamp" : "id,text,permalink,timestamp"
            #expect(lookups.first?.query == "fields=\(fields)&limit=25", "\(lookups.map(\.query))")
            #expect(lookups.first?.header("Authorization") == "Bearer " + fake.token)
        }
        #expect(second.stderr.contains("posted flow → ig: https://www.instagram.com/p/fake0/"), "\(second.stderr)")
        let dead = try #require(row(rows, "ig", "plain"))
        #expect(dead["state"] as? String == "dead")
        #expect(text(dead["last_error"]).contains("Instagram posts need an image"), "\(dead)")

        // What went out: the card by its public URL, the caption, the alt text; Threads' TEXT post links the review.
        let ig = try #require(w.instagram.published.first)
        #expect(ig.fields["image_url"] == w.web.baseURL + "/social/flow-4x5.jpg")
        #expect(ig.fields["caption"]?.contains("Link in bio") == true)
        #expect(ig.fields["caption"]?.contains("https://") == false, "no link in an Instagram caption")
        #expect(ig.fields["alt_text"] == "A grey cat on the prow of a small boat.")
        let text = try #require(w.threads.published.first { $0.fields["media_type"] == "TEXT" })
        #expect(text.fields["link_attachment"] == "https://reviews.test/reviews/plain/")
        #expect(w.threads.published.contains { $0.fields["media_type"] == "IMAGE" })
        // The fakes fetched the card from the site's web server.
        #expect(w.web.server.requests.contains { $0.path == "/social/flow-4x5.jpg" })

        for output in [first.stdout, first.stderr, second.stdout, second.stderr, try JSONSerialization.data(withJSONObject: rows).description,
                       String(decoding: try JSONSerialization.data(withJSONObject: rows), as: UTF8.self)] {
            #expect(!output.contains(igToken) && !output.contains(thToken), "a token leaked")
        }
    }

    /// The lookup of a `PUBLISHED` container's post fails (a 500 here): the delivery is
    /// `posted` all the same, its URL unknown, and nothing is published again.
    @Test func aPostThatCannotBeLookedUpIsPostedWithoutItsURL() throws {
        let w = try world(timeout: "5s")
        w.instagram.publishTimesOutAfterTakingEffect = 8
        w.threads.publishTimesOutAfterTakingEffect = 8
        _ = try run(binary, ["post", "--site", w.site.directory.path], environment: env)
        #expect(w.instagram.published.count == 1 && w.threads.published.count == 2, "the publishes took effect")
        w.instagram.recentPostsFail = true
        w.threads.recentPostsFail = true

        let second = try run(binary, ["post", "--site", w.site.directory.path], environment: at("2025-11-24T17:00:00Z"))
        #expect(second.status == 0, "nothing became dead or unknown: \(second.stdout)\(second.stderr)")
        let rows = try status(w.site)
        for (fake, name) in [(w.instagram, "ig"), (w.threads, "th")] as [(FakeMetaGraph, String)] {
            // The first publish is the one whose answer was held past the timeout.
            for (index, post) in fake.published.enumerated() {
                let review = post.fields["image_url"] == nil ? "plain" : "flow"
                let delivery = try #require(row(rows, name, review))
                #expect(delivery["state"] as? String == "posted", "\(name) \(review): \(delivery)")
                #expect(delivery["remote_url"] as? String == (index == 0 ? nil : fake.permalink(of: post)), "\(name) \(review): \(delivery)")
                #expect(post.publishRequests == 1, "\(name) \(review): published once")
            }
            #expect(lookups(fake).count == 1, "\(fake.platform.kind): looked up once, not retried")
        }
        #expect(w.instagram.publishRequests == 1 && w.threads.publishRequests == 2)
        #expect(w.instagram.allContainers.count == 1, "no new container")
    }

    /// A post with the same caption published before the container was made is not the
    /// container's: here the container's own post was deleted before the next attempt looked,
    /// so the only post with its caption is an older one, which must not be taken for it.
    @Test func anEarlierPostWithTheSameCaptionIsNotTakenForTheContainers() throws {
        let w = try world(timeout: "5s", secondInstagram: "ig2")
        w.instagram.now = instant("2025-11-24T10:00:00Z")
        _ = try run(binary, ["post", "--to", "ig", "--site", w.site.directory.path], environment: at("2025-11-24T10:00:00Z"))
        let earlier = try #require(w.instagram.published.first)

        w.instagram.now = instant("2025-11-24T16:00:00Z")
        w.instagram.publishTimesOutAfterTakingEffect = 8
        _ = try run(binary, ["post", "--to", "ig2", "--site", w.site.directory.path], environment: env)
        #expect(w.instagram.published.count == 2, "the publish took effect")
        let later = try #require(w.instagram.published.last)
        #expect(later.fields["caption"] == earlier.fields["caption"], "the same caption twice")
        w.instagram.deletePost(of: later)

        let third = try run(binary, ["post", "--to", "ig2", "--site", w.site.directory.path], environment: at("2025-11-24T17:00:00Z"))
        #expect(third.status == 0, "\(third.stdout)\(third.stderr)")
        let rows = try status(w.site)
        let flow = try #require(row(rows, "ig2", "flow"))
        #expect(flow["state"] as? String == "posted", "\(flow)")
        #expect(flow["remote_url"] as? String == nil, "not the earlier post's URL: \(flow)")
        #expect(row(rows, "ig", "flow")?["remote_url"] as? String == w.instagram.permalink(of: earlier))
        #expect(w.instagram.allContainers.map(\.publishRequests) == [1, 1], "two containers, each published once")
        #expect(lookups(w.instagram).count == 1)
    }

    @Test func checkOnlineSignsInToBoth() throws {
        let w = try world()
        let check = try run(binary, ["check", "--online", "--site", w.site.directory.path], environment: env)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect((check.stdout + check.stderr).components(separatedBy: "signed in as @critic").count == 3, "\(check.stdout)\(check.stderr)")
        #expect(w.instagram.publishRequests == 0 && w.threads.publishRequests == 0)
    }

    @Test func previewShowsTheCardAndEachCaptionWithItsCount() throws {
        let w = try world()
        let preview = try run(binary, ["preview", "flow", "--site", w.site.directory.path], environment: env)
        #expect(preview.status == 0, "\(preview.stderr)")
        #expect(preview.stdout.contains("card: feeds/social/flow-4x5.jpg\n"), "\(preview.stdout)")
        let caption = "Flow (2024) ★★★★½\n\nA cat, a flood and no words at all.\n\nLink in bio\n\n#Animation"
        #expect(preview.stdout.contains("── ig (instagram) ── \(caption.utf16.count)/2200 UTF-16 code units\n\(caption)\n"), "\(preview.stdout)")
        #expect(preview.stdout.contains("── th (threads) ── "), "\(preview.stdout)")
        #expect(preview.stdout.contains("/500 UTF-8 bytes\n"), "\(preview.stdout)")
        let plain = try run(binary, ["preview", "plain", "--to", "ig", "--site", w.site.directory.path], environment: env)
        #expect(plain.status == 1)
        #expect(plain.stdout.contains("── ig (instagram) ── cannot be posted: Instagram posts need an image"), "\(plain.stdout)")
        #expect(w.instagram.server.requests.isEmpty && w.threads.server.requests.isEmpty, "preview is offline")
    }

    @Test func theTokenIsRefreshedWhenDueAndCachedPrivately() throws {
        let w = try world()
        try FileManager.default.removeItem(at: w.site.directory.appendingPathComponent("reviews/2025-03-01-flow.md"))
        let first = try run(binary, ["post", "--to", "th", "--site", w.site.directory.path], environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(w.threads.refreshCalls == 0, "a token seen for the first time is not refreshed")
        let cache = w.site.directory.appendingPathComponent(".syndicate/threads-th.token.json").path
        #expect(FileManager.default.fileExists(atPath: cache))

        try w.site.review("2025-04-01-later.md", """
        title: "Later"
        date: 2025-11-25T12:00:00Z
        summary: "Posted two days on."
        """)
        let later = at("2025-11-26T17:00:00Z")
        let second = try run(binary, ["post", "--to", "th", "--site", w.site.directory.path], environment: later)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(w.threads.refreshCalls == 1)
        let fresh = try #require(w.threads.latestToken)
        let attributes = try FileManager.default.attributesOfItem(atPath: cache)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(FileManager.default.contents(atPath: cache).map { String(decoding: $0, as: UTF8.self).contains(fresh) } == true)
        let publish = try #require(w.threads.server.requests.last { $0.path.hasSuffix("/threads_publish") })
        #expect(publish.header("Authorization") == "Bearer " + fresh, "the new token is the one used")
        let refresh = try #require(w.threads.server.requests.first { $0.path.hasSuffix("/refresh_access_token") })
        #expect(refresh.query.contains("grant_type=th_refresh_token"))

        let third = try run(binary, ["status", "--site", w.site.directory.path], environment: later)
        for output in [first.stdout, first.stderr, second.stdout, second.stderr, third.stdout, third.stderr] {
            #expect(!output.contains(fresh) && !output.contains(thToken), "a token leaked")
        }
    }

    /// Meta's errors, classified (docs/SPEC.md §8).
    @Test(arguments: [
        ("a bad token", FakeMetaGraph.error(code: 190, message: "Error validating access token: Session has expired"), "dead",
         "renew the access token"),
        ("a rate limit", FakeMetaGraph.error(code: 4, message: "Application request limit reached",
                                             headers: [("X-Business-Use-Case-Usage",
                                                        "{\"1784\":[{\"type\":\"instagram\",\"call_count\":100,\"estimated_time_to_regain_access\":45}]}")]),
         "retrying", "Application request limit reached"),
        ("the publishing limit", FakeMetaGraph.error(code: 9, subcode: 2_207_042, message: "Maximum posts reached"), "retrying",
         "Maximum posts reached"),
        ("anything else", FakeMetaGraph.error(code: 100, subcode: 2_207_001, message: "Invalid parameter"), "dead", "Invalid parameter"),
    ])
    func errorsAreClassified(_ name: String, _ answer: FakeResponse, _ state: String, _ message: String) throws {
        let w = try world()
        w.instagram.scripted = [answer]
        _ = try run(binary, ["post", "--to", "ig", "--site", w.site.directory.path], environment: env)
        let flow = try #require(row(try status(w.site), "ig", "flow"))
        #expect(flow["state"] as? String == state, "\(name): \(flow)")
        #expect(text(flow["last_error"]).contains(message), "\(name): \(flow)")
        if name == "a rate limit", let next = flow["next_attempt_at"] as? String {
            #expect(next >= "2025-11-24T16:45", "not before access is back: \(next)")
        }
        #expect(w.instagram.published.isEmpty)
    }

    @Test func atTheQuotaNothingIsPublishedUntilTheWindowMoves() throws {
        let w = try world()
        w.instagram.quotaUsed = w.instagram.quotaTotal
        _ = try run(binary, ["post", "--to", "ig", "--site", w.site.directory.path], environment: env)
        let flow = try #require(row(try status(w.site), "ig", "flow"))
        #expect(flow["state"] as? String == "retrying", "\(flow)")
        #expect(text(flow["last_error"]).contains("publishing quota"), "\(flow)")
        #expect(w.instagram.publishRequests == 0)
        #expect(w.instagram.server.requests.contains { $0.path.hasSuffix("/content_publishing_limit") && $0.query.contains("fields=quota_usage") })
    }

    /// A publish answered with an error leaves the container with the delivery; when Meta
    /// has since marked it `ERROR`, the next attempt makes a new one instead of publishing it.
    @Test func aFailedContainerIsReplacedNotPublished() throws {
        let w = try world()
        w.threads.publishScripted = [FakeMetaGraph.error(500, code: 1, message: "An unknown error has occurred.")]
        let first = try run(binary, ["post", "--to", "th", "--site", w.site.directory.path], environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(row(try status(w.site), "th", "plain")?["state"] as? String == "retrying")
        let container = try #require(w.threads.allContainers.first)
        w.threads.setStatus("ERROR", ofContainer: container.id)

        let second = try run(binary, ["post", "--to", "th", "--site", w.site.directory.path], environment: at("2025-11-24T18:00:00Z"))
        #expect(second.status == 0, "\(second.stderr)")
        let rows = try status(w.site)
        #expect(row(rows, "th", "plain")?["state"] as? String == "posted", "\(rows)")
        #expect(row(rows, "th", "flow")?["state"] as? String == "posted", "\(rows)")
        let plain = w.threads.allContainers.filter { $0.fields["media_type"] == "TEXT" }
        #expect(plain.map(\.status) == ["ERROR", "PUBLISHED"], "a new container, published once")
        #expect(plain.first?.publishRequests == 1)
    }

    @Test func theFakesRefuseWhatMetaRefuses() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meta-images-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try VImage.solid(width: 1080, height: 1350, red: 90, green: 90, blue: 90).jpeg(quality: 85).write(to: folder.appendingPathComponent("card.jpg"))
        try VImage.solid(width: 2000, height: 1000, red: 90, green: 90, blue: 90).jpeg(quality: 85).write(to: folder.appendingPathComponent("wide.jpg"))
        try VImage.solid(width: 1080, height: 1350, red: 90, green: 90, blue: 90).save(folder.appendingPathComponent("card.png").path)
        let web = try FakeWebServer(root: folder)
        #expect(FakeMetaGraph.imageProblem(web.baseURL + "/card.jpg") == nil)
        #expect(FakeMetaGraph.imageProblem(web.baseURL + "/wide.jpg")?.contains("aspect ratio") == true)
        #expect(FakeMetaGraph.imageProblem(web.baseURL + "/card.png")?.contains("Only JPEG") == true)
        #expect(FakeMetaGraph.imageProblem(web.baseURL + "/missing.jpg")?.contains("could not be fetched") == true)
    }
}
