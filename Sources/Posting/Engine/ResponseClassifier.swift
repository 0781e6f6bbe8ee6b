import Foundation
import HTTP

/// The rules of docs/SPEC.md §6 that turn an HTTP exchange into a `SendResult`; adapters add only
/// what is specific to their service (where the id is, which header resets a rate limit).
public enum ResponseClassifier {
    public static let retryableStatuses: Set<Int> = [408, 425, 429, 500, 502, 503, 504]

    /// Classifies a failed exchange.
    public static func classify(_ failure: HTTPFailure) -> SendResult {
        switch failure {
        case .notSent(let message): return .retryable(message: message, httpStatus: nil, notBefore: nil, errorClass: "not_sent")
        case .noAnswer(let message): return .unknown(message: message, httpStatus: nil)
        }
    }

    /// Classifies a response that is not a success. `notBefore` is the adapter's reading of
    /// its service's rate-limit header; `Retry-After` is read here.
    public static func classifyFailure(_ response: HTTPResponse, now: Date, notBefore: Date? = nil) -> SendResult {
        let message = "HTTP \(response.status): " + serverMessage(response)
        if retryableStatuses.contains(response.status) {
            let retryAfter = RetryAfter.date(response.headers["Retry-After"], now: now)
            let wait = [retryAfter, notBefore].compactMap { $0 }.max()
            return .retryable(message: message, httpStatus: response.status, notBefore: wait, errorClass: "retryable")
        }
        return .permanent(message: message, httpStatus: response.status)
    }

    /// Sends a request and settles the common cases: a transport failure, or an error status
    /// (with `notBefore` reading the service's own rate-limit signal). What remains is a
    /// success for the adapter to read.
    public static func exchange(_ http: any HTTPClient, _ request: HTTPRequest, now: @Sendable () -> Date,
                                notBefore: (HTTPResponse) -> Date? = { _ in nil }) async -> Exchange {
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            return .settled(classify(error))
        }
        guard response.isSuccess else { return .settled(classifyFailure(response, now: now(), notBefore: notBefore(response))) }
        return .answered(response)
    }

    /// A verification from a plain GET-style exchange: 2xx is fine, anything else says why.
    public static func verification(_ outcome: Result<HTTPResponse, HTTPFailure>, ok: (HTTPResponse) -> String) -> Verification {
        switch outcome {
        case .success(let response) where response.isSuccess: return .ok(ok(response))
        case .success(let response): return .failed("HTTP \(response.status): \(serverMessage(response))")
        case .failure(let failure): return .failed(failure.description)
        }
    }

    /// The server's own words: the usual JSON error fields, else the start of the body.
    public static func serverMessage(_ response: HTTPResponse) -> String {
        if let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] {
            var parts: [String] = []
            for key in ["error", "message", "error_description", "detail", "title"] {
                if let text = object[key] as? String, !text.isEmpty, !parts.contains(text) { parts.append(text) }
            }
            if let errors = object["errors"] as? [[String: Any]] {
                parts += errors.compactMap { ($0["message"] as? String) ?? ($0["detail"] as? String) }
            }
            if !parts.isEmpty { return parts.joined(separator: ": ") }
        }
        let text = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return HTTPStatusText.text(response.status) }
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}

enum HTTPStatusText {
    static func text(_ status: Int) -> String {
        switch status {
        case 400: return "bad request"
        case 401: return "unauthorized (check the credentials)"
        case 403: return "forbidden"
        case 404: return "not found (check the URL)"
        case 413: return "payload too large"
        case 422: return "unprocessable"
        case 429: return "too many requests"
        default: return status >= 500 ? "server error" : "no message"
        }
    }
}

/// `Retry-After` in both its forms (RFC 9110 §10.2.3): seconds, or an HTTP date.
public enum RetryAfter {
    public static func date(_ value: String?, now: Date) -> Date? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds >= 0 { return now.addingTimeInterval(seconds) }
        return HTTPDate.parse(value)
    }
}

/// Dates in the forms servers send in headers: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`),
/// the obsolete RFC 850 and asctime forms, ISO 8601, and epoch seconds.
public enum HTTPDate {
    public static func parse(_ text: String) -> Date? {
        // Header dates are ASCII (RFC 9110 §5.6.7), and Foundation's DateFormatter stops the
        // program on some other text: anything else is no date.
        guard text.unicodeScalars.allSatisfy(\.isASCII) else { return nil }
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    /// `X-RateLimit-Reset` as Mastodon sends it: an ISO 8601 time.
    public static func iso8601(_ text: String?) -> Date? {
        guard let text, text.unicodeScalars.allSatisfy(\.isASCII) else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// Rate-limit resets as Bluesky and X send them: epoch seconds.
    public static func epochSeconds(_ text: String?) -> Date? {
        guard let text, let seconds = Double(text.trimmingCharacters(in: .whitespaces)) else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }
}

/// What `ResponseClassifier.exchange` leaves to the adapter.
public enum Exchange: Sendable {
    /// A 2xx answer.
    case answered(HTTPResponse)
    /// Already classified: a failure to report as it is.
    case settled(SendResult)

    /// The classified failure (only meaningful when not `.answered`).
    public var settled: SendResult {
        if case .settled(let result) = self { return result }
        return .permanent(message: "unexpected answer", httpStatus: nil)
    }
}
