@testable import HTTP
import Testing

/// A response's fields, kept as received and read on demand, must read as if parsed at once.
@Suite("Header fields as received")
struct HTTPHeadersTests {
    static func received(_ lines: [String]) -> HTTPHeaders {
        var bytes: [UInt8] = []
        for line in lines {
            Array(line.utf8).withUnsafeBufferPointer { HTTPHeaders.appendReceived($0, to: &bytes) }
        }
        return HTTPHeaders(received: bytes)
    }

    @Test(arguments: [
        (["Content-Type: application/json"], "content-type", "application/json"),
        (["X-RateLimit-Reset:2025-01-01T00:00:00Z"], "X-RATELIMIT-RESET", "2025-01-01T00:00:00Z"),
        (["Retry-After :  120"], "retry-after", "120"),
        (["Link: <a>; rel=next", "link: <b>"], "Link", "<a>; rel=next"),
        (["Location: https://x.test/a:b"], "location", "https://x.test/a:b"),
        (["Empty:"], "empty", ""),
        (["not a field", "Server: fake"], "server", "fake"),
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
