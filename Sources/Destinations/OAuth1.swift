import COpenSSL
import Foundation

/// OAuth 1.0a request signing, HMAC-SHA1 (RFC 5849 §3.4; X's "Creating a signature").
///
/// The signature covers the method, the URL without its query, and the parameters: the
/// `oauth_*` ones, the query's, and a form body's. A JSON body is not a parameter and is
/// not signed.
public struct OAuth1Signer: Sendable {
    public var consumerKey: String
    public var consumerSecret: String
    public var token: String
    public var tokenSecret: String

    public init(consumerKey: String, consumerSecret: String, token: String, tokenSecret: String) {
        self.consumerKey = consumerKey
        self.consumerSecret = consumerSecret
        self.token = token
        self.tokenSecret = tokenSecret
    }

    /// The `Authorization` header for a request.
    /// - Parameters:
    ///   - parameters: the query's and a form body's parameters, decoded.
    public func authorization(method: String, url: String, parameters: [(String, String)] = [],
                              nonce: String = OAuth1Signer.nonce(), timestamp: Int = Int(Date().timeIntervalSince1970)) -> String {
        let oauth: [(String, String)] = [
            ("oauth_consumer_key", consumerKey), ("oauth_nonce", nonce), ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", String(timestamp)), ("oauth_token", token), ("oauth_version", "1.0"),
        ]
        let signature = sign(method: method, url: url, parameters: parameters + oauth)
        let fields = (oauth + [("oauth_signature", signature)]).sorted { $0.0 < $1.0 }
        return "OAuth " + fields.map { "\(Self.percent($0.0))=\"\(Self.percent($0.1))\"" }.joined(separator: ", ")
    }

    /// The base64 HMAC-SHA1 signature of a request.
    public func sign(method: String, url: String, parameters: [(String, String)]) -> String {
        let base = Self.baseString(method: method, url: url, parameters: parameters)
        let key = Self.percent(consumerSecret) + "&" + Self.percent(tokenSecret)
        var digest = [UInt8](repeating: 0, count: 20)
        let ok = Array(key.utf8).withUnsafeBytes { keyBytes in
            Array(base.utf8).withUnsafeBufferPointer { data in
                syn_hmac_sha1(keyBytes.baseAddress, Int32(keyBytes.count), data.baseAddress, data.count, &digest)
            }
        }
        return ok == 1 ? Data(digest).base64EncodedString() : ""
    }

    /// `METHOD&url&parameters`, each part percent-encoded, parameters sorted by key then value.
    public static func baseString(method: String, url: String, parameters: [(String, String)]) -> String {
        var all = parameters
        var base = url
        if var components = URLComponents(string: url) {
            for item in components.queryItems ?? [] { all.append((item.name, item.value ?? "")) }
            components.query = nil
            components.fragment = nil
            let scheme = components.scheme?.lowercased()
            components.scheme = scheme
            components.host = components.host?.lowercased()
            if (scheme == "https" && components.port == 443) || (scheme == "http" && components.port == 80) { components.port = nil }
            base = components.string ?? url
        }
        let encoded = all.map { (percent($0.0), percent($0.1)) }.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        let parameterString = encoded.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        return method.uppercased() + "&" + percent(base) + "&" + percent(parameterString)
    }

    /// RFC 3986 percent-encoding: only `A-Z a-z 0-9 - . _ ~` stay as they are.
    public static func percent(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// 32 random alphanumerics.
    public static func nonce() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<32).map { _ in alphabet.randomElement()! })
    }
}
