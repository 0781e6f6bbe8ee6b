import ArgumentParser
import Destinations
import Foundation
import Posting
import PostgresLedger

/// `syndicate ledger migrate|copy` (docs/SPEC.md §11).
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Manage the delivery ledger's store: migrate the PostgreSQL schema, copy a SQLite ledger into PostgreSQL.",
        subcommands: [LedgerMigrateCommand.self, LedgerCopyCommand.self]
    )
}

struct LedgerMigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Bring the ledger's schema up to date, and nothing else.",
        discussion: """
        The ledger [ledger] url or SYNDICATE_LEDGER_URL names (the site's SQLite file when neither is set). Several hosts may \
        run it at once: the migrations are applied one at a time. Exit status: 0 up to date; 1 the database failed; 2 config error.
        """
    )

    @OptionGroup var options: SiteOptions

    func run() async throws {
        let console = Console(quiet: options.quiet)
        // Opening a session opens its ledger, which migrates it.
        let session = try options.openSession(console)
        if session.ledgerLocation.isShared {
            console.info("the PostgreSQL ledger's schema is at version \(PostgresLedger.schemaVersion)")
        } else {
            console.info("\(Ledger.relativePath) is up to date")
        }
    }
}

struct LedgerCopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy the site's SQLite ledger into a PostgreSQL ledger, without posting anything.",
        discussion: """
        Copies every delivery (state, attempts, checkpoint, adoption) and every destination already met, keyed by the site id \
        (site.url unless [ledger] site_id). Refused when the database has rows for that site already. The password comes from \
        credentials ([ledger] password) or SYNDICATE_LEDGER_PASSWORD, never from the URL. Then set [ledger] url. Exit status: \
        0 copied; 1 refused or the database failed; 2 config error.
        """
    )

    @OptionGroup var options: SiteOptions
    @Option(help: "The PostgreSQL ledger: postgresql://USER@HOST:PORT/DB (no password).") var to: String

    func run() async throws {
        let console = Console(quiet: options.quiet)
        do {
            try LedgerLocation.check(to, from: "--to")
        } catch let error as LedgerConfigError {
            console.error(error.description)
            throw ExitCode(2)
        }
        let session = try options.openSession(console)
        // No `post` may change the SQLite ledger while it is read.
        guard let lock = try PostLock(siteDirectory: session.site.directory) else {
            console.error("a syndicate post is running for this site; copy when it is done")
            throw ExitCode(1)
        }
        let source = try Ledger(siteDirectory: session.site.directory)
        let location = session.ledgerLocation
        do {
            let target = try PostgresLedger(url: to, password: location.password, site: location.siteID)
            let count = try target.copy(from: source)
            // The idle marker remembers the SQLite ledger's counter: it must not stand for the new one.
            IdleMarker(siteDirectory: session.site.directory).clear()
            console.info("copied \(count) deliveries of \(location.siteID) into the PostgreSQL ledger; set [ledger] url to use it")
        } catch let refused as LedgerCopyRefused {
            console.error(refused.description)
            throw ExitCode(1)
        }
        withExtendedLifetime(lock) {}
    }
}
