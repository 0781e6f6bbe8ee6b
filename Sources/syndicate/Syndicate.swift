import ArgumentParser

/// The `syndicate` command: builds a review site's feeds and cross-posts new reviews.
@main
struct Syndicate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "syndicate",
        abstract: "Build a review site's feeds and cross-post new reviews.",
        discussion: "Every command works on a site folder (--site, default: the current folder). See README.md.",
        version: SyndicateVersion.string,
        subcommands: [BuildCommand.self, CheckCommand.self]
    )
}

enum SyndicateVersion {
    static let string = "0.1.0"
}
