import Foundation
import HTTP
import Posting
import Reviews

/// Every destination kind Syndicate knows, and what is done with a kind by its name.
///
/// Adding a kind: write its adapter in a file of its own, conforming to `DestinationKind`,
/// and add its type to `all`. Nothing else names a kind.
public enum DestinationKinds {
    /// The registry: the only list of kinds.
    public static let all: [any DestinationKind.Type] = [
        MastodonDestination.self, BlueskyDestination.self, XDestination.self, LetterboxdDestination.self,
        LinkHubDestination.self, MicropubDestination.self, WebhookDestination.self, CommandDestination.self,
    ]

    /// The kind named `kind` in `syndicate.toml`.
    public static func named(_ kind: String) -> (any DestinationKind.Type)? {
        all.first { $0.kindName == kind }
    }

    /// `syndicate.toml`, with every destination checked against its kind: what every
    /// command that builds or posts loads, so that each reports every config problem at once.
    /// - Throws: `Diagnostics` listing every problem found.
    public static func loadConfig(siteDirectory: URL) throws -> SiteConfig {
        try ConfigLoader.load(siteDirectory: siteDirectory, checkingDestinations: check)
    }

    /// `loadConfig` of a text.
    public static func parseConfig(_ text: String) throws -> SiteConfig {
        try ConfigLoader.parse(text, checkingDestinations: check)
    }

    /// Checks a destination's kind and reads its own keys, reporting problems to its table.
    static func check(_ destination: inout DestinationConfig) {
        guard let kind = named(destination.kind) else {
            destination.table.report("kind", "unknown kind \"\(destination.kind)\" (one of: \(all.map { $0.kindName }.joined(separator: ", ")))")
            return
        }
        _ = resolve(kind, &destination.table)
        destination.table.rejectUnknown()
    }

    /// The keys of its kind's `credentialKeys` that `destination` has no value for.
    public static func missingCredentials(_ destination: DestinationConfig, in credentials: Credentials) -> [String] {
        credentials.missing(named(destination.kind)?.credentialKeys ?? [], for: destination.name)
    }

    /// The adapter of a destination of a checked config.
    static func make(_ destination: DestinationConfig, site: Site, credentials: Credentials, http: any HTTPClient,
                     clock: @escaping @Sendable () -> Date) -> any Destination {
        guard let kind = named(destination.kind) else {
            preconditionFailure("destination \(destination.name): unknown kind \(destination.kind) in a config loadConfig did not check")
        }
        return make(kind, destination, site: site, credentials: credentials, http: http, clock: clock)
    }

    private static func make<Kind: DestinationKind>(_ kind: Kind.Type, _ destination: DestinationConfig, site: Site, credentials: Credentials,
                                                    http: any HTTPClient, clock: @escaping @Sendable () -> Date) -> Kind {
        var table = destination.table
        let (baseURL, options) = resolve(kind, &table)
        return Kind(DestinationContext(config: destination, baseURL: baseURL, site: site, http: http, timeout: site.config.post.timeout,
                                       clock: clock, credentials: credentials),
                    options: options)
    }

    /// The base URL and options of a destination of this kind, reading `table`.
    private static func resolve<Kind: DestinationKind>(_ kind: Kind.Type, _ table: inout ConfigTable) -> (baseURL: String?, options: Kind.Options) {
        let fallback: String?
        switch Kind.baseURLRule {
        case .notTaken(let reason):
            if table.value("base_url") != nil { table.report("base_url", reason) }
            return (nil, Kind.options(&table))
        case .required: fallback = nil
        case .defaulted(let url): fallback = url
        }
        let baseURL = table.httpURL("base_url").map(ConfigLoader.withoutTrailingSlash) ?? fallback
        if baseURL == nil { table.report("base_url", "required for a \(Kind.kindName) destination") }
        return (baseURL, Kind.options(&table))
    }
}
