import Destinations
import Foundation
import Posting
import Reviews
import Testing

/// Instagram's and Threads' rules at their limits and one over, with the characters that
/// break naive counters (issue 14).
@Suite("Instagram and Threads counting rules")
struct MetaCountingTests {
    static let family = "👨‍👩‍👧‍👦" // one grapheme, 11 UTF-16 units, 25 UTF-8 bytes
    static let clapper = "🎬" // 2 UTF-16 units, 4 UTF-8 bytes

    @Test(arguments: [
        ("ASCII", String(repeating: "a", count: 2200)),
        ("emoji are two UTF-16 units", String(repeating: MetaCountingTests.clapper, count: 1100)),
        ("a ZWJ family is eleven", String(repeating: MetaCountingTests.family, count: 200)),
        ("curly quotes and dashes are one", String(repeating: "“—”", count: 733) + "a"),
        ("CJK is one", String(repeating: "万", count: 2200)),
        ("a URL counts as its characters", "https://reviews.example.org/x/ " + String(repeating: "a", count: 2169)),
    ])
    func instagramCaptionAtTheLimitAndOneOver(_ name: String, _ text: String) {
        #expect(CountingRule.instagram.count(text) == 2200, "\(name)")
        #expect(CountingRule.instagram.fits(text), "\(name) at the limit")
        #expect(!CountingRule.instagram.fits(text + "a"), "\(name) one over")
    }

    @Test func instagramHashtagsAndMentions() {
        let tags = (1...30).map { "#Tag\($0)" }.joined(separator: " ")
        #expect(CountingRule.instagram.fits("A caption " + tags))
        #expect(!CountingRule.instagram.fits("A caption " + tags + " #OneMore"))
        let mentions = (1...20).map { "@critic\($0)" }.joined(separator: " ")
        #expect(CountingRule.instagram.fits("Thanks " + mentions + " me@example.org"), "an e-mail address is no mention")
        #expect(!CountingRule.instagram.fits("Thanks " + mentions + " @one.more"))
    }

    @Test(arguments: [
        ("ASCII", String(repeating: "a", count: 500)),
        ("emoji are four bytes", String(repeating: MetaCountingTests.clapper, count: 125)),
        ("a ZWJ family is 25", String(repeating: MetaCountingTests.family, count: 20)),
        ("curly quotes are three", String(repeating: "“”", count: 83) + "aa"),
        ("CJK is three", String(repeating: "万", count: 166) + "aa"),
        ("a URL counts as its bytes", "https://reviews.example.org/x/ " + String(repeating: "a", count: 469)),
    ])
    func threadsTextAtTheLimitAndOneOver(_ name: String, _ text: String) {
        #expect(CountingRule.threads.count(text) == 500, "\(name)")
        #expect(CountingRule.threads.fits(text), "\(name) at the limit")
        #expect(!CountingRule.threads.fits(text + "a"), "\(name) one over")
    }

    @Test func threadsFiveLinks() {
        let links = (1...5).map { "https://r.test/\($0)" }.joined(separator: " ")
        #expect(CountingRule.threads.fits("Read " + links))
        #expect(!CountingRule.threads.fits("Read " + links + " https://r.test/6"))
    }

    /// Too many hashtags are met like too much text: the hashtags go, the rest stays whole.
    @Test func tooManyHashtagsAreDroppedNotCut() throws {
        var review = Review(source: "reviews/x.md", title: "Flow", date: Date(timeIntervalSince1970: 0), slug: "x",
                            summary: "A cat, a flood and no words at all.")
        review.genres = (1...31).map { "Genre\($0)" }
        let site = Site(directory: URL(fileURLWithPath: "/tmp"), config: SiteConfig(site: SiteSettings(title: "T", url: "https://r.test")), reviews: [])
        let variables = TemplateVariables(review: review, site: site)
        let composer = try Composer(template: "{{title}}\n\n{{summary}}\n\n{{hashtags}}", rule: .instagram)
        #expect(TextScanner.hashtags(in: try Composer(template: "{{hashtags}}", rule: .unlimited).compose(variables).text).count == 31)
        let post = try composer.compose(variables)
        #expect(post.text == "Flow\n\nA cat, a flood and no words at all.")
        #expect(post.shortened)
    }
}
