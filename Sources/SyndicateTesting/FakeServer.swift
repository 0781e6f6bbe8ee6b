import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A request as the fake server received it.
public struct RecordedRequest: Sendable {
    public var method: String
    /// Path without the query.
    public var path: String
    public var query: String
    public var headers: [(name: String, value: String)]
    public var body: Data
    public var receivedAt: Date
    /// Which accepted connection it came on (0, 1, …): tells kept-alive connections apart.
    public var connection: Int = 0

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
}

/// What the fake does with a request.
public struct FakeResponse: Sendable {
    public enum Fault: Sendable {
        /// Close the connection with a TCP reset instead of answering.
        case reset
        /// Send the status line and headers, promise more body than is sent, then close.
        case truncatedBody
        /// Never answer; the client's timeout ends it.
        case hang
        /// Answer with bytes that are no HTTP response (no status line, as HTTP/0.9 would),
        /// then close: the request was received whole.
        case garbage
        /// Send a 200 status line and headers, then body bytes without end, until the client
        /// goes away.
        case endlessBody
        /// Send a 200 status line, then header fields without end, until the client goes away.
        case endlessHeaders
    }

    public var status: Int
    public var headers: [(String, String)]
    public var body: Data
    /// Seconds to wait, after the request was recorded, before answering.
    public var delay: Double
    public var fault: Fault?

    public init(status: Int = 200, headers: [(String, String)] = [], body: Data = Data(), delay: Double = 0, fault: Fault? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
        self.fault = fault
    }

    public static func json(_ status: Int, _ text: String, headers: [(String, String)] = [], delay: Double = 0) -> FakeResponse {
        FakeResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Data(text.utf8), delay: delay)
    }

    public static func text(_ status: Int, _ text: String, headers: [(String, String)] = [], delay: Double = 0) -> FakeResponse {
        FakeResponse(status: status, headers: [("Content-Type", "text/plain")] + headers, body: Data(text.utf8), delay: delay)
    }

    public static func fault(_ fault: Fault, delay: Double = 0) -> FakeResponse {
        FakeResponse(status: 0, delay: delay, fault: fault)
    }
}

/// An HTTP/1.1 server on 127.0.0.1 (a random free port) for tests: it records every request
/// and answers with whatever its handler says, faults included. One connection per request,
/// unless `keepAlive` is set: then a connection serves requests until the client closes it.
public final class FakeServer: @unchecked Sendable {
    public typealias Handler = @Sendable (RecordedRequest, _ index: Int) -> FakeResponse

    public let port: Int
    private let listener: Int32
    private let handler: Handler
    private let keepAlive: Bool
    private var connections = 0
    private let lock = NSLock()
    private var recorded: [RecordedRequest] = []
    /// When each request (by index) was answered, or its connection given up.
    private var answered: [Int: Date] = [:]
    private var stopped = false

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// - Parameter handler: given each request and its 0-based index among all requests.
    public init(keepAlive: Bool = false, handler: @escaping Handler) throws {
        self.handler = handler
        self.keepAlive = keepAlive
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.EMFILE) }
        var reuse: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 128) == 0 else { close(listener); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.listener = listener
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// A server that answers every request with the responses given, in order; the last one
    /// repeats.
    public convenience init(responses: [FakeResponse], keepAlive: Bool = false) throws {
        try self.init(keepAlive: keepAlive) { _, index in responses[min(index, responses.count - 1)] }
    }

    deinit { stop() }

    public func stop() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        lock.unlock()
        // Wake the accept loop, which closes the socket itself: closing it here would free the
        // descriptor number for another server while this loop may still call accept() on it.
        if !wasStopped { shutdown(listener, Int32(SHUT_RDWR)) }
    }

    /// Every request received so far, in arrival order.
    public var requests: [RecordedRequest] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            lock.lock()
            let done = stopped
            lock.unlock()
            if done {
                if client >= 0 { close(client) }
                close(listener)
                return
            }
            if client < 0 { continue }
            lock.lock()
            let connection = connections
            connections += 1
            lock.unlock()
            let thread = Thread { [self] in serve(client, connection: connection) }
            thread.start()
        }
    }

    private func serve(_ client: Int32, connection: Int) {
        var noDelay: Int32 = 1
        setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        var pending = Data()
        while answer(client, connection: connection, pending: &pending) {}
        close(client)
    }

    /// Reads and answers one request; true when the connection stays open for another.
    /// The most requests among those `matching` that were being handled at one moment (from
    /// the request's arrival to its answer): 1 when each came after the previous one's answer.
    /// A request still unanswered counts as open until now.
    public func mostAtOnce(matching: (RecordedRequest) -> Bool) -> Int {
        lock.lock()
        let spans = recorded.indices.filter { matching(recorded[$0]) }.map { (recorded[$0].receivedAt, answered[$0] ?? .distantFuture) }
        lock.unlock()
        var most = 0
        for (start, _) in spans {
            most = max(most, spans.filter { $0.0 <= start && start < $0.1 }.count)
        }
        return most
    }

    private func answer(_ client: Int32, connection: Int, pending: inout Data) -> Bool {
        guard var request = readRequest(client, pending: &pending) else { return false }
        request.connection = connection
        lock.lock()
        let index = recorded.count
        recorded.append(request)
        lock.unlock()
        defer {
            lock.lock()
            answered[index] = Date()
            lock.unlock()
        }
        let response = handler(request, index)
        if response.delay > 0 { Thread.sleep(forTimeInterval: response.delay) }
        switch response.fault {
        case .reset?:
            var linger = linger(l_onoff: 1, l_linger: 0)
            setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
            return false
        case .truncatedBody?:
            send(client, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n{\"id\":")
            return false
        case .hang?:
            var buffer = [UInt8](repeating: 0, count: 1)
            while recv(client, &buffer, 1, 0) > 0 {}
            return false
        case .garbage?:
            send(client, "garbage, not a status line\r\nmore garbage\r\n\r\n")
            shutdown(client, Int32(SHUT_WR))
            return false
        case .endlessBody?:
            send(client, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
            let chunk = [UInt8](repeating: UInt8(ascii: " "), count: 65536)
            while chunk.withUnsafeBytes({ Glibc.send(client, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }) > 0 {}
            return false
        case .endlessHeaders?:
            send(client, "HTTP/1.1 200 OK\r\n")
            let field = Array(String(repeating: "X-Padding: \(String(repeating: "a", count: 1000))\r\n", count: 64).utf8)
            while field.withUnsafeBytes({ Glibc.send(client, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }) > 0 {}
            return false
        case nil:
            break
        }
        var head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(response.body.count)\r\n" + (keepAlive ? "\r\n" : "Connection: close\r\n\r\n")
        send(client, head)
        response.body.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let sent = Glibc.send(client, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { break }
                offset += sent
            }
        }
        if keepAlive { return true }
        shutdown(client, Int32(SHUT_WR))
        return false
    }

    private func send(_ client: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        _ = Glibc.send(client, &bytes, bytes.count, Int32(MSG_NOSIGNAL))
    }

    /// - Parameter pending: bytes read past the previous request on this connection.
    private func readRequest(_ client: Int32, pending: inout Data) -> RecordedRequest? {
        var data = Data(pending) // a fresh Data: indices from 0
        pending = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var headerEnd = data.range(of: Data("\r\n\r\n".utf8))
        while headerEnd == nil {
            let count = recv(client, &buffer, buffer.count, 0)
            if count <= 0 { return nil }
            data.append(buffer, count: count)
            headerEnd = data.range(of: Data("\r\n\r\n".utf8))
        }
        let head = String(decoding: data[..<headerEnd!.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        }
        let length = Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
        var body = Data(data[headerEnd!.upperBound...])
        while body.count < length {
            let count = recv(client, &buffer, buffer.count, 0)
            if count <= 0 { return nil }
            body.append(buffer, count: count)
        }
        if body.count > length {
            pending = Data(body[(body.startIndex + length)...])
            body = Data(body[..<(body.startIndex + length)])
        }
        let target = String(requestLine[1])
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return RecordedRequest(method: String(requestLine[0]), path: String(parts[0]),
                               query: parts.count > 1 ? String(parts[1]) : "", headers: headers.map { ($0.0, $0.1) },
                               body: body, receivedAt: Date())
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 408: return "Request Timeout"
        case 422: return "Unprocessable Entity"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return "Status"
        }
    }
}
