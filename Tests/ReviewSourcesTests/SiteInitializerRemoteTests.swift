import Foundation
import HTTP
import Reviews
@testable import ReviewSources
import SyndicateTesting
import Testing

/// `syndicate init --from URL` against small servers on 127.0.0.1 that answer as WordPress,
/// feeds and pages do.
@Suite struct SiteInitializerRemoteTests {
    let http = CurlHTTPClient(userAgent: "SyndicateTests")

    static func html(_ head: String) -> FakeResponse {
        FakeResponse(status: 200, headers: [("Content-Type", "text/html; charset=UTF-8")],
                     body: Data("<!DOCTYPE html><html><head><title>Page Title</title>\(head)</head><body><p>Hi</p></body></html>".utf8))
    }

    static func xml(_ text: String, type: String = "application/rss+xml") -> FakeResponse {
        FakeResponse(status: 200, headers: [("Content-Type", type)], body: Data(text.utf8))
    }

    static let rss = """
        <?xml version="1.0" encoding="UTF-8"?>
        <rss version="2.0"><channel><title>Cinema &amp; Co</title><link>https://cinema.example.com/</link>
        <language>en-us</language><item><title>Heat</title></item></channel></rss>
        """

    static let laughs = """
        <?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
        <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
        <rss version="2.0"><channel><title>Laughs &d;</title><link>https://l.example/</link></channel></rss>
        """

    @Test func aWordPressSiteIsFoundByItsLinkHeaderAndDescribedByItsAPIRoot() async throws {
        let server = try FakeServer { request, _ in
            switch request.path {
            case "/":
                var page = Self.html("<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed/\">")
                page.headers.append(("Link", "<http://127.0.0.1:0/ignored>; rel=\"shortlink\", </wp-json/>; rel=\"https://api.w.org/\""))
                return page
            case "/wp-json/":
                return .json(200, """
                    {"name":"Bob&#039;s Film Diary","description":"Reviews &amp; more","url":"https://bob.example.org",
                     "home":"https://bob.example.org","gmt_offset":-5,"timezone_string":"America/Chicago",
                     "namespaces":["oembed/1.0","wp/v2"]}
                    """)
            default: return .text(404, "no")
            }
        }
        let sketch = try await SiteInitializer.sketch(url: server.baseURL + "/", http: http)
        #expect(sketch.shape == .wordpress && sketch.sourceKind == "wordpress" && sketch.sourceURL == "https://bob.example.org")
        #expect(sketch.title == "Bob's Film Diary" && sketch.description == "Reviews & more")
        #expect(sketch.url == "https://bob.example.org" && sketch.timezone == "America/Chicago" && sketch.missing.isEmpty)
        #expect(server.requests.map(\.path) == ["/", "/wp-json/"], "the home page and the API root, nothing else")
        let text = SiteInitializer.configText(sketch, destinations: [])
        #expect(text.contains("[source]\nkind = \"wordpress\"") && text.contains("url = \"https://bob.example.org\""))
    }

    @Test(arguments: [(-5.0, "Etc/GMT+5"), (3.0, "Etc/GMT-3"), (0.0, "UTC"), (5.5, "UTC")])
    func aWordPressUTCOffsetIsAnEtcZone(offset: Double, zone: String) async throws {
        let server = try FakeServer { request, _ in
            if request.path == "/wp-json/" { return .json(200, "{\"name\":\"N\",\"home\":\"https://n.example\",\"timezone_string\":\"\",\"gmt_offset\":\"\(offset)\"}") }
            var page = Self.html("")
            page.headers.append(("Link", "<\(request.header("Host").map { "http://\($0)" } ?? "")/wp-json/>; rel=\"https://api.w.org/\""))
            return page
        }
        let sketch = try await SiteInitializer.sketch(url: server.baseURL, http: http)
        #expect(sketch.timezone == zone)
        #expect(sketch.notes.isEmpty == (offset != 5.5))
    }

    @Test func aWordPressWhoseAPIIsClosedIsReadThroughItsFeed() async throws {
        let server = try FakeServer { request, _ in
            switch request.path {
            case "/" where request.query.isEmpty:
                var page = Self.html("<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Feed\" href=\"/feed/\">"
                                     + "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Comments\" href=\"/comments/feed/\">")
                page.headers.append(("Link", "</?rest_route=/>; rel=\"https://api.w.org/\""))
                return page
            case "/feed/": return Self.xml(Self.rss)
            default: return .json(401, "{\"code\":\"rest_disabled\"}")
            }
        }
        let sketch = try await SiteInitializer.sketch(url: server.baseURL, http: http)
        #expect(sketch.shape == .feed && sketch.sourceURL == server.baseURL + "/feed/")
        #expect(sketch.notes.count == 1 && sketch.notes[0].contains("HTTP 401") && sketch.notes[0].hasSuffix("read as a feed instead"))
        #expect(server.requests.map { $0.path + ($0.query.isEmpty ? "" : "?" + $0.query) } == ["/", "/?rest_route=/", "/feed/"])
    }

    @Test func aFeedURLIsTheSourceItselfAndNamesTheSite() async throws {
        let server = try FakeServer(responses: [Self.xml(Self.rss)])
        let sketch = try await SiteInitializer.sketch(url: server.baseURL + "/feed.xml", http: http)
        #expect(sketch.shape == .feed && sketch.sourceKind == "feed" && sketch.sourceURL == server.baseURL + "/feed.xml")
        #expect(sketch.title == "Cinema & Co" && sketch.url == "https://cinema.example.com" && sketch.language == "en-us")
        #expect(sketch.missing == ["timezone"], "a feed names no time zone")
        let config = try ConfigLoader.parse(SiteInitializer.configText(sketch, destinations: []), checkingSource: { _ in })
        #expect(config.site.title == "Cinema & Co" && config.source.kind == "feed")
    }

    @Test(arguments: [
        ("""
         <?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">
         <title>Ciné</title><link rel="self" href="https://x.example/atom.xml"/><link href="https://x.example/"/></feed>
         """, "Ciné", "https://x.example", "fr"),
        ("""
         {"version":"https://jsonfeed.org/version/1.1","title":"JSON Films","home_page_url":"https://j.example/","items":[]}
         """, "JSON Films", "https://j.example", nil),
    ] as [(String, String, String, String?)])
    func atomAndJSONFeedsAreRead(body: String, title: String, url: String, language: String?) async throws {
        let server = try FakeServer(responses: [Self.xml(body, type: "application/xml")])
        let sketch = try await SiteInitializer.sketch(url: server.baseURL + "/f", http: http)
        #expect(sketch.shape == .feed && sketch.title == title && sketch.url == url && sketch.language == language)
    }

    @Test func aPageLeadsToItsFeedThroughRedirectsAndRelativeLinks() async throws {
        let server = try FakeServer { request, _ in
            switch request.path {
            case "/blog": return FakeResponse(status: 301, headers: [("Location", "/blog/")])
            case "/blog/": return Self.html("<LINK REL=\"Alternate\" TYPE=\"application/atom+xml\" HREF=\"atom.xml\">")
            case "/blog/atom.xml":
                return Self.xml("<feed xmlns=\"http://www.w3.org/2005/Atom\"><link rel=\"alternate\" href=\"/blog/\"/></feed>",
                                type: "application/atom+xml")
            default: return .text(404, "no")
            }
        }
        let sketch = try await SiteInitializer.sketch(url: server.baseURL + "/blog", http: http)
        #expect(sketch.sourceURL == server.baseURL + "/blog/atom.xml")
        #expect(sketch.title == "Page Title", "a feed without a title takes the page's")
        #expect(sketch.url == server.baseURL + "/blog")
    }

    @Test(arguments: [
        (FakeResponse.text(404, "gone"), "HTTP 404"),
        (SiteInitializerRemoteTests.html("<link rel=\"stylesheet\" href=\"/s.css\">"), "no WordPress REST API"),
        (FakeResponse(status: 302, headers: [("Location", "/")]), "more than 5 redirects"),
        // libxml2 refuses a billion-laughs feed (entities are never substituted anyway).
        (SiteInitializerRemoteTests.xml(SiteInitializerRemoteTests.laughs), "XML, but no RSS or Atom feed libxml2 can read"),
    ])
    func aURLWithoutASourceIsAnErrorNamingIt(response: FakeResponse, message: String) async throws {
        let server = try FakeServer(responses: [response])
        let error = await #expect(throws: SiteInitError.self) {
            try await SiteInitializer.sketch(url: server.baseURL + "/", http: http)
        }
        #expect(error?.description.hasPrefix(server.baseURL + "/: ") == true && error?.description.contains(message) == true,
                "\(error?.description ?? "")")
    }

    @Test func aURLThatIsNotHTTPIsRefusedWithoutARequest() async throws {
        await #expect(throws: SiteInitError("file:///etc/passwd: not an absolute http(s) URL")) {
            try await SiteInitializer.sketch(url: "file:///etc/passwd", http: http)
        }
    }
}
