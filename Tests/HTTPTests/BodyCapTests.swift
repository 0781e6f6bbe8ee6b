import Foundation
import HTTP
import SyndicateTesting
import Testing

/// A request's body cap keeps exactly that much of a longer body, so a reader whose cap is one
/// byte over what it accepts knows the answer was too long (a feed source's 20 MB).
@Suite struct BodyCapTests {
    @Test func aLongerBodyIsKeptUpToTheCapExactly() async throws {
        let server = try FakeServer(responses: [FakeResponse(body: Data(repeating: UInt8(ascii: "a"), count: 300_000))])
        defer { server.stop() }
        var request = HTTPRequest(method: "GET", url: server.baseURL + "/big")
        request.maximumBody = 100_001
        let response = try await CurlHTTPClient(userAgent: "test").send(request)
        #expect(response.status == 200 && !response.bodyComplete)
        #expect(response.body.count == 100_001)
    }
}
