import Feeds
import Foundation
import Reviews
import SyndicateTesting
import Testing

private let now = Date(timeIntervalSince1970: 1_764_000_000)

/// Bodies that break naive feed writers, each with what the built feed must show.
private let hostileBodies: [(name: String, body: String, mustContain: [String], mustNotContain: [String])] = [
    ("cdata-end", "Text with ]]> inside and `]]>` in code.\n", ["]]&gt;", "<code>]]&gt;</code>"], []),
    ("ampersand", "Fish & chips &amp; more &#169;.\n", ["Fish &amp; chips &amp; more ©"], []),
    ("script", "Before\n\n<script>alert('x')</script>\n\nAfter <img src=x onerror=alert(1)>.\n", ["Before", "After"], ["<script", "onerror"]),
    ("control-characters", "Bell\u{07}here, escape\u{1B}there, form\u{0C}feed, del\u{7F}.\n", ["Bellhere, escapethere, formfeed, del."], ["\u{07}", "\u{1B}"]),
    ("relative-links", "[site](/about/) [page](notes/) [up](../x) [frag](#end) [mail](mailto:a@b.c) [abs](https://e.org/)\n",
     ["href=\"https://reviews.test/about/\"", "href=\"https://reviews.test/reviews/relative-links/notes/\"",
      "href=\"https://reviews.test/reviews/x\"", "href=\"https://reviews.test/reviews/relative-links/#end\"",
      "href=\"mailto:a@b.c\"", "href=\"https://e.org/\""], []),
    ("unicode", "Emoji 🎬👩‍👩‍👧🇯🇵, right-to-left שלום עולם and مرحبا, CJK 万引き家族, combining é.\n",
     ["👩‍👩‍👧🇯🇵", "שלום עולם", "مرحبا", "万引き家族", "é"], []),
    ("forbidden-unicode", "Not a character: \u{FFFE} or \u{FFFF}.\n", ["Not a character:  or ."], []),
]

@Suite("Hostile content in feeds")
struct HostileContentTests {
    @Test(arguments: hostileBodies.map(\.name))
    func hostileBodyIsCarriedSafely(_ name: String) throws {
        let testCase = hostileBodies.first { $0.name == name }!
        let site = try TemporarySite()
        try site.review("2025-01-01-\(name).md", "title: \"\(name) \\x01title\"\ndate: 2025-01-01", body: testCase.body)
        _ = try FeedBuilder(site: Site.load(site.directory), now: now).build()

        for path in ["feed.xml", "atom.xml"] {
            let xml = try #require(ParsedXML(path: site.directory.appendingPathComponent("feeds/\(path)").path), "\(path) must stay well-formed")
            let content = try #require(xml.string(path == "feed.xml" ? "//content:encoded" : "//atom:content"))
            for needle in testCase.mustContain { #expect(content.contains(needle), "\(path): \(needle) in \(content)") }
            for needle in testCase.mustNotContain { #expect(!content.contains(needle), "\(path): \(needle)") }
            #expect(xml.string(path == "feed.xml" ? "//item/title" : "//atom:entry/atom:title") == "\(name) title")
        }
        let json = try #require(site.read("feeds/feed.json"))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let item = try #require((parsed["items"] as? [[String: Any]])?.first)
        let html = try #require(item["content_html"] as? String)
        for needle in testCase.mustContain where !needle.contains("&amp;") && !needle.contains("&gt;") {
            #expect(html.contains(needle), "feed.json: \(needle)")
        }
        #expect(!html.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" })
    }

    @Test func fiveMegabyteBodyIsStreamedIntoEveryFeed() throws {
        let site = try TemporarySite()
        let paragraph = String(repeating: "Lorem ipsum dolor sit amet. ", count: 40) + "\n\n"
        let body = String(repeating: paragraph, count: 5_000_000 / paragraph.utf8.count + 1)
        try site.review("2025-01-01-huge.md", "title: Huge\ndate: 2025-01-01\ngenres: [Drama]", body: body)
        _ = try FeedBuilder(site: Site.load(site.directory), now: now).build()
        let xml = try #require(ParsedXML(path: site.directory.appendingPathComponent("feeds/genres/drama.xml").path))
        let content = try #require(xml.string("//content:encoded"))
        #expect(content.utf8.count > 5_000_000)
    }
}
