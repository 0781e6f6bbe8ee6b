import Foundation

/// One HTTP request, as adapters describe it. Nothing here knows about curl.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: HTTPHeaders
    public var body: Data?
    /// Seconds for the whole exchange (`post.timeout`).
    public var timeout: Double
    /// Whether sending this request twice has the effect of sending it once (GET, PUT,
    /// DELETE, or a POST the server deduplicates by a key). Only such a request may go out on
    /// a kept-alive connection: when the server has closed that connection meanwhile,
    /// libcurl sends the request again on a new one, which must never post twice.
    public var idempotent: Bool

    public init(method: String, url: String, headers: HTTPHeaders = HTTPHeaders(), body: Data? = nil, timeout: Double = 30,
                idempotent: Bool? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.idempotent = idempotent ?? ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].contains(method.uppercased())
    }

    /// A JSON body with its content type.
    public static func json(_ method: String, _ url: String, _ object: some Encodable, headers: HTTPHeaders = HTTPHeaders(), timeout: Double = 30) throws -> HTTPRequest {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = headers
        headers["Content-Type"] = "application/json"
        return HTTPRequest(method: method, url: url, headers: headers, body: try encoder.encode(object), timeout: timeout)
    }

    /// A form-encoded body (`application/x-www-form-urlencoded`), fields in the given order.
    public static func form(_ method: String, _ url: String, _ fields: [(String, String)], headers: HTTPHeaders = HTTPHeaders(), timeout: Double = 30) -> HTTPRequest {
        var headers = headers
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        let body = fields.map { FormEncoding.escape($0.0) + "=" + FormEncoding.escape($0.1) }.joined(separator: "&")
        return HTTPRequest(method: method, url: url, headers: headers, body: Data(body.utf8), timeout: timeout)
    }
}

/// One HTTP response.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data
    /// False when the connection broke while the body was arriving: the status still stands.
    public var bodyComplete: Bool

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: Data = Data(), bodyComplete: Bool = true) {
        self.status = status
        self.headers = headers
        self.body = body
        self.bodyComplete = bodyComplete
    }

    public var isSuccess: Bool { (200..<300).contains(status) }
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Header fields in order, looked up without regard to case.
///
/// A response's fields are kept as the bytes that came (`init(received:)`) and turned into
/// strings only when asked for: an adapter reads one or two of a response's twenty-odd
/// fields, mostly none, and two strings per field were a tenth of a request's cost.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    private var parsed: [(name: String, value: String)] = []
    /// `name: value` lines, each trimmed and ended by a line feed; nil once parsed.
    private var received: [UInt8]?

    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { parsed.append((name, value)) }
    }

    /// Fields as received: `name: value` lines, each ended by a line feed (see
    /// `appendReceived`).
    init(received: [UInt8]) { self.received = received }

    /// Appends one received line (without its line end) to `received`, if it is a field.
    static func appendReceived(_ line: UnsafeBufferPointer<UInt8>, to received: inout [UInt8]) {
        guard line.contains(UInt8(ascii: ":")) else { return }
        received.append(contentsOf: line)
        received.append(0x0A)
    }

    /// Every field, in order.
    public var fields: [(name: String, value: String)] {
        guard let received else { return parsed }
        var fields: [(name: String, value: String)] = []
        Self.eachReceived(received) { name, value in
            fields.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
            return true
        }
        return fields
    }

    /// The first value of `name`; setting replaces every field of that name.
    public subscript(name: String) -> String? {
        get {
            guard let received else { return parsed.first { Self.sameName($0.name, name) }?.value }
            var found: String?
            Self.eachReceived(received) { field, value in
                guard Self.sameName(field, name.utf8) else { return true }
                found = String(decoding: value, as: UTF8.self)
                return false
            }
            return found
        }
        set {
            materialize()
            parsed.removeAll { Self.sameName($0.name, name) }
            if let newValue { parsed.append((name, newValue)) }
        }
    }

    public mutating func add(_ name: String, _ value: String) {
        materialize()
        parsed.append((name, value))
    }

    private mutating func materialize() {
        guard received != nil else { return }
        parsed = fields
        received = nil
    }

    /// Calls `body` with each received field's name and value (white space around the colon
    /// left out) until it returns false.
    private static func eachReceived(_ received: [UInt8], _ body: (ArraySlice<UInt8>, ArraySlice<UInt8>) -> Bool) {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        var lineStart = received.startIndex
        while let lineEnd = received[lineStart...].firstIndex(of: 0x0A) {
            defer { lineStart = lineEnd + 1 }
            guard let colon = received[lineStart..<lineEnd].firstIndex(of: UInt8(ascii: ":")) else { continue }
            var nameEnd = colon, valueStart = colon + 1
            while nameEnd > lineStart, isSpace(received[nameEnd - 1]) { nameEnd -= 1 }
            while valueStart < lineEnd, isSpace(received[valueStart]) { valueStart += 1 }
            if !body(received[lineStart..<nameEnd], received[valueStart..<lineEnd]) { return }
        }
    }

    /// Field names are ASCII tokens (RFC 9110 §5.1), compared without regard to ASCII case.
    static func sameName(_ a: String, _ b: String) -> Bool { sameName(a.utf8, b.utf8) }

    static func sameName<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { x, y in
            x == y || (x | 0x20 == y | 0x20 && (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(x | 0x20))
        }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }
}

/// Why an exchange produced no response. The difference decides whether a retry could post
/// twice, so every transport must get it right.
public enum HTTPFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing reached the server: DNS, refused connection, TLS handshake, a bad URL.
    case notSent(String)
    /// The request went out and no answer came back (timeout or reset after sending): the
    /// server may have acted on it.
    case noAnswer(String)

    public var description: String {
        switch self {
        case .notSent(let message): return "not sent: \(message)"
        case .noAnswer(let message): return "sent, no answer: \(message)"
        }
    }
}

/// Sends requests. Conformers must classify failures as `HTTPFailure` and never follow
/// redirects on their own.
public protocol HTTPClient: Sendable {
    func send(_ request: HTTPRequest) async throws(HTTPFailure) -> HTTPResponse
}

extension HTTPClient {
    /// `send`, with the failure as a value.
    public func result(_ request: HTTPRequest) async -> Result<HTTPResponse, HTTPFailure> {
        do {
            return .success(try await send(request))
        } catch {
            return .failure(error)
        }
    }
}

/// `application/x-www-form-urlencoded` escaping (WHATWG URL standard): letters, digits and
/// `*-._` stay, space becomes `+`, everything else is percent-encoded as UTF-8.
public enum FormEncoding {
    public static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "*"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// Parses a form body back into fields (for fakes and tests).
    public static func decode(_ body: String) -> [(String, String)] {
        body.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func unescape(_ s: Substring) -> String {
                s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            return (unescape(parts[0]), parts.count > 1 ? unescape(parts[1]) : "")
        }
    }
}
