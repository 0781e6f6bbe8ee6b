@testable import Cards
import Feeds
import Foundation
import HTTP
import Reviews
import SyndicateTesting
import Testing

/// The cards pass of `build` (docs/SPEC.md §10), through `SiteBuild.run` as the command calls it.
@Suite("Review cards in the build", .serialized)
struct CardBuildTests {
    let now = Date(timeIntervalSince1970: 1_767_000_000)

    func build(_ site: TemporarySite) async throws -> SiteBuild.Outcome {
        try await SiteBuild.run(siteDirectory: site.directory, config: ConfigLoader.load(siteDirectory: site.directory), now: now,
                                http: CurlHTTPClient(userAgent: "syndicate-tests"))
    }

    func poster(_ site: TemporarySite, _ path: String, red: Double, width: Int = 400, height: Int = 600) throws {
        let url = site.directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try VImage.solid(width: width, height: height, red: red, green: 40, blue: 40).save(url.path)
    }

    func mtime(_ site: TemporarySite, _ path: String) -> Int64? { FileStat(site.directory.appendingPathComponent(path).path)?.mtimeNanoseconds }

    @Test func cardsAreWrittenKeptUntouchedRemadeAndRemoved() async throws {
        let site = try TemporarySite()
        try poster(site, "static/images/one.jpg", red: 200)
        try poster(site, "images/two.jpg", red: 120, width: 1600, height: 900)
        try site.review("2025-01-01-one.md", "title: One\ndate: 2025-01-01\nimage: /images/one.jpg")
        try site.review("2025-01-02-two.md", "title: Two\ndate: 2025-01-02\nimage: images/two.jpg")
        try site.review("2025-01-03-plain.md", "title: Plain\ndate: 2025-01-03")
        try site.write("feeds/social/someone-elses.jpg", "not the build's")

        let first = try await build(site)
        #expect(first.cards.written.sorted() == ["social/one-4x5.jpg", "social/two-4x5.jpg"])
        #expect(first.cards.warnings.isEmpty)
        #expect(!site.exists("feeds/social/plain-4x5.jpg"))
        let card = try VImage.open(site.directory.appendingPathComponent("feeds/social/one-4x5.jpg").path)
        #expect(card.width == 1080 && card.height == 1350)
        let firstMtime = try #require(mtime(site, "feeds/social/one-4x5.jpg"))

        // Nothing changed: the build cache's shortcut holds, cards included.
        let second = try await build(site)
        #expect(second.upToDate)
        #expect(mtime(site, "feeds/social/one-4x5.jpg") == firstMtime)

        // The same bytes written again (a new mtime): the card is not made again.
        try? await Task.sleep(nanoseconds: 20_000_000)
        let same = try Data(contentsOf: site.directory.appendingPathComponent("static/images/one.jpg"))
        try site.write("static/images/one.jpg", same)
        let third = try await build(site)
        #expect(!third.upToDate, "a changed image is seen even when the reviews are not")
        #expect(third.cards.unchanged.sorted() == ["social/one-4x5.jpg", "social/two-4x5.jpg"])
        #expect(mtime(site, "feeds/social/one-4x5.jpg") == firstMtime)

        // A new image: a new card, written whole.
        try poster(site, "static/images/one.jpg", red: 60)
        let fourth = try await build(site)
        #expect(fourth.cards.written == ["social/one-4x5.jpg"])
        #expect(mtime(site, "feeds/social/one-4x5.jpg") != firstMtime)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: site.directory.appendingPathComponent("feeds/social").path)
        #expect(!leftovers.contains { $0.hasSuffix(".tmp") })

        // The review is gone: its card goes; a file the build did not write stays.
        try FileManager.default.removeItem(at: site.directory.appendingPathComponent("reviews/2025-01-02-two.md"))
        let fifth = try await build(site)
        #expect(fifth.cards.removed == ["social/two-4x5.jpg"])
        #expect(!site.exists("feeds/social/two-4x5.jpg"))
        #expect(site.exists("feeds/social/one-4x5.jpg"))
        #expect(site.exists("feeds/social/someone-elses.jpg"))
    }

    @Test func aMissingOrUnreadableImageIsAWarningAndTheRestGoesOn() async throws {
        let site = try TemporarySite()
        try poster(site, "static/images/good.jpg", red: 200)
        try site.write("static/images/broken.jpg", "this is not a JPEG")
        try site.review("2025-01-01-good.md", "title: Good\ndate: 2025-01-01\nimage: /images/good.jpg")
        try site.review("2025-01-02-missing.md", "title: Missing\ndate: 2025-01-02\nimage: /images/nowhere.jpg")
        try site.review("2025-01-03-broken.md", "title: Broken\ndate: 2025-01-03\nimage: /images/broken.jpg")

        let outcome = try await build(site)
        #expect(outcome.diagnostics.isEmpty, "a bad image is no invalid review")
        #expect(outcome.cards.written == ["social/good-4x5.jpg"])
        #expect(outcome.cards.warnings.count == 2)
        #expect(outcome.cards.warnings.contains { $0.hasPrefix("reviews/2025-01-02-missing.md: image: no such file: static/images/nowhere.jpg or images/nowhere.jpg") },
                "\(outcome.cards.warnings)")
        #expect(outcome.cards.warnings.contains { $0.hasPrefix("reviews/2025-01-03-broken.md: image: cannot read the image") }, "\(outcome.cards.warnings)")
        #expect(site.exists("feeds/feed.xml"))
        // While an image is missing, every build looks again (and says so again).
        let again = try await build(site)
        #expect(!again.upToDate)
        #expect(again.cards.warnings.count == 2)
    }

    @Test func aRemoteImageIsFetchedOnceAndCached() async throws {
        let jpeg = try {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("remote-\(UUID().uuidString).jpg").path
            defer { unlink(path) }
            try VImage.solid(width: 300, height: 450, red: 30, green: 200, blue: 30).save(path)
            return try Data(contentsOf: URL(fileURLWithPath: path))
        }()
        let server = try FakeServer { request, _ in
            request.path == "/poster.jpg" ? FakeResponse(status: 200, headers: [("Content-Type", "image/jpeg")], body: jpeg) : .text(404, "no")
        }
        let site = try TemporarySite()
        try site.review("2025-01-01-remote.md", "title: Remote\ndate: 2025-01-01\nimage: \"\(server.baseURL)/poster.jpg\"")
        try site.review("2025-01-02-gone.md", "title: Gone\ndate: 2025-01-02\nimage: \"\(server.baseURL)/gone.jpg\"")
        let first = try await build(site)
        #expect(first.cards.written == ["social/remote-4x5.jpg"])
        #expect(first.cards.warnings.count == 1)
        #expect(first.cards.warnings.first?.contains("/gone.jpg: HTTP 404") == true, "\(first.cards.warnings)")
        let cached = try FileManager.default.contentsOfDirectory(atPath: site.directory.appendingPathComponent(".syndicate/cache/images").path)
        #expect(cached.count == 1)
        _ = try await build(site)
        #expect(server.requests.filter { $0.path == "/poster.jpg" }.count == 1, "fetched once")
        #expect(server.requests.filter { $0.path == "/gone.jpg" }.count == 2, "a failed fetch is tried again")
    }

    @Test func cardsCanBeTurnedOffAndTheKeyIsChecked() async throws {
        let site = try TemporarySite(config: TemporarySite.config(extra: "[images]\ncards = false\n"))
        try poster(site, "static/images/one.jpg", red: 200)
        try site.review("2025-01-01-one.md", "title: One\ndate: 2025-01-01\nimage: /images/one.jpg")
        let outcome = try await build(site)
        #expect(outcome.cards.written.isEmpty)
        #expect(!site.exists("feeds/social/one-4x5.jpg"))

        #expect(throws: Diagnostics.self) { try ConfigLoader.parse(TemporarySite.config(extra: "[images]\ncard = true\n")) }
        do {
            _ = try ConfigLoader.parse(TemporarySite.config(extra: "[images]\ncards = \"yes\"\nsize = 3\n"))
        } catch let diagnostics as Diagnostics {
            let lines = diagnostics.items.map(\.description)
            #expect(lines.contains("syndicate.toml:15: images.cards: expected true or false, found string"), "\(lines)")
            #expect(lines.contains { $0.hasPrefix("syndicate.toml:16: images.size: unknown key") }, "\(lines)")
        }
    }
}
