import CCurl
import Foundation
import Synchronization

/// `HTTPClient` over libcurl: one blocking easy transfer per request, on a thread of its own,
/// with an easy handle from this client's pool. A handle keeps its connections open after a
/// transfer, and a request takes the idle handle that last spoke to its origin: a run of
/// posts to one server costs one TCP connection, not one each, as long as the requests are
/// idempotent (`HTTPRequest.idempotent`).
///
/// TLS verification is always on, redirects are never followed, proxies come from the usual
/// environment variables (`https_proxy`, `no_proxy`, …), and loopback is never proxied unless
/// `no_proxy` says otherwise.
public final class CurlHTTPClient: HTTPClient {
    public let userAgent: String

    /// Handles between transfers, with the origin each last spoke to: as many as this
    /// client's most transfers in flight at once.
    private let idle = Mutex<[(origin: Substring, handle: EasyHandle)]>([])

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
        let origin = Self.origin(of: request.url)
        let kept = idle.withLock { idle -> EasyHandle? in
            guard let index = idle.lastIndex(where: { $0.origin == origin }) ?? idle.indices.last else { return nil }
            return idle.remove(at: index).handle
        }
        guard let handle = kept ?? EasyHandle() else { throw .notSent("libcurl could not start a transfer") }
        let userAgent = self.userAgent
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, HTTPFailure>, Never>) in
            // A thread of its own, because curl_easy_perform blocks for the whole exchange:
            // on one of Swift concurrency's few threads it would hold up other tasks.
            let thread = Thread {
                continuation.resume(returning: handle.perform(request, userAgent: userAgent))
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        idle.withLock { $0.append((origin, handle)) }
        return try result.get()
    }

    /// One exchange on a new handle, blocking the calling thread: for code on a thread of its
    /// own that must not wait for Swift concurrency's threads (the test fakes' server threads,
    /// which fetch what a real service would while the tests hold those threads).
    package func sendBlocking(_ request: HTTPRequest) -> Result<HTTPResponse, HTTPFailure> {
        guard let handle = EasyHandle() else { return .failure(.notSent("libcurl could not start a transfer")) }
        return handle.perform(request, userAgent: userAgent)
    }

    /// `scheme://host:port` of a URL: the part that decides which connections can carry it.
    static func origin(of url: String) -> Substring {
        guard let scheme = url.range(of: "://") else { return url[...] }
        return url[..<(url[scheme.upperBound...].firstIndex { "/?#".contains($0) } ?? url.endIndex)]
    }
}

/// One libcurl easy handle, used by one transfer at a time, and what stays set on it
/// from one transfer to the next: the options every transfer shares are set once, and each
/// transfer sets all the others (`perform`), so nothing of one request leaks into the next
/// without `curl_easy_reset`, which would also drop and re-create every default.
///
/// One piece of state only a reset clears: libcurl's count of resends after a kept-alive
/// connection turned out dead, which it keeps per handle and caps at five. So the handle is
/// reset after any transfer that may have resent: one that opened a connection (a resend
/// always does over HTTP/1), one over HTTP/2 (a refused stream is resent on the same
/// connection), and one that failed. A run of requests on one kept-alive HTTP/1 connection
/// never needs it.
///
/// Unchecked Sendable: a handle is used by one transfer at a time (the client's pool hands it
/// to one request and takes it back when that transfer is over), and libcurl lets a handle
/// move between threads between transfers.
final class EasyHandle: @unchecked Sendable {
    private let curl: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// Where the callbacks put the answer (curl's userdata for both).
    private let sink = ResponseSink()
    private var userAgent: String?
    private var needsReset = false

    /// Loopback is never proxied unless the environment's `no_proxy` says how to treat it.
    private static let defaultNoProxy: Bool = getenv("no_proxy") == nil && getenv("NO_PROXY") == nil

    /// Nil when libcurl cannot make a handle (out of memory).
    init?() {
        guard let curl = curl_easy_init() else { return nil }
        self.curl = curl
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        setSharedOptions()
    }

    /// The options every transfer on this handle shares.
    private func setSharedOptions() {
        syn_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
        syn_curl_setopt_long(curl, CURLOPT_FOLLOWLOCATION, 0)
        syn_curl_setopt_long(curl, CURLOPT_SSL_VERIFYPEER, 1)
        syn_curl_setopt_long(curl, CURLOPT_SSL_VERIFYHOST, 2)
        syn_curl_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "http,https")
        syn_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, errorBuffer)
        if Self.defaultNoProxy { syn_curl_setopt_string(curl, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1") }
        let context = Unmanaged.passUnretained(sink).toOpaque()
        syn_curl_setopt_write_callback(curl, CURLOPT_WRITEFUNCTION) { data, size, count, userdata in
            let sink = Unmanaged<ResponseSink>.fromOpaque(userdata!).takeUnretainedValue()
            let length = size * count
            // The body is kept up to the request's cap, and the transfer ended there (any other
            // count than `length` does that): an endless body would otherwise grow memory until
            // the timeout. A body of exactly the cap tells a caller whose cap is one byte more
            // than it accepts that the answer was too long.
            let kept = min(length, max(0, sink.limit - sink.body.count))
            if let data, kept > 0 { sink.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: kept) }
            return kept == length ? length : 0
        }
        syn_curl_setopt_pointer(curl, CURLOPT_WRITEDATA, context)
        syn_curl_setopt_write_callback(curl, CURLOPT_HEADERFUNCTION) { data, size, count, userdata in
            let sink = Unmanaged<ResponseSink>.fromOpaque(userdata!).takeUnretainedValue()
            let length = size * count
            guard let data else { return length }
            sink.takeHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
            return length
        }
        syn_curl_setopt_pointer(curl, CURLOPT_HEADERDATA, context)
    }

    deinit {
        curl_easy_cleanup(curl)
        errorBuffer.deallocate()
    }

    /// One exchange on this handle (and its connection cache).
    func perform(_ request: HTTPRequest, userAgent: String) -> Result<HTTPResponse, HTTPFailure> {
        if needsReset {
            // The connection cache survives a reset; only the options go.
            curl_easy_reset(curl)
            setSharedOptions()
            self.userAgent = nil
            needsReset = false
        }
        let method = request.method.uppercased()
        syn_curl_setopt_string(curl, CURLOPT_URL, request.url)
        if userAgent != self.userAgent {
            syn_curl_setopt_string(curl, CURLOPT_USERAGENT, userAgent)
            self.userAgent = userAgent
        }
        syn_curl_setopt_long(curl, CURLOPT_TIMEOUT_MS, max(1, Int(request.timeout * 1000)))
        syn_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(min(request.timeout, 15) * 1000)))
        // On a reused connection the server may have closed, libcurl resends the request on a
        // new one: harmless only if sending twice is sending once.
        syn_curl_setopt_long(curl, CURLOPT_FRESH_CONNECT, request.idempotent ? 0 : 1)
        setMethodAndBody(method, body: request.body)

        var headerList: UnsafeMutablePointer<curl_slist>?
        for field in request.headers { headerList = curl_slist_append(headerList, "\(field.name): \(field.value)") }
        // curl would otherwise wait for `100 Continue` before sending larger bodies.
        headerList = curl_slist_append(headerList, "Expect:")
        syn_curl_setopt_slist(curl, CURLOPT_HTTPHEADER, headerList)

        sink.reset()
        sink.limit = request.maximumBody
        errorBuffer[0] = 0
        let code = curl_easy_perform(curl)
        syn_curl_setopt_slist(curl, CURLOPT_HTTPHEADER, nil)
        curl_slist_free_all(headerList)

        var status = 0, connects = 0, version = 0
        syn_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        syn_curl_getinfo_long(curl, CURLINFO_NUM_CONNECTS, &connects)
        syn_curl_getinfo_long(curl, CURLINFO_HTTP_VERSION, &version)
        needsReset = code != CURLE_OK || connects > 0 || version >= Int(CURL_HTTP_VERSION_2_0)
        let headers = sink.headers, body = sink.body
        sink.reset()
        if code == CURLE_OK {
            return .success(HTTPResponse(status: status, headers: headers, body: body))
        }
        let buffered = String(cString: errorBuffer)
        let detail = buffered.isEmpty ? String(cString: curl_easy_strerror(code)) : buffered
        // A status line arrived: the server answered, even if the body broke off.
        if status >= 200 {
            return .success(HTTPResponse(status: status, headers: headers, body: body, bodyComplete: false))
        }
        var requestSize = 0
        syn_curl_getinfo_long(curl, CURLINFO_REQUEST_SIZE, &requestSize)
        return .failure(FailureClassifier.classify(code: code, requestSent: requestSize > 0, detail: detail))
    }

    /// Sets every option that decides the method and the body, whatever the last transfer
    /// left. libcurl's order matters: a body makes the method POST, `HTTPGET` makes it GET
    /// again and clears `NOBODY`, and a custom request only renames the method sent.
    private func setMethodAndBody(_ method: String, body: Data?) {
        if let body {
            syn_curl_setopt_offset(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            body.withUnsafeBytes { bytes in
                // COPYPOSTFIELDS copies, so the buffer need not outlive this call.
                _ = syn_curl_setopt_pointer(curl, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
            }
        } else if method == "POST" {
            syn_curl_setopt_offset(curl, CURLOPT_POSTFIELDSIZE_LARGE, 0)
            syn_curl_setopt_string(curl, CURLOPT_COPYPOSTFIELDS, "")
        } else {
            // Frees the last body (and makes the method POST, undone just below).
            syn_curl_setopt_offset(curl, CURLOPT_POSTFIELDSIZE_LARGE, -1)
            syn_curl_setopt_pointer(curl, CURLOPT_COPYPOSTFIELDS, nil)
            syn_curl_setopt_long(curl, CURLOPT_HTTPGET, 1)
        }
        syn_curl_setopt_long(curl, CURLOPT_NOBODY, method == "HEAD" ? 1 : 0)
        switch method {
        case "GET", "HEAD", "POST": syn_curl_setopt_pointer(curl, CURLOPT_CUSTOMREQUEST, nil)
        default: syn_curl_setopt_string(curl, CURLOPT_CUSTOMREQUEST, method)
        }
    }
}

/// What one transfer's callbacks write into.
private final class ResponseSink {
    var body = Data()
    /// The request's `maximumBody`.
    var limit = HTTPResponse.maximumBody
    /// The header fields of the last response so far (a 1xx's are dropped).
    var headers = HTTPHeaders()

    func reset() {
        body = Data()
        headers = HTTPHeaders()
    }

    /// One raw header line as curl hands it over (with its line end): a status line starts a
    /// new response (after a 1xx), any other `name: value` line is a field of it.
    func takeHeaderLine(_ line: UnsafeRawBufferPointer) {
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix("HTTP/") {
            headers = HTTPHeaders()
        } else {
            headers.addReceived(line: text)
        }
    }
}

/// Decides, from curl's error and whether any request bytes left, which side of the line a
/// failure falls on. Before the request was sent nothing can have happened on the server.
enum FailureClassifier {
    static func classify(code: CURLcode, requestSent: Bool, detail: String) -> HTTPFailure {
        // Whatever the error, once request bytes left the server may have acted on them: an
        // answer that is no HTTP at all (CURLE_UNSUPPORTED_PROTOCOL for an HTTP/0.9-style
        // reply, CURLE_WEIRD_SERVER_REPLY) comes after a request sent whole.
        requestSent ? .noAnswer(detail) : .notSent(detail)
    }
}
