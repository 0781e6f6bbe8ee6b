@testable import HTTP
import Testing

/// A response's fields, parsed from the header lines as they arrive.
@Suite("Header fields as received")
struct HTTPHeadersTests {
    static func received(_ lines: [String]) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for line in lines { headers.addReceived(line: line + "\r\n") }
        return headers
    }

    @Test(arguments: [
        (["Content-Type: application/json"], "content-type", "application/json"),
        (["X-RateLimit-Reset:2025-01-01T00:00:00Z"], "X-RATELIMIT-RESET", "2025-01-01T00:00:00Z"),
        (["Retry-After :  120"], "retry-after", "120"),
        (["Link: <a>; rel=next", "link: <b>"], "Link", "<a>; rel=next"),
        (["Location: https://x.test/a:b"], "location", "https://x.test/a:b"),
        (["Empty:"], "empty", ""),
        (["not a field", "", "Server: fake"], "server", "fake"),
        (["Server: fake"], "serve", nil),
        ([String](), "server", nil),
    ] as [([String], String, String?)])
    func lookUp(_ lines: [String], _ name: String, _ expected: String?) {
        #expect(Self.received(lines)[name] == expected)
    }

    @Test func fieldsInOrderAndChangesAfterReceiving() {
        var headers = Self.received(["A: 1", "b: 2", "A: 3"])
        #expect(headers.fields.map(\.name) == ["A", "b", "A"])
        #expect(headers.map(\.value) == ["1", "2", "3"])
        headers["a"] = "9"
        headers.add("C", "4")
        #expect(headers.fields.map { "\($0.name)=\($0.value)" } == ["b=2", "a=9", "C=4"])
        #expect(headers["A"] == "9")
    }
}
