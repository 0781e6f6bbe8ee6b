import ArgumentParser
import Foundation
import Posting

/// The `syndicate` command: builds a review site's feeds and cross-posts new reviews.
@main
struct Syndicate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "syndicate",
        abstract: "Build a review site's feeds and cross-post new reviews.",
        discussion: "Every command works on a site folder (--site, default: the current folder). See README.md.",
        version: SyndicateVersion.string,
        subcommands: [BuildCommand.self, CheckCommand.self, PostCommand.self, RepostCommand.self, StatusCommand.self,
                      RetryCommand.self, ResolveCommand.self, MarkPostedCommand.self, PreviewCommand.self]
    )

    static func main() async {
        // A write to a pipe whose reader is gone (a `command` program that reads nothing, a
        // closed stdout) must fail with EPIPE where it happens, not kill the whole run and turn
        // every delivery in flight `unknown`.
        signal(SIGPIPE, SIG_IGN)
        await main(nil)
    }
}
