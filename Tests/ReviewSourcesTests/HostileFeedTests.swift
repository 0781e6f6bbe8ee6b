import Foundation
import HTTP
import Reviews
@testable import ReviewSources
import SyndicateTesting
import Testing

/// Feeds that break the rules (docs/SPEC.md §9 "feed"): each is an error naming the URL, or a
/// correct read; never a crash, a hang, a file read or a request elsewhere.
@Suite struct HostileFeedTests {
    static let item = "<item><title>Caf\u{E9} Society</title><link>https://blog.test/cafe/</link></item>"

    /// Serves `body` once at /feed/ and reads it as a source would, with no last good copy.
    func read(_ body: Data, contentType: String = "application/rss+xml") async throws -> (result: Result<FeedRead, Diagnostics>, url: String) {
        let server = try FakeServer(responses: [FakeResponse(status: 200, headers: [("Content-Type", contentType)], body: body)])
        defer { server.stop() }
        return (await read(server.baseURL + "/feed/"), server.baseURL + "/feed/")
    }

    func read(_ url: String, response: FakeResponse) async throws -> Result<FeedRead, Diagnostics> {
        let server = try FakeServer(responses: [response])
        defer { server.stop() }
        return await read(url.replacingOccurrences(of: "SERVER", with: server.baseURL))
    }

    func read(_ url: String) async -> Result<FeedRead, Diagnostics> {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("feed-cache-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: cache) }
        let reader = FeedReader(url: url, http: CurlHTTPClient(userAgent: "test"), cacheFile: cache, now: Date(), since: nil, timeout: 10)
        do {
            return .success(try await reader.read())
        } catch {
            return .failure(error)
        }
    }

    func rss(_ items: String = item, prolog: String = "<?xml version=\"1.0\"?>") -> String {
        "\(prolog)\n<rss version=\"2.0\"><channel><title>T</title>\(items)</channel></rss>\n"
    }

    /// The one error, which names the URL.
    func failure(_ outcome: (result: Result<FeedRead, Diagnostics>, url: String)) -> String? {
        guard case .failure(let diagnostics) = outcome.result, diagnostics.items.count == 1 else { return nil }
        let line = diagnostics.items[0].description
        return line.hasPrefix(outcome.url + ":") ? line : "NOT NAMING THE URL: " + line
    }

    @Test func billionLaughsIsRefusedAtOnce() async throws {
        var entities = "<!ENTITY lol \"lol\">\n"
        for level in 1...9 {
            entities += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level == 1 ? "" : String(level - 1));", count: 10) + "\">\n"
        }
        let document = rss("<item><title>&lol9;</title><link>https://blog.test/a/</link></item>", prolog: "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n\(entities)]>")
        // Timed without the HTTP exchange, whose thread may wait behind other tests.
        let start = Date()
        #expect(throws: FeedParseError.self) { try FeedParser.parse(Data(document.utf8), charset: nil, url: "https://blog.test/feed/") }
        #expect(Date().timeIntervalSince(start) < 2)
        let outcome = try await read(Data(document.utf8))
        #expect(failure(outcome)?.hasSuffix(": feed: the document declares entities (<!ENTITY …>), which a feed never needs; refused") == true,
                "\(outcome.result)")
    }

    @Test func anExternalFileEntityIsNeverRead() async throws {
        let secret = FileManager.default.temporaryDirectory.appendingPathComponent("feed-secret-\(UUID().uuidString)")
        try Data("TOP-SECRET-TEXT".utf8).write(to: secret)
        defer { try? FileManager.default.removeItem(at: secret) }
        let document = rss("<item><title>&xxe;</title><link>https://blog.test/a/</link></item>",
                           prolog: "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file://\(secret.path)\">]>")
        let outcome = try await read(Data(document.utf8))
        let message = try #require(failure(outcome), "\(outcome.result)")
        #expect(message.contains("declares entities"))
        #expect(!message.contains("TOP-SECRET"))
    }

    @Test func externalHTTPEntitiesAndDTDsAreNeverFetched() async throws {
        let elsewhere = try FakeServer(responses: [.text(200, "<!ENTITY leak \"LEAKED\">")])
        defer { elsewhere.stop() }
        let general = rss("<item><title>&xxe;</title><link>https://blog.test/a/</link></item>",
                          prolog: "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"\(elsewhere.baseURL)/entity\">]>")
        #expect(failure(try await read(Data(general.utf8)))?.contains("declares entities") == true)

        let parameter = rss(prolog: "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY % remote SYSTEM \"\(elsewhere.baseURL)/dtd\"> %remote;]>")
        #expect(failure(try await read(Data(parameter.utf8)))?.contains("declares entities") == true)

        // An external DTD is not loaded (and so declares nothing): the feed reads.
        let external = rss(prolog: "<?xml version=\"1.0\"?>\n<!DOCTYPE rss SYSTEM \"\(elsewhere.baseURL)/rss.dtd\">")
        let outcome = try await read(Data(external.utf8))
        #expect(try outcome.result.get().items.map(\.title) == ["Café Society"])
        #expect(elsewhere.requests.isEmpty, "no request may leave for an entity or a DTD")
    }

    @Test func thirtyMegabytesIsTooBig() async throws {
        let padding = "<!-- " + String(repeating: "x", count: 30_000_000) + " -->"
        let outcome = try await read(Data(rss(Self.item + padding).utf8))
        #expect(failure(outcome)?.hasSuffix(":1: feed: larger than 20 MB; not read") == true, "\(outcome.result)")
    }

    @Test func anEndlessAnswerStopsAtTwentyMegabytes() async throws {
        // Without the cap, the read would end at its timeout with another message.
        let outcome = try await read("SERVER/feed/", response: .fault(.endlessBody))
        guard case .failure(let diagnostics) = outcome else { Issue.record("an endless answer read as a feed"); return }
        #expect(diagnostics.description.hasSuffix("/feed/:1: feed: larger than 20 MB; not read"), "\(diagnostics)")
    }

    @Test func tooManyItemsAreRefused() async throws {
        let items = String(repeating: "<item><link>https://a.test/</link></item>", count: FeedParser.maximumItems + 1)
        let outcome = try await read(Data(rss(items).utf8))
        #expect(failure(outcome)?.hasSuffix(":2: feed: 10001 items, more than 10000; not read") == true, "\(outcome.result)")
    }

    /// The HTTP client keeps 1 MiB of an answer by default: a feed's read asks for 20 MB.
    @Test func aFeedOfSeveralMegabytesReads() async throws {
        let padding = "<!-- " + String(repeating: "x", count: 5_000_000) + " -->"
        let outcome = try await read(Data(rss(Self.item + padding).utf8))
        #expect(try outcome.result.get().items.map(\.title) == ["Café Society"])
    }

    @Test func latin1DeclaredIsReadAsLatin1() async throws {
        let document = rss(prolog: "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>")
        let outcome = try await read(try #require(document.data(using: .isoLatin1)))
        #expect(try outcome.result.get().items.map(\.title) == ["Café Society"])
    }

    @Test func latin1UndeclaredIsAnErrorUnlessHTTPNamesIt() async throws {
        let bytes = try #require(rss().data(using: .isoLatin1))
        let undeclared = try await read(bytes)
        #expect(failure(undeclared)?.contains(": feed: not well-formed XML: Input is not proper UTF-8") == true, "\(undeclared.result)")

        let named = try await read(bytes, contentType: "application/rss+xml; charset=\"ISO-8859-1\"")
        #expect(try named.result.get().items.map(\.title) == ["Café Society"])
    }

    /// An unknown encoding declared is an error; an unknown HTTP charset is ignored, like a
    /// browser ignores an unknown label: the declaration (or UTF-8) decides.
    @Test func anUnknownEncodingDeclaredIsAnErrorAndAnUnknownCharsetIgnored() async throws {
        let declared = try await read(Data(rss(prolog: "<?xml version=\"1.0\" encoding=\"x-no-such-encoding\"?>").utf8))
        #expect(failure(declared)?.contains(": feed: not well-formed XML: Unsupported encoding x-no-such-encoding") == true, "\(declared.result)")
        let named = try await read(Data(rss().utf8), contentType: "application/rss+xml; charset=x-no-such-encoding")
        #expect(try named.result.get().items.map(\.title) == ["Café Society"])
    }

    @Test func utf16WithAByteOrderMarkWinsOverTheHTTPCharset() async throws {
        let document = rss(prolog: "<?xml version=\"1.0\" encoding=\"UTF-16\"?>")
        let bytes = try #require(document.data(using: .utf16LittleEndian))
        let outcome = try await read(Data([0xFF, 0xFE]) + bytes, contentType: "text/xml; charset=utf-8")
        #expect(try outcome.result.get().items.map(\.title) == ["Café Society"])
    }

    @Test func aTruncatedDocumentOrTransferIsAnError() async throws {
        let document = rss()
        let cut = String(document.prefix(document.count - 30))
        let outcome = try await read(Data(cut.utf8))
        #expect(failure(outcome)?.contains(": feed: not well-formed XML") == true, "\(outcome.result)")

        let broken = try await read("SERVER/feed/", response: .fault(.truncatedBody))
        guard case .failure(let diagnostics) = broken else { Issue.record("a broken transfer read as a feed"); return }
        #expect(diagnostics.description.contains("/feed/:1: feed: the answer broke off after"), "\(diagnostics)")
    }

    @Test(arguments: [
        ("<html><head><title>Blog</title></head><body><p>Hi</p></body></html>", "not an RSS or Atom feed (the document is <html>)"),
        ("<rss version=\"2.0\"></rss>", "an RSS document without a <channel>; not a feed"),
        ("", "empty answer, no feed"),
        ("Not XML at all", "not well-formed XML"),
        ("{\"version\": \"https://jsonfeed.org/version/1.1\"", "not a JSON Feed: not valid JSON"),
        ("{\"version\": \"1\", \"items\": []}", "not a JSON Feed (version \"1\")"),
        ("{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": {}}", "not a JSON Feed: items: "),
        (String(repeating: "<a>", count: 100_000), "not well-formed XML"),
    ])
    func notAFeedIsAnErrorNamingTheURL(_ body: String, _ message: String) async throws {
        let outcome = try await read(Data(body.utf8))
        #expect(failure(outcome)?.contains(": feed: " + message) == true, "\(outcome.result)")
    }
}
