import Foundation
import HTTP
import Posting
import Reviews
import ReviewSources

/// Every destination kind Syndicate knows, and what is done with a kind by its name.
///
/// Adding a kind: write its adapter in a file of its own, conforming to `DestinationKind`,
/// and add its type to `all`. Nothing else names a kind.
public enum DestinationKinds {
    /// The registry: the only list of kinds.
    public static let all: [any DestinationKind.Type] = [
        MastodonDestination.self, BlueskyDestination.self, XDestination.self, LetterboxdDestination.self,
        LinkHubDestination.self, MicropubDestination.self, WebhookDestination.self, CommandDestination.self,
        InstagramDestination.self, ThreadsDestination.self,
    ]

    /// The kind named `kind` in `syndicate.toml`.
    public static func named(_ kind: String) -> (any DestinationKind.Type)? {
        all.first { $0.kindName == kind }
    }

    /// `syndicate.toml`, with every destination checked against its kind and `[source]`
    /// against its own: what every command loads, so that each reports every config problem
    /// at once.
    /// - Throws: `Diagnostics` listing every problem found.
    public static func loadConfig(siteDirectory: URL) throws -> SiteConfig {
        try refusingSharedVariables(ConfigLoader.load(siteDirectory: siteDirectory, checkingDestinations: check,
                                                      checkingSource: SourceKinds.check))
    }

    /// `loadConfig` of a text.
    public static func parseConfig(_ text: String) throws -> SiteConfig {
        try refusingSharedVariables(ConfigLoader.parse(text, checkingDestinations: check, checkingSource: SourceKinds.check))
    }

    /// Refuses two destinations whose `SYNDICATE_<NAME>_<KEY>` variables meet: `team-a` and
    /// `team_a` read the same ones, and X's `SYNDICATE_X_ACCESS_TOKEN` is also what a
    /// destination named `x_access` would read as its `token`. Either way a secret would
    /// go to the wrong service.
    static func refusingSharedVariables(_ config: SiteConfig) throws -> SiteConfig {
        func prefix(_ destination: DestinationConfig) -> String { "SYNDICATE_" + Credentials.environmentName(destination.name) + "_" }
        func variables(_ destination: DestinationConfig) -> [String] {
            (named(destination.kind)?.credentialKeys ?? []).map { prefix(destination) + $0.uppercased() }
        }
        var problems: [Diagnostic] = []
        let destinations = config.destinations
        for (index, later) in destinations.enumerated() {
            for earlier in destinations[..<index] {
                let shared: String?
                if prefix(earlier) == prefix(later) {
                    shared = (variables(earlier) + variables(later)).first ?? prefix(later) + "<KEY>"
                } else {
                    shared = variables(earlier).first { $0.hasPrefix(prefix(later)) } ?? variables(later).first { $0.hasPrefix(prefix(earlier)) }
                }
                guard let shared else { continue }
                problems.append(Diagnostic(file: ConfigLoader.fileName, line: later.table.values["name"]?.line ?? later.line,
                                           key: "destination.\(later.name).name",
                                           message: "\"\(later.name)\" and \"\(earlier.name)\" (line \(earlier.line)) share the variable "
                                               + "\(shared): rename one"))
            }
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
        return config
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

    /// What is wrong with `destination`'s credentials, one line each: the keys of its kind
    /// it has no value for, and URL values that are not http(s) URLs. The same lines for
    /// `check` and `post`.
    public static func credentialProblems(_ destination: DestinationConfig, in credentials: Credentials) -> [String] {
        guard let kind = named(destination.kind) else { return [] }
        let missing = credentials.missing(kind.credentialKeys, for: destination.name)
        var problems: [String] = []
        if !missing.isEmpty {
            problems.append("\(Credentials.fileName): [\(destination.name)] missing \(missing.joined(separator: ", ")) "
                            + "(or set SYNDICATE_\(Credentials.environmentName(destination.name))_\(missing[0].uppercased()))")
        }
        // The value is a secret: the message names the key, never the value.
        for key in kind.urlCredentialKeys where !missing.contains(key) {
            if let value = credentials.value(key, for: destination.name), !ConfigTable.isHTTPURL(value) {
                problems.append("\(Credentials.fileName): [\(destination.name)] \(key): not an absolute http(s) URL")
            }
        }
        return problems
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
