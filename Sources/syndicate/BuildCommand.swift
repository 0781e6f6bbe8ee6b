import ArgumentParser
import Feeds
import Foundation
import Reviews

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Write the feeds (RSS 2.0, Atom 1.0, JSON Feed, per-genre feeds).",
        discussion: """
        Exit status: 0 built; 1 some reviews are invalid (the feeds were built from the others); \
        2 the config is invalid (nothing was written).
        """
    )

    @OptionGroup var options: SiteOptions

    func run() throws {
        let console = Console(quiet: options.quiet)
        let outcome: SiteBuild.Outcome
        do {
            outcome = try SiteBuild.run(siteDirectory: options.siteDirectory, now: try options.now())
        } catch let diagnostics as Diagnostics {
            diagnostics.items.forEach { console.problem($0.description) }
            console.error("the config is invalid; nothing was written")
            throw ExitCode(2)
        }
        outcome.diagnostics.forEach { console.problem($0) }
        let report = outcome.report
        if outcome.upToDate {
            console.info("feeds up to date (\(report.entries) reviews, nothing changed)")
        } else {
            console.info("built \(report.outputs.count) feeds with \(report.entries) reviews: "
                         + "\(report.written.count) written, \(report.unchanged.count) unchanged"
                         + (report.removed.isEmpty ? "" : ", \(report.removed.count) removed"))
        }
        if !outcome.diagnostics.isEmpty {
            console.error("\(outcome.diagnostics.count) problem(s) in reviews/; those reviews were left out")
            throw ExitCode(1)
        }
    }
}
