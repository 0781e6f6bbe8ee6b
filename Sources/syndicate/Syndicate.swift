import ArgumentParser
import Foundation
import Posting
import PostgresLedger

/// The `syndicate` command: builds a review site's feeds and cross-posts new reviews.
@main
struct Syndicate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "syndicate",
        abstract: "Build a review site's feeds and cross-post new reviews.",
        discussion: "Every command works on a site folder (--site, default: the current folder). See README.md.",
        version: SyndicateVersion.string,
        subcommands: [InitCommand.self, BuildCommand.self, CheckCommand.self, PostCommand.self, RepostCommand.self, StatusCommand.self,
                      RetryCommand.self, ResolveCommand.self, MarkPostedCommand.self, PreviewCommand.self, LedgerCommand.self]
    )

    static func main() async {
        // A write to a pipe whose reader is gone (a `command` program that reads nothing, a
        // closed stdout) must fail with EPIPE where it happens, not kill the whole run and turn
        // every delivery in flight `unknown`.
        signal(SIGPIPE, SIG_IGN)
        let arguments = commonOptionsAfterSubcommand(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            // A SQLite error is one line naming the ledger, not GRDB's description.
            if let message = LedgerError.describe(error, siteDirectory: siteDirectory(arguments)) {
                Console(quiet: false).error(message)
                Foundation.exit(1)
            }
            // The PostgreSQL ledger's errors are one line already, URL and password taken out.
            if error is PostgresError || error is LeaseLost {
                Console(quiet: false).error("\(error)")
                Foundation.exit(1)
            }
            exit(withError: error)
        }
    }

    /// `syndicate --site DIR [--quiet] build` as `syndicate build --site DIR [--quiet]`: the
    /// options every command takes are accepted before the subcommand too, where people put
    /// global options.
    static func commonOptionsAfterSubcommand(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first {
            if first == "--site", rest.count >= 2 {
                leading += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else if first.hasPrefix("--site=") || first == "--quiet" {
                leading.append(first)
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        guard !leading.isEmpty, let subcommand = rest.first else { return arguments }
        return [subcommand] + leading + rest.dropFirst()
    }

    /// The site folder the arguments name, for messages about it.
    private static func siteDirectory(_ arguments: [String]) -> URL {
        var site = "."
        for (index, argument) in arguments.enumerated() {
            if argument == "--site", index + 1 < arguments.count { site = arguments[index + 1] }
            if argument.hasPrefix("--site=") { site = String(argument.dropFirst("--site=".count)) }
        }
        return SiteOptions.directory(site)
    }
}
