import Foundation
import HTTP
import Posting
import Reviews

/// A kind of destination (`kind = "mastodon"` in `syndicate.toml`): its adapter, and
/// everything the rest of Syndicate needs to know about it.
///
/// A kind is one file. A conformer:
/// - names its kind (`kindName`), the credential keys it needs (`credentialKeys`, each
///   documented in `credentials.example`) and whether it talks to a service at a `base_url`
///   (`baseURLRule`);
/// - reads its own options from the destination's table in `options(_:)`, through the
///   table's typed getters, which check each value and report what is wrong with its line.
///   Every key the kind takes must be read there, unconditionally: a key no getter read is
///   reported as unknown. `options(_:)` runs for every command that loads the config, so it
///   must not touch the network or the disk;
/// - is built from a `DestinationContext` and its options by `init(_:options:)`, never
///   failing: by then the config has been checked and the credentials are present;
/// - is listed in `DestinationKinds.all`, has a fake of its service in `SyndicateTesting`
///   (`FakeServices.byKind`) and a row in the README's destination table
///   (`DestinationKindTests` checks all three).
public protocol DestinationKind: Destination {
    /// The kind's settings, read from its table.
    associatedtype Options: Sendable

    /// The `kind` value in `syndicate.toml`.
    static var kindName: String { get }
    /// Keys of the destination's `credentials` table the kind requires (docs/SPEC.md §8).
    static var credentialKeys: [String] { get }
    /// Those of `credentialKeys` whose value is a URL the kind calls: checked with the
    /// config, so a malformed one is an error at once rather than retries for hours.
    static var urlCredentialKeys: [String] { get }
    /// Whether the kind reads `base_url`, and its default.
    static var baseURLRule: BaseURLRule { get }
    /// Reads and checks the kind's own keys (not `name`, `kind`, `enabled`, `template` or
    /// `base_url`, which every kind shares), with a default for each optional one.
    static func options(_ table: inout ConfigTable) -> Options
    /// The adapter of one destination.
    init(_ context: DestinationContext, options: Options)
}

extension DestinationKind {
    public static var urlCredentialKeys: [String] { [] }

    /// The kind, as `status` shows it.
    public var kind: String { Self.kindName }
}

/// How a kind treats `base_url`.
public enum BaseURLRule: Sendable {
    /// The table must name the service (a Mastodon instance).
    case required
    /// The public service, unless `base_url` says otherwise.
    case defaulted(String)
    /// The kind calls no service at a base URL; the message says where its URL comes from.
    case notTaken(because: String)
}

/// What every adapter is built from: one destination's config and secrets, and what all the
/// destinations of a run share.
public struct DestinationContext: Sendable {
    /// The destination's table, as loaded.
    public let config: DestinationConfig
    /// `base_url` without a trailing slash, else the kind's default; nil for a kind that
    /// takes none.
    public let baseURL: String?
    public let site: Site
    public let http: any HTTPClient
    /// `post.timeout`, per request.
    public let timeout: Double
    public let clock: @Sendable () -> Date
    let credentials: Credentials

    public init(config: DestinationConfig, baseURL: String?, site: Site, http: any HTTPClient, timeout: Double,
                clock: @escaping @Sendable () -> Date, credentials: Credentials) {
        self.config = config
        self.baseURL = baseURL
        self.site = site
        self.http = http
        self.timeout = timeout
        self.clock = clock
        self.credentials = credentials
    }

    /// The destination's name.
    public var name: String { config.name }

    /// The value of one of the kind's `credentialKeys` (empty only for `preview`, which
    /// composes for destinations whether their credentials are there or not).
    public func secret(_ key: String) -> String { credentials.value(key, for: config.name) ?? "" }

    /// The destination's template (its `template`, else `fallback`), measured by `rule`.
    public func template(fallback: String = DefaultTemplates.post, rule: CountingRule) -> PostTemplate {
        PostTemplate(destinationName: config.name, configured: config.template, fallback: fallback, rule: rule)
    }

}
