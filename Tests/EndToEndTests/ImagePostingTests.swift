@testable import Cards
import Foundation
import SyndicateTesting
import Testing

/// Issue 14: the review's image on Mastodon (uploaded once per delivery, whatever happens)
/// and on Bluesky (the thumbnail, from the card when the image is too large), and the card
/// in `preview`, against the real binary and strict fakes.
@Suite("Images on Mastodon and Bluesky, end to end", .serialized)
struct ImagePostingTests {
    let env = ["NO_COLOR": "1", "SYNDICATE_NOW": "2025-11-24T16:00:00Z"]

    /// A site with one review whose image is `static/images/poster.jpg` (a sample poster).
    func imageSite(destinations: String, credentials: String, image: Data? = nil, imageName: String = "poster.jpg") throws -> TemporarySite {
        let site = try TemporarySite.posting(reviews: 0, destinations: destinations, credentials: credentials)
        try site.write("static/images/\(imageName)",
                       try image ?? Data(contentsOf: repositoryRoot().appendingPathComponent("static/images/flow.jpg")))
        try site.review("2025-03-01-flow.md", """
        title: "Flow"
        date: 2025-03-01T12:00:00Z
        year: 2024
        summary: "A cat, a flood and no words at all."
        image: /images/\(imageName)
        image_alt: "A grey cat on the prow of a small boat."
        """)
        return site
    }

    func launch(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = syndicateBinary()
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func mastodonUploadsTheImageOnceEvenWhenKilledBetweenUploadAndStatus() throws {
        let mastodon = try FakeMastodon(token: "masto-token")
        // The first status request is held: the process is killed while it waits.
        mastodon.scripted = [.json(200, "{}", delay: 30)]
        let site = try imageSite(destinations: """
        [[destination]]
        name = "masto"
        kind = "mastodon"
        base_url = "\(mastodon.baseURL)"
        """, credentials: "[masto]\naccess_token = \"masto-token\"\n")

        let post = try launch(["post", "--site", site.directory.path])
        #expect(eventually { mastodon.server.requests.contains { $0.path == "/api/v1/statuses" } }, "the status request left")
        kill(post.processIdentifier, SIGKILL)
        post.waitUntilExit()
        #expect(mastodon.uploads.count == 1)

        let again = try run(syndicateBinary(), ["post", "--site", site.directory.path], environment: env)
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        let uploads = mastodon.uploads
        #expect(uploads.count == 1, "the media id was kept with the delivery: never uploaded twice")
        #expect(uploads.first?.description == "A grey cat on the prow of a small boat.")
        #expect(uploads.first?.contentType == "image/jpeg")
        #expect(uploads.first?.bytes == FileManager.default.contents(atPath: site.directory.appendingPathComponent("static/images/poster.jpg").path),
                "the original image, as it is")
        #expect(mastodon.posted.count == 1)
        #expect(mastodon.posted.first?["media_ids"] as? [String] == uploads.map(\.id))
        // It waited while the media was processing (206), then posted.
        #expect(mastodon.server.requests.filter { $0.path == "/api/v1/media/\(uploads[0].id)" }.count >= 2)
    }

    @Test func mastodonWithImageOffPostsTextOnly() throws {
        let mastodon = try FakeMastodon(token: "masto-token")
        let site = try imageSite(destinations: """
        [[destination]]
        name = "masto"
        kind = "mastodon"
        base_url = "\(mastodon.baseURL)"
        image = false
        """, credentials: "[masto]\naccess_token = \"masto-token\"\n")
        let result = try run(syndicateBinary(), ["post", "--site", site.directory.path], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(mastodon.uploads.isEmpty)
        #expect(mastodon.posted.count == 1)
        #expect(mastodon.posted.first?["media_ids"] == nil)
    }

    @Test func mastodonMediaFaultsAreRetriedWithoutAStatus() throws {
        let mastodon = try FakeMastodon(token: "masto-token")
        mastodon.mediaScripted = [.json(503, "{\"error\":\"busy\"}")]
        let site = try imageSite(destinations: """
        [[destination]]
        name = "masto"
        kind = "mastodon"
        base_url = "\(mastodon.baseURL)"
        """, credentials: "[masto]\naccess_token = \"masto-token\"\n")
        let first = try run(syndicateBinary(), ["post", "--site", site.directory.path], environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(mastodon.posted.isEmpty, "no status without its image when the upload failed")
        let later = env.merging(["SYNDICATE_NOW": "2025-11-24T17:00:00Z"]) { $1 }
        let second = try run(syndicateBinary(), ["post", "--site", site.directory.path], environment: later)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(mastodon.uploads.count == 1)
        #expect(mastodon.posted.count == 1)
    }

    @Test func blueskyThumbnailComesFromTheCardWhenTheImageIsTooLarge() throws {
        let bluesky = try FakeBluesky(identifier: "critic.test", password: "app-pass")
        // Noise compresses badly: a PNG of it is several megabytes, over the 1,000,000 bytes of a blob.
        let big = FileManager.default.temporaryDirectory.appendingPathComponent("noise-\(UUID().uuidString).png").path
        try VImage.noise(width: 1400, height: 1400).save(big)
        defer { unlink(big) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: big))
        #expect(bytes.count > 1_000_000)
        let site = try imageSite(destinations: """
        [[destination]]
        name = "sky"
        kind = "bluesky"
        base_url = "\(bluesky.baseURL)"
        """, credentials: "[sky]\nidentifier = \"critic.test\"\napp_password = \"app-pass\"\n", image: bytes, imageName: "noise.png")

        let build = try run(syndicateBinary(), ["build", "--site", site.directory.path], environment: env)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stderr.contains("review cards: 1 written, 0 unchanged"), "\(build.stderr)")
        let preview = try run(syndicateBinary(), ["preview", "flow", "--site", site.directory.path], environment: env)
        #expect(preview.stdout.contains("card: feeds/social/flow-4x5.jpg\n"), "\(preview.stdout)")

        let post = try run(syndicateBinary(), ["post", "--site", site.directory.path], environment: env)
        #expect(post.status == 0, "\(post.stderr)")
        #expect(bluesky.blobUploads.count == 1)
        let blob = try #require(bluesky.blobUploads.first)
        #expect(blob.type == "image/jpeg" && blob.bytes.count <= 1_000_000)
        #expect(ImageType.of(blob.bytes) == "image/jpeg")
        let record = try #require(bluesky.posts.values.first)
        let external = (record["embed"] as? [String: Any])?["external"] as? [String: Any]
        #expect(external?["thumb"] != nil)
    }

    @Test func previewSaysWhenTheCardIsNotMadeYet() throws {
        let site = try imageSite(destinations: """
        [[destination]]
        name = "masto"
        kind = "mastodon"
        base_url = "https://masto.test"
        """, credentials: "[masto]\naccess_token = \"t\"\n")
        let preview = try run(syndicateBinary(), ["preview", "--site", site.directory.path], environment: env)
        #expect(preview.status == 0, "\(preview.stderr)")
        #expect(preview.stdout.contains("card: feeds/social/flow-4x5.jpg (not made yet: run `syndicate build`)"), "\(preview.stdout)")
    }
}
