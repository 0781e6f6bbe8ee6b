import ArgumentParser
import Cards
import Destinations
import Foundation
import Posting
import Reviews

struct PreviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Print exactly what would be posted, with its length under each destination's rule. Sends nothing.",
        discussion: "Without SLUG: the newest published review. Exit status: 0 every post fits; 1 one does not, or cannot be composed."
    )

    @OptionGroup var options: SiteOptions
    @Argument(help: "The review's slug.") var slug: String?
    @Option(name: .customLong("to"), help: "Only this destination (repeatable).") var to: [String] = []

    func run() async throws {
        let console = Console(quiet: options.quiet)
        let session = try options.openSession(console)
        let names = try validateNames(to, in: session, console: console)
        guard !session.site.config.destinations.isEmpty else {
            console.error("no destination in \(ConfigLoader.fileName) to preview for: add a [[destination]] table")
            throw ExitCode(1)
        }
        // Nothing is sent; a remote source is read (once), as every command reads it.
        let (site, fallback) = try await session.readSite(console)
        // Reported like in `check`: the review asked for may be the one that is invalid.
        site.diagnostics.forEach { console.problem($0.description) }
        var failed = sayFallback(fallback, console)
        let now = session.clock()
        let review: Review
        if let slug {
            guard let found = site.reviews.first(where: { $0.slug == slug }) ?? site.reviews.first(where: { $0.id == slug }) else {
                console.error("no valid review with slug \"\(slug)\"")
                throw ExitCode(1)
            }
            review = found
        } else {
            guard let newest = site.published(at: now).first else {
                console.error("no published review to preview")
                throw ExitCode(1)
            }
            review = newest
        }
        if review.image != nil, site.config.images.cards {
            // Shown relative to the site, as `feeds.output` names it.
            let card = site.config.feeds.output + "/" + ReviewImage.cardsFolder + "/" + ReviewImage.cardName(slug: review.slug)
            let made = FileManager.default.fileExists(atPath: ReviewImage.cardPath(slug: review.slug, site: site))
            console.output("card: \(card)" + (made ? "" : " (not made yet: run `syndicate build`)") + "\n")
        }
        for destination in session.composers() where names?.contains(destination.name) ?? true {
            if review.syndication.skip.contains(destination.name) {
                console.output("── \(destination.name) (\(destination.kind)): skipped by the review's syndicate.skip\n")
                continue
            }
            do {
                let composed = try destination.compose(review, site: session.site)
                let post = composed.text
                let limit = post.limit.map { "/\($0)" } ?? ""
                console.output("── \(destination.name) (\(destination.kind)) ── \(post.count)\(limit) \(post.unit)\(post.shortened ? ", shortened to fit" : "")")
                // The warning is counted in the length above, so it is shown too.
                if let warning = composed.contentWarning { console.output("content warning: \(warning)") }
                console.output(post.text + "\n")
            } catch {
                failed = true
                console.output("── \(destination.name) (\(destination.kind)) ── cannot be posted: \(error)\n")
            }
        }
        if failed { throw ExitCode(1) }
    }
}
