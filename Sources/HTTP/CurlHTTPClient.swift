import CCurl
import Foundation

/// `HTTPClient` over libcurl: one blocking easy transfer per request, each on its own thread
/// (a `CURL *` is not Sendable, so it is created, used and freed there).
///
/// TLS verification is always on, redirects are never followed, proxies come from the usual
/// environment variables (`https_proxy`, `no_proxy`, …), and loopback is never proxied unless
/// `no_proxy` says otherwise.
public final class CurlHTTPClient: HTTPClient {
    public let userAgent: String

    private static let globalInit: Bool = {
        // Once, before any transfer and any thread: curl_global_init is not thread-safe.
        curl_global_init(3) == CURLE_OK // CURL_GLOBAL_ALL
    }()

    /// - Parameter userAgent: sent with every request, e.g. `Syndicate/0.1.0 (+https://site)`.
    public init(userAgent: String) {
        _ = Self.globalInit
        self.userAgent = userAgent
    }

    public func send(_ request: HTTPRequest) async throws(HTTPFailure) -> HTTPResponse {
        let userAgent = self.userAgent
        let result: Result<HTTPResponse, HTTPFailure> = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Transfer.perform(request, userAgent: userAgent))
            }
            thread.start()
        }
        return try result.get()
    }
}

/// The state one transfer's callbacks write into, reached through curl's userdata pointer.
private final class Transfer {
    var body = Data()
    var headers = HTTPHeaders()

    static func perform(_ request: HTTPRequest, userAgent: String) -> Result<HTTPResponse, HTTPFailure> {
        guard let handle = curl_easy_init() else { return .failure(.notSent("libcurl could not start a transfer")) }
        defer { curl_easy_cleanup(handle) }
        let transfer = Transfer()
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        let code: CURLcode = withExtendedLifetime(transfer) {
            errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
                let context = Unmanaged.passUnretained(transfer).toOpaque()
                syn_curl_setopt_string(handle, CURLOPT_URL, request.url)
                syn_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
                syn_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
                syn_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
                syn_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
                syn_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
                syn_curl_setopt_string(handle, CURLOPT_USERAGENT, userAgent)
                syn_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, Int(request.timeout * 1000)))
                syn_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(min(request.timeout, 15) * 1000)))
                syn_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorPointer.baseAddress)
                let environment = ProcessInfo.processInfo.environment
                if environment["no_proxy"] == nil, environment["NO_PROXY"] == nil {
                    syn_curl_setopt_string(handle, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1")
                }

                switch request.method.uppercased() {
                case "GET": syn_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
                case "HEAD": syn_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
                case "POST": syn_curl_setopt_long(handle, CURLOPT_POST, 1)
                default: syn_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method.uppercased())
                }
                if let body = request.body {
                    syn_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                    body.withUnsafeBytes { bytes in
                        // COPYPOSTFIELDS copies, so the buffer need not outlive this call.
                        _ = syn_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
                    }
                } else if request.method.uppercased() == "POST" {
                    syn_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, 0)
                }

                for field in request.headers { headerList = curl_slist_append(headerList, "\(field.name): \(field.value)") }
                // curl would otherwise wait for `100 Continue` before sending larger bodies.
                headerList = curl_slist_append(headerList, "Expect:")
                syn_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)

                syn_curl_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, userdata in
                    let transfer = Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
                    let length = size * count
                    if let data { transfer.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length) }
                    return length
                }
                syn_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
                syn_curl_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, userdata in
                    let transfer = Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
                    let length = size * count
                    guard let data else { return length }
                    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
                        .trimmingCharacters(in: .whitespacesAndNewlines)
                    if line.hasPrefix("HTTP/") {
                        transfer.headers = HTTPHeaders() // a new response (after 1xx) starts afresh
                    } else if let colon = line.firstIndex(of: ":") {
                        transfer.headers.add(String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                                             String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
                    }
                    return length
                }
                syn_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
                return curl_easy_perform(handle)
            }
        }

        var status = 0
        syn_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        if code == CURLE_OK {
            return .success(HTTPResponse(status: status, headers: transfer.headers, body: transfer.body))
        }
        let buffered = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let detail = buffered.isEmpty ? String(cString: curl_easy_strerror(code)) : buffered
        // A status line arrived: the server answered, even if the body broke off.
        if status >= 200 {
            return .success(HTTPResponse(status: status, headers: transfer.headers, body: transfer.body, bodyComplete: false))
        }
        var requestSize = 0
        syn_curl_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &requestSize)
        return .failure(FailureClassifier.classify(code: code, requestSent: requestSize > 0, detail: detail))
    }
}

/// Decides, from curl's error and whether any request bytes left, which side of the line a
/// failure falls on. Before the request was sent nothing can have happened on the server.
enum FailureClassifier {
    static func classify(code: CURLcode, requestSent: Bool, detail: String) -> HTTPFailure {
        let neverSent: Set<UInt32> = [
            CURLE_UNSUPPORTED_PROTOCOL.rawValue, CURLE_URL_MALFORMAT.rawValue, CURLE_COULDNT_RESOLVE_PROXY.rawValue,
            CURLE_COULDNT_RESOLVE_HOST.rawValue, CURLE_COULDNT_CONNECT.rawValue, CURLE_SSL_CONNECT_ERROR.rawValue,
            CURLE_PEER_FAILED_VERIFICATION.rawValue, CURLE_SSL_CERTPROBLEM.rawValue, CURLE_SSL_CIPHER.rawValue,
            CURLE_SSL_CACERT_BADFILE.rawValue,
        ]
        if neverSent.contains(code.rawValue) || !requestSent { return .notSent(detail) }
        return .noAnswer(detail)
    }
}
