import Foundation
import Posting
@testable import PostgresLedger
import Reviews
import SyndicateTesting
import Testing

/// Opening the PostgreSQL ledger: where its URL and password come from, that the password
/// never shows, and migrations applied once across hosts.
@Suite("PostgreSQL ledger setup")
struct PostgresLedgerSetupTests {
    /// Hosts starting together on a new database: each migration runs once, none fails.
    @Test func concurrentMigrationsRunOnce() async throws {
        let server = try PostgresServer.shared()
        let url = server.url(database: try server.makeDatabase())
        let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 { group.addTask { try PostgresLedger.migrate(url: url, password: PostgresServer.password) } }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(applied.sorted() == PostgresSchema.migrations.map(\.version))
        #expect(try PostgresLedger.migrate(url: url, password: PostgresServer.password).isEmpty)
        let name = String(url.split(separator: "/").last!)
        let rows = try server.psql("SELECT version FROM syndicate_migration ORDER BY version", database: name)
        #expect(rows.split(separator: "\n").map(String.init) == PostgresSchema.migrations.map { String($0.version) })
    }

    /// A wrong password, or a server not there: the error says so without the password.
    @Test func connectionErrorsNeverShowThePassword() throws {
        let server = try PostgresServer.shared()
        let secret = "wrong-secret-\(UUID().uuidString)"
        let error = #expect(throws: PostgresError.self) { _ = try PostgresLedger(url: server.url(), password: secret, site: "s") }
        let text = "\(error.map { $0 } as Any)"
        #expect(text.contains("password authentication failed"))
        #expect(!text.contains(secret))
        let nobody = #expect(throws: PostgresError.self) {
            _ = try PostgresLedger(url: "postgresql://syndicate@127.0.0.1:1/none", password: secret, site: "s")
        }
        #expect(!"\(nobody.map { $0 } as Any)".contains(secret))
    }

    /// `[ledger] url` and `site_id`; a password in the URL is a config error that does not
    /// repeat it; the environment's URL wins; the password from credentials or the environment.
    @Test func theURLAndPasswordComeFromConfigCredentialsAndEnvironment() throws {
        let base = "[site]\ntitle = \"T\"\nurl = \"https://films.example\"\n"
        let config = try ConfigLoader.parse(base + "[ledger]\nurl = \"postgresql://u@db.example:5432/ledger\"\nsite_id = \"films\"\n")
        #expect(config.ledger == LedgerSettings(url: "postgresql://u@db.example:5432/ledger", siteID: "films"))
        let bad = #expect(throws: Diagnostics.self) { try ConfigLoader.parse(base + "[ledger]\nurl = \"postgresql://u:hunter2@db/ledger\"\n") }
        #expect(bad?.items.map(\.key) == ["ledger.url"] || bad?.items.map(\.key) == ["url"])
        #expect(bad.map { !"\($0.items)".contains("hunter2") } == true)
        #expect(throws: Diagnostics.self) { try ConfigLoader.parse(base + "[ledger]\nurl = \"postgresql://u@db/x?password=hunter2\"\n") }
        #expect(throws: Diagnostics.self) { try ConfigLoader.parse(base + "[ledger]\nurl = \"mysql://u@db/x\"\n") }

        let credentials = Credentials(tables: ["ledger": ["password": "from-file"]])
        let fromConfig = try LedgerLocation(config: config, credentials: credentials, environment: [:])
        #expect(fromConfig.url == config.ledger.url && fromConfig.password == "from-file" && fromConfig.siteID == "films")
        #expect(credentials.redactor.redact("x from-file y") == "x [REDACTED] y" || !credentials.redactor.redact("from-file").contains("from-file"))
        let env = try LedgerLocation(config: config, credentials: credentials,
                                     environment: ["SYNDICATE_LEDGER_URL": "postgresql://w@other/db", "SYNDICATE_LEDGER_PASSWORD": "from-env"])
        #expect(env.url == "postgresql://w@other/db" && env.password == "from-env")
        #expect(!credentials.redactor.redact("from-env").contains("from-env"), "a password from the environment is redacted too")
        #expect(throws: LedgerConfigError.self) {
            _ = try LedgerLocation(config: config, credentials: credentials, environment: ["SYNDICATE_LEDGER_URL": "postgresql://w:pw@other/db"])
        }
        let plain = try ConfigLoader.parse(base)
        let sqlite = try LedgerLocation(config: plain, credentials: Credentials(tables: [:]), environment: [:])
        #expect(sqlite.url == nil && !sqlite.isShared && sqlite.siteID == "https://films.example")
    }
}
