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
    /// The most of the response's body kept; past it the body is cut and not `bodyComplete`.
    /// Services answer in far less than the default; a source's page of posts may not.
    public var maximumBody = HTTPResponse.maximumBody

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

    /// The most of a body kept by default (README, "The ledger and its states"): far above any
    /// service's answer. A longer body is cut there, and the response is not `bodyComplete`.
    /// A request may ask for another cap (`HTTPRequest.maximumBody`).
    public static let maximumBody = 1 << 20

    public var isSuccess: Bool { (200..<300).contains(status) }
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Header fields in order, looked up without regard to case.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    /// Every field, in order.
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { (name: $0.0, value: $0.1) }
    }

    /// The first value of `name`; setting replaces every field of that name.
    public subscript(name: String) -> String? {
        get { fields.first { Self.sameName($0.name, name) }?.value }
        set {
            fields.removeAll { Self.sameName($0.name, name) }
            if let newValue { fields.append((name, newValue)) }
        }
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((name, value))
    }

    /// Adds the field of one header line as received (`name: value`; the white space around
    /// the name and the value, and the line end, left out). A line without a colon (the
    /// blank line that ends a header) is no field and adds nothing.
    mutating func addReceived(line: String) {
        guard let colon = line.firstIndex(of: ":") else { return }
        fields.append((line[..<colon].trimmingCharacters(in: .whitespacesAndNewlines),
                       line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// Field names are ASCII tokens (RFC 9110 §5.1), compared without regard to case.
    private static func sameName(_ a: String, _ b: String) -> Bool {
        a.lowercased() == b.lowercased()
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
