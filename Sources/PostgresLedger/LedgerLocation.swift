import Foundation
import Posting
import Reviews

/// Where a site's ledger is (docs/SPEC.md §11): the SQLite file, or a PostgreSQL database
/// named by `[ledger] url` or `SYNDICATE_LEDGER_URL` (which wins), its password from
/// `SYNDICATE_LEDGER_PASSWORD` or the `credentials` file's `[ledger] password`.
public struct LedgerLocation: Sendable {
    /// nil: `.syndicate/ledger.sqlite`.
    public var url: String?
    public var password: String?
    /// The key of the site's rows in a shared database.
    public var siteID: String
    /// Seconds a claim outlives its last renewal (`[ledger] lease`).
    public var lease: Double = 30

    public static let urlVariable = "SYNDICATE_LEDGER_URL"
    public static let passwordVariable = "SYNDICATE_LEDGER_PASSWORD"

    /// - Throws: `LedgerConfigError` for a URL that is not PostgreSQL's or carries a password.
    public init(config: SiteConfig, credentials: Credentials,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let fromEnvironment = environment[Self.urlVariable].flatMap { $0.isEmpty ? nil : $0 }
        url = fromEnvironment ?? config.ledger.url
        if let fromEnvironment { try Self.check(fromEnvironment, from: Self.urlVariable) }
        password = environment[Self.passwordVariable].flatMap { $0.isEmpty ? nil : $0 } ?? credentials.value("password", for: "ledger")
        siteID = config.ledger.siteID ?? config.site.url
        lease = config.ledger.lease
        // Anything printed from now on has it scrubbed (it is in the credentials' tables
        // already when it came from the file).
        if let password { credentials.learn(password) }
    }

    public init(url: String?, password: String?, siteID: String) {
        self.url = url
        self.password = password
        self.siteID = siteID
    }

    /// A URL given on the command line or in the environment, held to the config's rules.
    public static func check(_ url: String, from source: String) throws {
        guard let parsed = URLComponents(string: url), ["postgresql", "postgres"].contains(parsed.scheme ?? "") else {
            throw LedgerConfigError(message: "\(source): expected a postgresql://USER@HOST:PORT/DB URL")
        }
        if parsed.password != nil || url.range(of: "password=", options: .caseInsensitive) != nil {
            throw LedgerConfigError(message: "\(source): must not contain a password: put it in credentials ([ledger] password) "
                                    + "or \(passwordVariable)")
        }
    }

    /// Whether several workers may run at once (no post lock).
    public var isShared: Bool { url != nil }

    /// Opens the site's ledger in its store.
    public func open(siteDirectory: URL) throws -> any LedgerStore {
        guard let url else { return try Ledger(siteDirectory: siteDirectory) }
        return try PostgresLedger(url: url, password: password, site: siteID, leaseDuration: lease)
    }
}

/// `[ledger]` or its variables are wrong: the command stops with status 2.
public struct LedgerConfigError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
