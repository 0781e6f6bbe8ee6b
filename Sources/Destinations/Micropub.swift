import Foundation
import HTTP
import Posting
import Reviews

/// `micropub` (W3C Micropub Recommendation, §3.3 create, §5.3 endpoint discovery):
/// form-encoded `h=entry` with `content`, `category[]`, `photo` and `bookmark-of`. The
/// endpoint is `endpoint`, else discovered from `me`'s `rel="micropub"` link (HTTP `Link`
/// header first, then the HTML), once, when a post is about to go out.
public struct MicropubDestination: DestinationKind {
    public static let kindName = "micropub"
    public static let credentialKeys = ["token"]
    public static let baseURLRule = BaseURLRule.notTaken(because: "a micropub destination takes its URL from `endpoint` or `me`, not base_url")

    public struct Options: Sendable {
        var endpoint: String?
        var me: String?
    }

    public static func options(_ table: inout ConfigTable) -> Options {
        let options = Options(endpoint: table.httpURL("endpoint"), me: table.httpURL("me"))
        if options.endpoint == nil, options.me == nil, table.values["endpoint"] == nil, table.values["me"] == nil {
            table.report("endpoint", "a micropub destination needs `endpoint` (the Micropub URL) or `me` (your site, which links to it)")
        }
        return options
    }

    public let name: String
    public let deduplicates = false
    private let endpoint: String?
    private let me: String?
    private let token: String
    private let template: PostTemplate
    private let discovered: URL
    private let http: any HTTPClient
    private let timeout: Double
    private let clock: @Sendable () -> Date

    public init(_ context: DestinationContext, options: Options) {
        name = context.name
        endpoint = options.endpoint
        me = options.me
        token = context.secret("token")
        template = context.template(fallback: "{{#headline}}{{headline}} — {{/headline}}{{title}}{{#year}} ({{year}}){{/year}}{{#rating}} {{rating}}{{/rating}}\n\n{{summary}}",
                                rule: .unlimited)
        discovered = context.site.directory.appendingPathComponent(".syndicate/cache/micropub-\(context.name)-endpoint.json")
        http = context.http
        timeout = context.timeout
        clock = context.clock
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

    /// The endpoint found at `me`, as cached (`CacheFile`).
    private struct Discovered: Codable {
        var endpoint: String
    }

    /// `endpoint`, else the one discovered from `me` when it has been.
    private var target: String? {
        endpoint ?? CacheFile.load(Discovered.self, from: discovered)?.endpoint
    }

    public func prepare() async {
        guard target == nil, let me,
              let response = try? await http.send(HTTPRequest(method: "GET", url: me, timeout: timeout)), response.isSuccess,
              let found = Self.discover(response, base: me) else { return }
        CacheFile.store(Discovered(endpoint: found), at: discovered)
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
            // A range can fail to map back onto the text when bytes that were not UTF-8 were
            // decoded into marks that combine with their neighbours: no link there.
            guard let range = Range(match.range, in: html) else { continue }
            let tag = String(html[range])
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
            return Range(match.range(at: group), in: tag).map { String(tag[$0]) }
        }
        return nil
    }

    /// `GET {endpoint}?q=config` with the token (Micropub §3.7.1).
    public func verify() async -> Verification {
        await prepare()
        guard let target else {
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
        guard let target else {
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
