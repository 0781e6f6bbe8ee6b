import Foundation
import HTTP
import Synchronization
import SyndicateTesting
import Testing

/// A kept-alive connection that the server closed meanwhile makes libcurl send the request
/// again on a new one: only a request that is harmless twice may ride one.
@Suite("Kept-alive connections")
struct ConnectionReuseTests {
    let client = CurlHTTPClient(userAgent: "Syndicate/test (+https://reviews.test)")

    /// The answers to requests made one after another (as one destination's queue makes
    /// them), so on the handle the last one left idle.
    func responses(to requests: [HTTPRequest]) async throws -> [HTTPResponse] {
        var responses: [HTTPResponse] = []
        for request in requests { responses.append(try await client.send(request)) }
        return responses
    }

    /// The connection each request rode, against a server that keeps connections open.
    func connections(of requests: [HTTPRequest], server: FakeServer) async throws -> [Int] {
        #expect(try await responses(to: requests).allSatisfy { $0.status == 200 })
        return server.requests.map(\.connection)
    }

    @Test func idempotentRequestsShareOneConnection() async throws {
        let server = try FakeServer(responses: [.json(200, "{}")], keepAlive: true)
        let url = server.baseURL + "/api/v1/statuses"
        let requests = [
            HTTPRequest(method: "GET", url: server.baseURL + "/api/v2/instance"),
            HTTPRequest(method: "POST", url: url, body: Data("{}".utf8), idempotent: true),
            HTTPRequest(method: "PUT", url: server.baseURL + "/links/a", body: Data("{}".utf8)),
        ]
        #expect(try await connections(of: requests, server: server) == [0, 0, 0])
    }

    @Test func everyPlainPostGetsAFreshConnection() async throws {
        let server = try FakeServer(responses: [.json(200, "{}")], keepAlive: true)
        let requests = (0..<3).map { HTTPRequest(method: "POST", url: server.baseURL + "/hook/\($0)", body: Data("{}".utf8)) }
        #expect(try await connections(of: requests, server: server) == [0, 1, 2])
    }

    /// One handle carries its options from one transfer to the next: each request must still
    /// go out exactly as asked, whatever came before it on that handle.
    @Test func nothingOfOneRequestLeaksIntoTheNext() async throws {
        let server = try FakeServer(keepAlive: true) { request, _ in
            .text(200, request.method == "HEAD" ? "" : "answer to \(request.method) \(request.path)")
        }
        let requests: [HTTPRequest] = [
            HTTPRequest(method: "POST", url: server.baseURL + "/a", headers: ["X-One": "1"], body: Data("first".utf8), idempotent: true),
            HTTPRequest(method: "GET", url: server.baseURL + "/b"),
            HTTPRequest(method: "HEAD", url: server.baseURL + "/c"),
            HTTPRequest(method: "GET", url: server.baseURL + "/d", timeout: 5),
            HTTPRequest(method: "PUT", url: server.baseURL + "/e", body: Data("second".utf8)),
            HTTPRequest(method: "DELETE", url: server.baseURL + "/f"),
            HTTPRequest(method: "POST", url: server.baseURL + "/g", idempotent: true),
            HTTPRequest(method: "PATCH", url: server.baseURL + "/h", body: Data("third".utf8)),
            HTTPRequest(method: "GET", url: server.baseURL + "/i"),
        ]
        let answers = try await responses(to: requests).map(\.text)
        let received = server.requests
        #expect(received.map(\.method) == ["POST", "GET", "HEAD", "GET", "PUT", "DELETE", "POST", "PATCH", "GET"])
        #expect(received.map(\.path) == ["/a", "/b", "/c", "/d", "/e", "/f", "/g", "/h", "/i"])
        #expect(received.map(\.text) == ["first", "", "", "", "second", "", "", "third", ""])
        #expect(received.map { $0.header("content-length") } == ["5", nil, nil, nil, "6", nil, "0", "5", nil])
        #expect(received.map { $0.header("x-one") } == ["1", nil, nil, nil, nil, nil, nil, nil, nil])
        #expect(received.allSatisfy { $0.header("user-agent") == "Syndicate/test (+https://reviews.test)" })
        #expect(answers == ["answer to POST /a", "answer to GET /b", "", "answer to GET /d", "answer to PUT /e",
                            "answer to DELETE /f", "answer to POST /g", "answer to PATCH /h", "answer to GET /i"])
        // Only the one that is not idempotent (PATCH) opened a connection of its own, and the
        // request after it went on a kept one again.
        #expect(received.map(\.connection).prefix(8) == [0, 0, 0, 0, 0, 0, 0, 1])
        #expect(received[8].connection < 2)
    }

    /// libcurl resends a request whose kept-alive connection turned out dead, but counts those
    /// resends per handle and gives up after five: a handle kept for a whole run must not use
    /// that allowance up across its transfers.
    @Test func deadKeptAliveConnectionsNeverUseUpTheResends() async throws {
        let seen = RequestsPerConnection()
        // Every connection answers its first request and dies on its second.
        let server = try FakeServer(keepAlive: true) { request, _ in
            seen.count(request.connection) == 1 ? .text(200, "ok") : .fault(.reset)
        }
        let statuses = try await responses(to: (0..<12).map { HTTPRequest(method: "GET", url: server.baseURL + "/\($0)") }).map(\.status)
        #expect(statuses == Array(repeating: 200, count: 12))
        #expect(Set(server.requests.map(\.connection)).count >= 12, "each request after the first resent on a new connection")
    }

    /// Handles go back to the client's pool after their transfer, and a request takes the one
    /// that last spoke to its server, whose connection is still open, even when another
    /// destination's handle came back after it.
    @Test func aRequestTakesTheHandleThatLastSpokeToItsServer() async throws {
        let near = try FakeServer(responses: [.text(200, "near", delay: 0.1)], keepAlive: true)
        let far = try FakeServer(responses: [.text(200, "far", delay: 0.4)], keepAlive: true)
        let client = self.client
        async let first = client.send(HTTPRequest(method: "GET", url: near.baseURL + "/1"))
        async let other = client.send(HTTPRequest(method: "GET", url: far.baseURL + "/1"))
        #expect(try await [first.status, other.status] == [200, 200])
        #expect(try await client.send(HTTPRequest(method: "GET", url: near.baseURL + "/2")).status == 200)
        #expect(near.requests.map(\.connection) == [0, 0])
    }

    @Test func methodsDecideTheDefault() {
        #expect(HTTPRequest(method: "GET", url: "http://x").idempotent)
        #expect(HTTPRequest(method: "put", url: "http://x").idempotent)
        #expect(HTTPRequest(method: "DELETE", url: "http://x").idempotent)
        #expect(!HTTPRequest(method: "POST", url: "http://x").idempotent)
        #expect(!HTTPRequest(method: "PATCH", url: "http://x").idempotent)
        #expect(HTTPRequest(method: "POST", url: "http://x", idempotent: true).idempotent)
    }
}

/// How many requests each connection of a fake has carried so far.
private final class RequestsPerConnection: Sendable {
    private let counts = Mutex<[Int: Int]>([:])

    /// Counts one more request on `connection`; returns how many it has carried now.
    func count(_ connection: Int) -> Int {
        counts.withLock { counts in
            counts[connection, default: 0] += 1
            return counts[connection]!
        }
    }
}
