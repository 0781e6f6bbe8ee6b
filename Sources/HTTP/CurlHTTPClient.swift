import CCurl
import Foundation

/// `HTTPClient` over libcurl: one blocking easy transfer per request, run by a worker
/// thread of a process-wide pool. Each worker owns one `CURL *` for its whole life (a handle
/// is not Sendable, so it never leaves its thread) and reuses it, with its connection cache,
/// from one transfer to the next: a run of posts to one server costs one TCP connection, not
/// one each, as long as the requests are idempotent (`HTTPRequest.idempotent`).
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
        if let context = BlockingThreadContext.current {
            // A thread that may block: no handing over to a worker and back.
            return try Transfer.perform(request, userAgent: userAgent, on: context.handle).get()
        }
        let result: Result<HTTPResponse, HTTPFailure> = await withCheckedContinuation { continuation in
            TransferWorkers.shared.run { handle in
                continuation.resume(returning: Transfer.perform(request, userAgent: userAgent, on: handle))
            }
        }
        return try result.get()
    }
}

/// Threads that run transfers, each with its own easy handle. A job goes to an idle worker;
/// when none is idle a new one starts, so transfers never wait for each other here (the
/// caller bounds how many are in flight). Idle workers wait for the next job and live as long
/// as the process: starting a thread and a handle per request cost more than the request.
final class TransferWorkers: @unchecked Sendable {
    typealias Job = @Sendable (_ handle: UnsafeMutableRawPointer?) -> Void

    static let shared = TransferWorkers()

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var idle = 0

    func run(_ job: @escaping Job) {
        condition.lock()
        jobs.append(job)
        if idle >= jobs.count {
            condition.signal()
        } else {
            let thread = Thread { [self] in work() }
            thread.stackSize = 1 << 20
            thread.start()
        }
        condition.unlock()
    }

    private func work() {
        let handle = curl_easy_init()
        condition.lock()
        while true {
            while jobs.isEmpty {
                idle += 1
                condition.wait()
                idle -= 1
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job(handle)
            condition.lock()
        }
    }
}

/// The state one transfer's callbacks write into, reached through curl's userdata pointer.
private final class Transfer {
    var body = Data()
    var headers = HTTPHeaders()

    /// Loopback is never proxied unless the environment's `no_proxy` says how to treat it.
    private static let defaultNoProxy: Bool = getenv("no_proxy") == nil && getenv("NO_PROXY") == nil

    static func perform(_ request: HTTPRequest, userAgent: String, on handle: UnsafeMutableRawPointer?) -> Result<HTTPResponse, HTTPFailure> {
        guard let handle else { return .failure(.notSent("libcurl could not start a transfer")) }
        // Options from the last transfer go; the connection cache stays.
        curl_easy_reset(handle)
        let transfer = Transfer()
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let method = request.method.uppercased()

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
                if defaultNoProxy { syn_curl_setopt_string(handle, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1") }
                // On a reused connection the server may have closed, libcurl resends the
                // request on a new one: harmless only if sending twice is sending once.
                if !request.idempotent { syn_curl_setopt_long(handle, CURLOPT_FRESH_CONNECT, 1) }

                switch method {
                case "GET": syn_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
                case "HEAD": syn_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
                case "POST": syn_curl_setopt_long(handle, CURLOPT_POST, 1)
                default: syn_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
                }
                if let body = request.body {
                    syn_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                    body.withUnsafeBytes { bytes in
                        // COPYPOSTFIELDS copies, so the buffer need not outlive this call.
                        _ = syn_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
                    }
                } else if method == "POST" {
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
                    transfer.takeHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
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

    /// One raw header line as curl hands it over (with its line end): a status line starts a
    /// new response (after a 1xx), any other `name: value` line is kept.
    private func takeHeaderLine(_ line: UnsafeRawBufferPointer) {
        let bytes = line.bindMemory(to: UInt8.self)
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        var start = bytes.startIndex, end = bytes.endIndex
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        let trimmed = UnsafeBufferPointer(rebasing: bytes[start..<end])
        if trimmed.starts(with: "HTTP/".utf8) {
            headers = HTTPHeaders()
            return
        }
        guard let colon = trimmed.firstIndex(of: UInt8(ascii: ":")) else { return }
        var nameEnd = colon, valueStart = colon + 1
        while nameEnd > 0, isSpace(trimmed[nameEnd - 1]) { nameEnd -= 1 }
        while valueStart < trimmed.count, isSpace(trimmed[valueStart]) { valueStart += 1 }
        headers.add(String(decoding: UnsafeBufferPointer(rebasing: trimmed[..<nameEnd]), as: UTF8.self),
                    String(decoding: UnsafeBufferPointer(rebasing: trimmed[valueStart...]), as: UTF8.self))
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
