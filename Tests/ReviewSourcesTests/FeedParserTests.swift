import Foundation
@testable import ReviewSources
import Testing

/// RSS 2.0, Atom 1.0 and JSON Feed items as `RemoteItem`s (docs/SPEC.md §9 "feed", mapping).
@Suite struct FeedParserTests {
    static let url = "https://blog.test/feed/"

    func parse(_ text: String, charset: String? = nil) throws -> ParsedFeed {
        try FeedParser.parse(Data(text.utf8), charset: charset, url: Self.url)
    }

    @Test func aWordPressRSSItem() throws {
        let feed = try parse("""
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:media="http://search.yahoo.com/mrss/">
            <channel><title>Blog</title>
            <item>
              <title>Unveiling the Human Story &#8211; A Review</title>
              <link>https://blog.test/2025/03/11/last-take/</link>
              <pubDate>Tue, 11 Mar 2025 13:30:00 +0000</pubDate>
              <category><![CDATA[Reviews]]></category>
              <category><![CDATA[Documentary]]></category>
              <category><![CDATA[reviews]]></category>
              <guid isPermaLink="false">https://blog.test/?p=4242</guid>
              <description><![CDATA[A film about a film &#8230; [&#8230;]]]></description>
              <content:encoded><![CDATA[<p>Last Take: Rust and the Story of Halyna</p><p>Genre: Documentary</p><img src="/wp-content/still.jpg">]]></content:encoded>
            </item>
            </channel></rss>
            """)
        #expect(feed.problems.isEmpty)
        let item = try #require(feed.items.first)
        #expect(item.id == "wordpress:4242")
        #expect(item.link == "https://blog.test/2025/03/11/last-take/")
        #expect(item.title == "Unveiling the Human Story – A Review")
        #expect(item.published.map(FeedDateTests.iso) == "2025-03-11T13:30:00Z")
        #expect(item.html.hasPrefix("<p>Last Take: Rust and the Story of Halyna</p>"))
        #expect(item.excerptHTML == nil, "WordPress's generated excerpt ends in […]: not the author's")
        #expect(item.categories == ["Reviews", "Documentary"])
        #expect(item.image == "https://blog.test/wp-content/still.jpg", "the first <img>, made absolute")
    }

    @Test func rssBodyFallsBackToTheDescriptionAndImagesToMediaAndEnclosures() throws {
        let feed = try parse("""
            <rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
            <item><title>One</title><guid>https://blog.test/one/?utm_source=rss</guid>
              <description>&lt;p&gt;Body one&lt;/p&gt;&lt;img src="https://blog.test/inline.jpg"&gt;</description>
              <media:content url="https://cdn.test/poster.jpg" medium="image"><media:description>The poster</media:description><media:credit>Studio</media:credit></media:content>
            </item>
            <item><title>Two</title><link>https://blog.test/two</link>
              <description>Body two</description>
              <enclosure url="https://cdn.test/episode.mp3" type="audio/mpeg" length="1"/>
              <enclosure url="https://cdn.test/two.png" type="image/png" length="1"/>
            </item>
            <item><title>Three</title><link>https://blog.test/three/</link><description>No image</description></item>
            </channel></rss>
            """)
        #expect(feed.items.map(\.id) == ["feed:/one", "feed:/two", "feed:/three"])
        #expect(feed.items[0].link == "https://blog.test/one/?utm_source=rss", "a permalink guid is the link when there is none")
        #expect(feed.items[0].html == "<p>Body one</p><img src=\"https://blog.test/inline.jpg\">")
        #expect(feed.items[0].image == "https://cdn.test/poster.jpg")
        #expect(feed.items[0].imageAlt == "The poster")
        #expect(feed.items[0].imageCredit == "Studio")
        #expect(feed.items[1].image == "https://cdn.test/two.png")
        #expect(feed.items[2].image == nil)
        #expect(feed.items.allSatisfy { $0.published == nil }, "no date: its source gives it the time first seen")
    }

    @Test func anAtomEntry() throws {
        let feed = try parse("""
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
              <title>Blog</title><id>tag:blog.test,2025:feed</id><updated>2025-03-12T00:00:00Z</updated>
              <entry>
                <title type="html">Fish &amp;amp; Chips</title>
                <link rel="self" href="https://blog.test/api/1"/>
                <link href="/reviews/fish/"/>
                <id>tag:blog.test,2025:fish</id>
                <published>2025-03-11T09:30:00-04:00</published>
                <updated>2025-03-12T10:00:00Z</updated>
                <category term="drama" label="Drama"/>
                <category term="comedy"/>
                <summary>A hand-written summary.</summary>
                <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>The <b>whole</b> review.</p> <p>More.</p></div></content>
              </entry>
              <entry>
                <title>Text only</title>
                <link rel="alternate" type="text/html" href="https://blog.test/text/"/>
                <id>https://blog.test/text/</id>
                <updated>2025-03-10T00:00:00Z</updated>
                <content type="text">Line &lt;one&gt;

            Line two</content>
              </entry>
            </feed>
            """)
        #expect(feed.problems.isEmpty)
        let first = try #require(feed.items.first)
        #expect(first.id == "feed:tag:blog.test,2025:fish")
        #expect(first.link == "https://blog.test/reviews/fish/")
        #expect(first.title == "Fish & Chips")
        #expect(first.published.map(FeedDateTests.iso) == "2025-03-11T13:30:00Z")
        #expect(first.modified.map(FeedDateTests.iso) == "2025-03-12T10:00:00Z")
        #expect(first.html == "<p>The <b>whole</b> review.</p> <p>More.</p>")
        #expect(first.excerptHTML == "<p>A hand-written summary.</p>")
        #expect(first.categories == ["Drama", "comedy"])
        let second = feed.items[1]
        #expect(second.id == "feed:/text")
        #expect(second.published.map(FeedDateTests.iso) == "2025-03-10T00:00:00Z", "no published: updated")
        #expect(second.html == "<p>Line &lt;one&gt;</p>\n<p>Line two</p>")
    }

    @Test func aJSONFeed() throws {
        let feed = try parse("""
            {"version": "https://jsonfeed.org/version/1.1", "title": "Blog", "items": [
              {"id": "https://blog.test/?p=7", "url": "https://blog.test/seven/", "title": "Seven",
               "content_html": "<p>Body</p>", "summary": "Short", "date_published": "2025-03-11T09:30:00Z",
               "date_modified": "2025-03-12T09:30:00Z", "tags": ["Horror", "horror", "Reviews"], "image": "/seven.jpg"},
              {"id": 8, "url": "https://blog.test/eight/", "content_text": "Plain & simple"},
              {"title": "no id, no url"}
            ]}
            """)
        #expect(feed.items.map(\.id) == ["wordpress:7", "feed:8"])
        #expect(feed.items[0].categories == ["Horror", "Reviews"])
        #expect(feed.items[0].image == "https://blog.test/seven.jpg")
        #expect(feed.items[0].excerptHTML == "<p>Short</p>")
        #expect(feed.items[0].modified.map(FeedDateTests.iso) == "2025-03-12T09:30:00Z")
        #expect(feed.items[1].html == "<p>Plain &amp; simple</p>")
        #expect(feed.problems.map(\.message) == ["items[2] has no id or url; left out"])
    }

    @Test func itemsWithoutIdentityOrLinkOrTwiceAreLeftOutAtTheirLine() throws {
        let feed = try parse("""
            <rss version="2.0"><channel>
            <item><title>No identity</title></item>
            <item><title>Guid only</title><guid isPermaLink="false">abc-123</guid></item>
            <item><title>First</title><link>https://blog.test/a/</link></item>
            <item><title>Again</title><link>http://other.test/a</link></item>
            <item><title>Script</title><link>javascript:alert(1)</link><guid isPermaLink="false">x</guid></item>
            </channel></rss>
            """)
        #expect(feed.items.map(\.title) == ["First"])
        #expect(feed.problems == [
            FeedParseError(line: 2, message: "an item with no guid, id or link; left out"),
            FeedParseError(line: 3, message: "item feed:abc-123 has no http(s) link; left out"),
            FeedParseError(line: 6, message: "item feed:x has no http(s) link; left out"),
            FeedParseError(line: 5, message: "item feed:/a appears twice; the first one is kept"),
        ])
    }

    /// A stray blank line from a theme or plugin before `<?xml`, common on WordPress, would
    /// make the document not well-formed.
    @Test func whiteSpaceBeforeTheXMLDeclarationIsSkipped() throws {
        let feed = try parse("\n\n  <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><item><title>A</title><link>https://blog.test/a/</link></item></channel></rss>")
        #expect(feed.items.map(\.title) == ["A"])
    }

    /// What no mapping reads, deeper than a media group's credit, is skipped whole; what
    /// follows it is still read.
    @Test func deepElementsAreSkippedAndTheRestRead() throws {
        let feed = try parse("""
            <rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
            <item><x><y><z><w><v>deep</v><v/></w></z></y></x><title>T</title><link>https://blog.test/t/</link>
              <media:group><media:content url="https://cdn.test/t.jpg" type="image/jpeg"><media:credit>Studio</media:credit><media:description>Alt</media:description></media:content></media:group>
            </item>
            <item><title>U</title><link>https://blog.test/u/</link></item>
            </channel></rss>
            """)
        #expect(feed.items.map(\.title) == ["T", "U"])
        #expect(feed.items[0].image == "https://cdn.test/t.jpg")
        #expect(feed.items[0].imageCredit == "Studio" && feed.items[0].imageAlt == "Alt")
    }

    @Test func rss1AndItsRDFAbout() throws {
        let feed = try parse("""
            <?xml version="1.0"?>
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
              <channel rdf:about="https://blog.test/"><title>Blog</title><link>https://blog.test/</link><description>d</description></channel>
              <item rdf:about="https://blog.test/reviews/heat/">
                <title>Heat</title><link>https://blog.test/reviews/heat/</link>
                <description>A long, patient crime film.</description>
                <dc:date>1995-12-15T10:00:00Z</dc:date><dc:subject>Crime</dc:subject>
              </item>
            </rdf:RDF>
            """)
        let item = try #require(feed.items.first)
        #expect(item.id == "feed:/reviews/heat" && item.title == "Heat" && item.categories == ["Crime"])
        #expect(item.published.map(FeedDateTests.iso) == "1995-12-15T10:00:00Z")
        #expect(item.html == "A long, patient crime film.")
    }

    static let identities: [(guid: String?, link: String?, id: String?)] = [
        ("https://blog.test/?p=42", nil, "wordpress:42"),
        ("http://old-host.test/?p=42&utm_source=feed", "https://new.test/x/", "wordpress:42"),
        ("https://blog.test/?p=abc", nil, "feed:/?p=abc"),
        ("https://blog.test/2025/03/film/", nil, "feed:/2025/03/film"),
        ("http://www.blog.test/2025/03/film", nil, "feed:/2025/03/film"),
        ("https://blog.test/film/?utm_source=x&utm_medium=y&fbclid=1&gclid=2&lang=en", nil, "feed:/film?lang=en"),
        ("tag:blog.test,2025:fish", "https://blog.test/fish/", "feed:tag:blog.test,2025:fish"),
        ("urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", nil, "feed:urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"),
        (nil, "https://blog.test/reviews/fish/", "feed:/reviews/fish"),
        (" ", "http://blog.test/reviews/fish", "feed:/reviews/fish"),
        (nil, nil, nil),
    ]

    @Test(arguments: identities) func identity(_ guid: String?, _ link: String?, _ id: String?) {
        #expect(FeedIdentity.of(guid: guid, link: link) == id)
    }
}
