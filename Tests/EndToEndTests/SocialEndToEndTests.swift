import Foundation
import SyndicateTesting
import Testing

/// The sample site, posted by the real binary to strict fakes of every social service.
@Suite("The sample site on Mastodon, Bluesky and X", .serialized)
struct SocialEndToEndTests {
    @Test func everySampleReviewPassesTheStrictFakes() throws {
        let mastodon = try FakeMastodon(token: "masto-RECOGNISABLE-token")
        let bluesky = try FakeBluesky(identifier: "critic.test", password: "bsky-RECOGNISABLE-pass")
        let x = try FakeX(consumerKey: "ck", consumerSecret: "cs-RECOGNISABLE", token: "at", tokenSecret: "ats-RECOGNISABLE")
        let site = try TemporarySite.sampleCopy()
        var config = try #require(site.read("syndicate.toml"))
        config = String(config[..<config.range(of: "# Destinations are disabled")!.lowerBound])
        config += """
        [[destination]]
        name = "mastodon"
        kind = "mastodon"
        base_url = "\(mastodon.baseURL)"

        [[destination]]
        name = "bluesky"
        kind = "bluesky"
        base_url = "\(bluesky.baseURL)"

        [[destination]]
        name = "x"
        kind = "x"
        base_url = "\(x.baseURL)"
        """
        try site.write("syndicate.toml", config)
        try site.write("credentials", """
        [mastodon]
        access_token = "\(mastodon.token)"
        [bluesky]
        identifier = "\(bluesky.identifier)"
        app_password = "\(bluesky.password)"
        [x]
        consumer_key = "ck"
        consumer_secret = "cs-RECOGNISABLE"
        access_token = "at"
        access_token_secret = "ats-RECOGNISABLE"
        """)
        chmod(site.directory.appendingPathComponent("credentials").path, 0o600)
        let env = ["SYNDICATE_NOW": TemporarySite.sampleBuildDate, "NO_COLOR": "1"]

        let preview = try run(syndicateBinary(), ["preview", "last-take-rust-and-the-story-of-halyna", "--site", site.directory.path], environment: env)
        #expect(preview.status == 0, "\(preview.stdout)\(preview.stderr)")
        #expect(preview.stdout.contains("── mastodon (mastodon) ──"))
        #expect(preview.stdout.contains("/300 graphemes"))
        #expect(preview.stdout.contains("/280 weighted characters"))

        let result = try run(syndicateBinary(), ["post", "--site", site.directory.path], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        // Published since 2025-01-01: 10 reviews; Nosferatu is older, x is skipped by one, letterboxd by another.
        #expect(mastodon.posted.count == 10)
        #expect(bluesky.posts.count == 10)
        #expect(x.posted.count == 10)
        for output in [result.stdout, result.stderr] {
            for secret in ["masto-RECOGNISABLE-token", "bsky-RECOGNISABLE-pass", "cs-RECOGNISABLE", "ats-RECOGNISABLE"] {
                #expect(!output.contains(secret))
            }
        }
        let status = try run(syndicateBinary(), ["status", "--json", "--site", site.directory.path], environment: env)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 30)
        #expect(rows.allSatisfy { $0["state"] as? String == "posted" && ($0["remote_url"] as? String)?.isEmpty == false })
    }
}
