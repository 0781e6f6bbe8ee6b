import Foundation
import HTTP
import SyndicateTesting
import Testing

@Suite("HTTP over libcurl")
struct CurlHTTPClientTests {
    let client = CurlHTTPClient(userAgent: "Syndicate/test (+https://reviews.test)")

    @Test func sendsMethodHeadersAndBodyAndReadsTheAnswer() async throws {
        let server = try FakeServer(responses: [.json(201, "{\"ok\":true}", headers: [("X-RateLimit-Reset", "2025-01-01T00:00:00Z")])])
        var request = try HTTPRequest.json("POST", server.baseURL + "/api/v1/statuses?x=1", ["status": "héllo"])
        request.headers["Authorization"] = "Bearer t"
        let response = try await client.send(request)
        #expect(response.status == 201)
        #expect(response.headers["x-ratelimit-reset"] == "2025-01-01T00:00:00Z")
        #expect(response.text == "{\"ok\":true}")
        let received = try #require(server.requests.first)
        #expect(received.method == "POST")
        #expect(received.path == "/api/v1/statuses")
        #expect(received.query == "x=1")
        #expect(received.header("authorization") == "Bearer t")
        #expect(received.header("content-type") == "application/json")
        #expect(received.header("user-agent") == "Syndicate/test (+https://reviews.test)")
        #expect(received.header("expect") == nil)
        #expect(received.json?["status"] as? String == "héllo")
    }

    @Test(arguments: ["PUT", "DELETE", "GET"])
    func otherMethods(_ method: String) async throws {
        let server = try FakeServer(responses: [.text(200, "done")])
        let body = method == "PUT" ? Data("{}".utf8) : nil
        _ = try await client.send(HTTPRequest(method: method, url: server.baseURL + "/links/x", body: body))
        #expect(server.requests.first?.method == method)
    }

    @Test func largeBodyIsSentWhole() async throws {
        let server = try FakeServer(responses: [.text(200, "ok")])
        let body = Data(repeating: 65, count: 1_500_000)
        _ = try await client.send(HTTPRequest(method: "POST", url: server.baseURL + "/upload", body: body))
        #expect(server.requests.first?.body == body)
    }

    @Test func redirectsAreNotFollowed() async throws {
        let server = try FakeServer(responses: [FakeResponse(status: 302, headers: [("Location", "/elsewhere")])])
        let response = try await client.send(HTTPRequest(method: "POST", url: server.baseURL + "/x", body: Data("a".utf8)))
        #expect(response.status == 302)
        #expect(server.requests.count == 1)
    }

    @Test func refusedConnectionIsNotSent() async throws {
        // Port 1 on loopback: nothing listens there, and no other test's server can take it.
        let url = "http://127.0.0.1:1/x"
        do {
            _ = try await client.send(HTTPRequest(method: "POST", url: url, body: Data()))
            Issue.record("expected a failure")
        } catch {
            guard case .notSent = error else { Issue.record("expected notSent, got \(error)"); return }
        }
    }

    @Test func unresolvableHostIsNotSent() async throws {
        do {
            _ = try await client.send(HTTPRequest(method: "POST", url: "http://no-such-host.invalid/x", body: Data(), timeout: 5))
            Issue.record("expected a failure")
        } catch {
            guard case .notSent = error else { Issue.record("expected notSent, got \(error)"); return }
        }
    }

    @Test func timeoutAfterSendingIsNoAnswer() async throws {
        let server = try FakeServer(responses: [.fault(.hang)])
        do {
            _ = try await client.send(HTTPRequest(method: "POST", url: server.baseURL + "/x", body: Data("a".utf8), timeout: 0.5))
            Issue.record("expected a failure")
        } catch {
            guard case .noAnswer = error else { Issue.record("expected noAnswer, got \(error)"); return }
        }
        #expect(server.requests.count == 1)
    }

    @Test func resetAfterSendingIsNoAnswer() async throws {
        let server = try FakeServer(responses: [.fault(.reset)])
        do {
            _ = try await client.send(HTTPRequest(method: "POST", url: server.baseURL + "/x", body: Data("a".utf8)))
            Issue.record("expected a failure")
        } catch {
            guard case .noAnswer = error else { Issue.record("expected noAnswer, got \(error)"); return }
        }
    }

    @Test func brokenBodyAfterStatusStillHasTheStatus() async throws {
        let server = try FakeServer(responses: [.fault(.truncatedBody)])
        let response = try await client.send(HTTPRequest(method: "POST", url: server.baseURL + "/x", body: Data("a".utf8)))
        #expect(response.status == 200)
        #expect(!response.bodyComplete)
    }

    @Test func aRequestMayKeepALongerBodyThanTheDefault() async throws {
        let big = Data(repeating: UInt8(ascii: "a"), count: HTTPResponse.maximumBody + 10)
        let server = try FakeServer(responses: [FakeResponse(body: big)])
        let cut = try await client.send(HTTPRequest(method: "GET", url: server.baseURL + "/page"))
        #expect(!cut.bodyComplete && cut.body.count <= HTTPResponse.maximumBody)
        var request = HTTPRequest(method: "GET", url: server.baseURL + "/page")
        request.maximumBody = 2 * HTTPResponse.maximumBody
        let whole = try await client.send(request)
        #expect(whole.bodyComplete && whole.body == big)
    }

    @Test func concurrentRequestsAllArrive() async throws {
        // Each answer is held for two seconds: if all eight arrive within that time, none
        // waited for another (generous, so a loaded CI machine does not make it flaky).
        let server = try FakeServer(responses: [.text(200, "ok", delay: 2.0)])
        let client = self.client
        try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<8 { group.addTask { try await client.send(HTTPRequest(method: "GET", url: server.baseURL + "/\(i)")).status } }
            for try await status in group { #expect(status == 200) }
        }
        let arrivals = server.requests.map(\.receivedAt)
        #expect(arrivals.count == 8)
        #expect(arrivals.max()!.timeIntervalSince(arrivals.min()!) < 2.0, "transfers run in parallel")
    }

    @Test func formEncoding() {
        #expect(FormEncoding.escape("a b&c=d/é*-._~") == "a+b%26c%3Dd%2F%C3%A9*-._%7E")
        #expect(FormEncoding.decode("h=entry&category%5B%5D=Crime&content=a+b").map { "\($0.0)=\($0.1)" } == ["h=entry", "category[]=Crime", "content=a b"])
    }
}
