import Foundation
import HTTP
import Posting
import Reviews

/// `micropub` (W3C Micropub Recommendation, §3.3 create, §5.3 endpoint discovery):
/// form-encoded `h=entry` with `content`, `category[]`, `photo` and `bookmark-of`. The
/// endpoint is `endpoint`, else discovered from `me`'s `rel="micropub"` link (HTTP `Link`
/// header first, then the HTML), once, when a post is about to go out.
public struct MicropubDestination: Destination {
    public let name: String
    public let kind = "micropub"
    public let deduplicates = false
    private let endpoint: String?
    private let me: String?
    private let token: String
    private let template: PostTemplate
    private let discovered: URL
    private let http: any HTTPClient
    private let timeout: Double
    private let clock: @Sendable () -> Date

    public init(config: DestinationConfig, site: Site, token: String, http: any HTTPClient, timeout: Double,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        name = config.name
        endpoint = config.options["endpoint"]?.string
        me = config.options["me"]?.string
        self.token = token
        template = PostTemplate(destinationName: config.name, configured: config.template,
                                fallback: "{{#headline}}{{headline}} — {{/headline}}{{title}}{{#year}} ({{year}}){{/year}}{{#rating}} {{rating}}{{/rating}}\n\n{{summary}}",
                                rule: .unlimited)
        discovered = site.directory.appendingPathComponent(".syndicate/cache/micropub-\(config.name).endpoint")
        self.http = http
        self.timeout = timeout
        self.clock = clock
    }

    struct Payload: Codable {
        var content: String
        var categories: [String]
        var photo: String?
        var bookmarkOf: String
    }

    public func compose(_ review: Review, site: Site) throws -> ComposedPost {
        let text = try template.compose(review, site: site)
        let payload = Payload(content: text.text, categories: review.genres,
                              photo: review.image.map { site.absoluteURL($0, relativeTo: review) }, bookmarkOf: site.permalink(review))
        return ComposedPost(text: text, payload: try JSONCoding.encode(payload))
    }

    public func prepare() async {
        guard endpoint == nil, let me, FileManager.default.contents(atPath: discovered.path) == nil,
              let response = try? await http.send(HTTPRequest(method: "GET", url: me, timeout: timeout)), response.isSuccess,
              let found = Self.discover(response, base: me) else { return }
        try? FileManager.default.createDirectory(at: discovered.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? Data(found.utf8).write(to: discovered, options: .atomic)
    }

    /// `rel="micropub"` from a `Link` header, else from a `<link>` or `<a>` in the page.
    public static func discover(_ response: HTTPResponse, base: String) -> String? {
        for field in response.headers where field.name.lowercased() == "link" {
            for part in field.value.split(separator: ",") {
                let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                guard let target = pieces.first, target.hasPrefix("<"), target.hasSuffix(">"),
                      pieces.dropFirst().contains(where: { $0.replacingOccurrences(of: "\"", with: "").split(separator: "=").last?
                          .split(separator: " ").contains("micropub") == true && $0.hasPrefix("rel") }) else { continue }
                return URLResolver.absolute(String(target.dropFirst().dropLast()), base: URL(string: base)!)
            }
        }
        let html = response.text
        let pattern = try! NSRegularExpression(pattern: "<(?:link|a)\\b[^>]*>", options: [.caseInsensitive])
        for match in pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            let tag = String(html[Range(match.range, in: html)!])
            guard let rel = attribute("rel", in: tag), rel.split(separator: " ").contains("micropub"),
                  let href = attribute("href", in: tag) else { continue }
            return URLResolver.absolute(href, base: URL(string: base)!)
        }
        return nil
    }

    private static func attribute(_ name: String, in tag: String) -> String? {
        let pattern = try! NSRegularExpression(pattern: "\\b\(name)\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s>]+))", options: [.caseInsensitive])
        guard let match = pattern.firstMatch(in: tag, range: NSRange(tag.startIndex..., in: tag)) else { return nil }
        for group in 1...3 where match.range(at: group).location != NSNotFound {
            return String(tag[Range(match.range(at: group), in: tag)!])
        }
        return nil
    }

    /// `GET {endpoint}?q=config` with the token (Micropub §3.7.1).
    public func verify() async -> Verification {
        await prepare()
        guard let target = endpoint ?? FileManager.default.contents(atPath: discovered.path).map({ String(decoding: $0, as: UTF8.self) }) else {
            return .failed("no Micropub endpoint found at \(me ?? "?") (rel=\"micropub\")")
        }
        let request = HTTPRequest(method: "GET", url: target + (target.contains("?") ? "&" : "?") + "q=config",
                                  headers: ["Authorization": "Bearer \(token)"], timeout: timeout)
        return ResponseClassifier.verification(await http.result(request)) { _ in "the endpoint accepts the token" }
    }

    public func send(_ delivery: OutgoingDelivery) async -> SendResult {
        guard let payload = try? JSONDecoder().decode(Payload.self, from: delivery.payload) else {
            return .permanent(message: "the stored post is unreadable", httpStatus: nil)
        }
        guard let target = endpoint ?? FileManager.default.contents(atPath: discovered.path).map({ String(decoding: $0, as: UTF8.self) }) else {
            return .retryable(message: "no Micropub endpoint found at \(me ?? "?") (rel=\"micropub\")", httpStatus: nil, notBefore: nil, errorClass: "not_sent")
        }
        var fields = [("h", "entry"), ("content", payload.content)]
        fields += payload.categories.map { ("category[]", $0) }
        if let photo = payload.photo { fields.append(("photo", photo)) }
        fields.append(("bookmark-of", payload.bookmarkOf))
        let request = HTTPRequest.form("POST", target, fields, headers: ["Authorization": "Bearer \(token)"], timeout: timeout)
        // Success is 201 or 202 with Location; another 2xx still means the post exists.
        let exchange = await ResponseClassifier.exchange(http, request, now: clock)
        guard case .answered(let response) = exchange else { return exchange.settled }
        return .posted(remoteID: nil, remoteURL: response.headers["Location"], httpStatus: response.status)
    }
}
