import ArgumentParser
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
}
