import Foundation

/// The identity of a feed's item (`RemoteItem.id`, docs/SPEC.md §9 "Identity"), which the
/// ledger keys deliveries on, so it must survive whatever a site does to its links:
/// - a guid that is a WordPress `…?p=ID` link → `wordpress:ID` (the same identity the
///   wordpress source gives the post, so a site may switch between the two);
/// - else `feed:` + the guid (RSS) or id (Atom, JSON Feed), normalised like a link when it is
///   one (`FeedIdentity.normalisedLink`);
/// - else `feed:` + the item's normalised link.
enum FeedIdentity {
    static func of(guid: String?, link: String?) -> String? {
        if let guid = guid?.trimmingCharacters(in: .whitespacesAndNewlines), !guid.isEmpty {
            if let post = wordpressPost(guid) { return "wordpress:\(post)" }
            return "feed:" + (normalisedLink(guid) ?? guid)
        }
        if let link = link?.trimmingCharacters(in: .whitespacesAndNewlines), !link.isEmpty {
            return "feed:" + (normalisedLink(link) ?? link)
        }
        return nil
    }

    /// The post id of a WordPress short link (`https://host/?p=123`): an http(s) URL whose
    /// query is `p` with a number (tracking parameters aside).
    static func wordpressPost(_ text: String) -> Int? {
        guard let components = httpComponents(text) else { return nil }
        let items = (components.queryItems ?? []).filter { !isTracking($0.name) }
        guard items.count == 1, items[0].name == "p", let value = items[0].value,
              !value.isEmpty, value.allSatisfy(\.isASCII), let id = Int(value), id > 0 else { return nil }
        return id
    }

    /// A link as an identity: without its scheme and host (so http → https and a new host
    /// change nothing), without a trailing slash (the home page is `/`), and without tracking parameters (`utm_*`,
    /// `fbclid`, `gclid`). Nil when `text` is no http(s) URL.
    static func normalisedLink(_ text: String) -> String? {
        guard var components = httpComponents(text) else { return nil }
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        if path.isEmpty { path = "/" }
        let query = (components.percentEncodedQueryItems ?? []).filter { !isTracking($0.name) }
        components.percentEncodedQueryItems = query.isEmpty ? nil : query
        var result = path
        if let encoded = components.percentEncodedQuery, !encoded.isEmpty { result += "?" + encoded }
        if let fragment = components.percentEncodedFragment, !fragment.isEmpty { result += "#" + fragment }
        return result
    }

    private static func httpComponents(_ text: String) -> URLComponents? {
        guard let components = URLComponents(string: text.trimmingCharacters(in: .whitespacesAndNewlines)),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              components.host?.isEmpty == false else { return nil }
        return components
    }

    private static func isTracking(_ name: String) -> Bool {
        let name = name.lowercased()
        return name.hasPrefix("utm_") || name == "fbclid" || name == "gclid"
    }
}
