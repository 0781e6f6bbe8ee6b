import Destinations
import Foundation
import Posting
import Reviews
import Testing

/// Each rule at its limit and one over, with the characters that break naive counters.
@Suite("Counting rules")
struct CountingTests {
    static let family = "👨‍👩‍👧‍👦" // one grapheme, 7 scalars, 25 UTF-8 bytes
    static let flag = "🇯🇵"
    static let combining = "e\u{0301}" // NFC: é
    static let hebrew = "ש"

    @Test(arguments: [
        ("ASCII", String(repeating: "a", count: 280), 280),
        ("CJK weighs 2", String(repeating: "万", count: 140), 280),
        ("emoji ZWJ sequence weighs 2", String(repeating: CountingTests.family, count: 140), 280),
        ("flags weigh 2", String(repeating: CountingTests.flag, count: 140), 280),
        ("combining marks are composed first", String(repeating: CountingTests.combining, count: 280), 280),
        ("right-to-left letters weigh 1", String(repeating: CountingTests.hebrew, count: 280), 280),
        ("curly quotes and dashes weigh 1", String(repeating: "“—”", count: 93) + "a", 280),
        ("a URL weighs 23", "https://example.org/" + String(repeating: "x", count: 300) + " " + String(repeating: "a", count: 256), 280),
    ])
    func xWeightedLength(_ name: String, _ text: String, _ expected: Int) {
        #expect(TwitterText.weightedLength(text) == expected, "\(name)")
        #expect(CountingRule.x.fits(text), "\(name) at the limit")
        #expect(!CountingRule.x.fits(text + "a"), "\(name) one over")
    }

    @Test(arguments: [
        ("ASCII", String(repeating: "a", count: 300), true),
        ("CJK", String(repeating: "万", count: 300), true), // 900 bytes
        ("flags", String(repeating: CountingTests.flag, count: 300), true), // 2400 bytes
        ("ZWJ families pass the grapheme count, not the byte count", String(repeating: CountingTests.family, count: 121), false), // 3000 bytes + …
    ])
    func blueskyGraphemesAndBytes(_ name: String, _ text: String, _ fits: Bool) {
        #expect(CountingRule.bluesky.fits(text) == fits, "\(name): \(text.count) graphemes, \(text.utf8.count) bytes")
        #expect(!CountingRule.bluesky.fits(text + "a") || text.count < 300, "\(name) one over")
    }

    @Test func blueskyByteLimitExactly() {
        let text = String(repeating: Self.family, count: 120) // 3000 bytes, 120 graphemes
        #expect(text.utf8.count == 3000)
        #expect(CountingRule.bluesky.fits(text))
        #expect(!CountingRule.bluesky.fits(text + "a"))
    }

    @Test func mastodonCountsGraphemesURLsAndTheContentWarning() {
        let rule = CountingRule.mastodon(limit: 500, charactersPerURL: 23, spoilerText: "Spoilers")
        let url = "https://reviews.example.org/reviews/a-very-long-slug-that-is-longer-than-twenty-three/"
        let text = String(repeating: Self.family, count: 500 - 8 - 23 - 1) + " " + url
        #expect(rule.count(text) == 500)
        #expect(rule.fits(text))
        #expect(!rule.fits(Self.flag + text))
    }

    @Test(arguments: [
        ("Emoji 🎬 then https://r.test/x/ and #Crime", [("https://r.test/x/", "link"), ("#Crime", "tag")]),
        ("万引き家族 https://r.test/万/ #Drama #ScienceFiction", [("https://r.test/万/", "link"), ("#Drama", "tag"), ("#ScienceFiction", "tag")]),
        ("“Quoted” (https://r.test/q). #1 is not a tag", [("https://r.test/q", "link")]),
        ("שלום #עברית https://r.test/", [("#עברית", "tag"), ("https://r.test/", "link")]),
    ])
    func blueskyFacetsSliceTheirText(_ text: String, _ expected: [(String, String)]) {
        let bytes = Array(text.utf8)
        let facets = BlueskyDestinationTesting.facets(text)
        #expect(facets.count == expected.count)
        for (facet, (slice, kind)) in zip(facets, expected) {
            #expect(String(decoding: bytes[facet.start..<facet.end], as: UTF8.self) == slice)
            #expect(facet.kind == kind)
        }
    }

    @Test func tidsAreValidAndOrdered() {
        let a = TID.make(Date(timeIntervalSince1970: 1_764_000_000), clockID: 5)
        let b = TID.make(Date(timeIntervalSince1970: 1_764_000_000.000001), clockID: 5)
        #expect(TID.isValid(a) && TID.isValid(b))
        #expect(a < b)
        #expect(TID.make(Date(timeIntervalSince1970: 0), clockID: 0) == "2222222222222")
    }

    @Test func tidsUnderOnePinnedClockNeverRepeat() {
        let moment = Date(timeIntervalSince1970: 1_764_000_000)
        let keys = (0..<5000).map { _ in TID.next(moment) }
        #expect(Set(keys).count == keys.count)
        #expect(keys == keys.sorted(), "monotonic")
        #expect(keys.allSatisfy(TID.isValid))
    }
}

@Suite("Truncation never cuts a URL, a hashtag or a grapheme")
struct TruncationTests {
    static let summaries = [
        "Emoji everywhere 👨‍👩‍👧‍👦 🇯🇵 🎬 in a summary that goes on and on about the film and its many many virtues and flaws",
        "万引き家族は、是枝裕和監督による2018年の日本映画であり、カンヌ国際映画祭でパルム・ドールを受賞した作品である。とても長い要約です。",
        "שלום עולם — a right-to-left opening, then “curly quotes”, combining e\u{0301}, and a long tail of words to cut",
        "See https://example.org/a/very/long/link/that/must/never/be/cut/in/half and more words after it to force a cut",
    ]

    @Test(arguments: summaries)
    func everyRuleKeepsTheEssentials(_ summary: String) throws {
        var review = Review(source: "reviews/x.md", title: "Title", date: Date(timeIntervalSince1970: 0), slug: "x", summary: summary)
        review.genres = ["Crime", "Science Fiction"]
        review.year = 2025
        let site = Site(directory: URL(fileURLWithPath: "/tmp"), config: SiteConfig(site: SiteSettings(title: "T", url: "https://r.test")), reviews: [])
        let variables = TemplateVariables(review: review, site: site)
        for rule in [CountingRule.x, .bluesky, .mastodon(limit: 120, charactersPerURL: 23), .graphemes(limit: 100), .instagram, .threads] {
            let full = try Composer(template: DefaultTemplates.post, rule: .unlimited).compose(variables).text
            guard let composed = try? Composer(template: DefaultTemplates.post, rule: rule).compose(variables) else { continue }
            #expect(rule.fits(composed.text))
            #expect(composed.text.contains("https://r.test/reviews/x/"), "the link survives")
            for character in composed.text where character != "…" {
                #expect(full.contains(character), "no grapheme was cut: \(character)")
            }
            for url in TextScanner.urls(in: composed.text) {
                #expect(full.contains(String(composed.text[url])), "a URL is never cut")
            }
            for tag in TextScanner.hashtags(in: composed.text) {
                #expect(["#Crime", "#ScienceFiction"].contains(String(composed.text[tag])), "hashtags are whole")
            }
        }
    }
}

@Suite("OAuth 1.0a signatures")
struct OAuthTests {
    let signer = OAuth1Signer(consumerKey: "xvz1evFS4wEEPTGEFPHBog", consumerSecret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
                              token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", tokenSecret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE")
    let parameters = [("status", "Hello Ladies + Gentlemen, a signed OAuth request!"), ("include_entities", "true"),
                      ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"), ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
                      ("oauth_signature_method", "HMAC-SHA1"), ("oauth_timestamp", "1318622958"),
                      ("oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"), ("oauth_version", "1.0")]

    /// X's "Creating a signature" worked example, in its original (api.twitter.com) and
    /// current (api.x.com) forms.
    @Test(arguments: [("https://api.twitter.com/1.1/statuses/update.json", "hCtSmYh+iHYCEqBWrE7C7hYmtUk="),
                      ("https://api.x.com/1.1/statuses/update.json", "Ls93hJiZbQ3akF3HF3x1Bz8/zU4=")])
    func publishedExample(_ url: String, _ signature: String) {
        #expect(signer.sign(method: "POST", url: url, parameters: parameters) == signature)
    }

    @Test func rfc5849BaseString() {
        let base = OAuth1Signer.baseString(method: "POST", url: "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b", parameters: [
            ("c2", ""), ("a3", "2 q"), ("oauth_consumer_key", "9djdj82h48djs9d2"), ("oauth_token", "kkk9d7dh3k39sjv7"),
            ("oauth_signature_method", "HMAC-SHA1"), ("oauth_timestamp", "137131201"), ("oauth_nonce", "7d8f3e4a"),
        ])
        #expect(base == "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7")
    }

    @Test func headerShape() {
        let header = signer.authorization(method: "POST", url: "https://api.twitter.com/1.1/statuses/update.json",
                                          parameters: [("status", "Hello Ladies + Gentlemen, a signed OAuth request!"), ("include_entities", "true")],
                                          nonce: "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", timestamp: 1318622958)
        #expect(header == "OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", oauth_nonce=\"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg\", oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\", oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"1318622958\", oauth_token=\"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb\", oauth_version=\"1.0\"")
    }

    @Test(arguments: [("Ladies + Gentlemen", "Ladies%20%2B%20Gentlemen"), ("Dogs, Cats & Mice", "Dogs%2C%20Cats%20%26%20Mice"), ("☃", "%E2%98%83")])
    func percentEncoding(_ text: String, _ encoded: String) {
        #expect(OAuth1Signer.percent(text) == encoded)
    }
}
