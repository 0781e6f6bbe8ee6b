import ArgumentParser
import Foundation
import Reviews

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate syndicate.toml and every review without writing anything.",
        discussion: "Exit status: 0 everything is valid; 1 something is not (each problem is listed)."
    )

    @OptionGroup var options: SiteOptions

    func run() throws {
        let console = Console(quiet: options.quiet)
        let site: Site
        do {
            site = try Site.load(options.siteDirectory)
        } catch let diagnostics as Diagnostics {
            diagnostics.items.forEach { console.problem($0.description) }
            console.error("\(diagnostics.items.count) problem(s) in \(ConfigLoader.fileName)")
            throw ExitCode(1)
        }
        site.diagnostics.forEach { console.problem($0.description) }
        let now = try options.now()
        let published = site.published(at: now).count
        let drafts = site.reviews.filter(\.draft).count
        let scheduled = site.reviews.count - published - drafts
        let destinations = site.config.destinations
        console.output("\(ConfigLoader.fileName): ok, \(destinations.count) destination(s), \(destinations.filter(\.enabled).count) enabled")
        console.output("reviews: \(site.reviews.count) valid (\(published) published, \(drafts) draft(s), \(scheduled) scheduled), "
                       + "\(Set(site.diagnostics.map(\.file)).count) invalid")
        if !site.diagnostics.isEmpty { throw ExitCode(1) }
    }
}
