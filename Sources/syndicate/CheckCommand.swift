import ArgumentParser
import Destinations
import Foundation
import HTTP
import Posting
import ReviewSources
import Reviews

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate syndicate.toml, the credentials (presence and file mode) and every review, without writing anything.",
        discussion: "Exit status: 0 everything is valid; 1 something is not (each problem is listed)."
    )

    @OptionGroup var options: SiteOptions
    @Flag(help: "Also try each enabled destination's credentials with a harmless API call.") var online = false

    func run() async throws {
        let console = Console(quiet: options.quiet)
        let site: Site
        let fallback: String?
        do {
            // Through the source, as every command reads the reviews: its own problems (a
            // missing folder, a server with no last good copy) are reported like the config's.
            let config = try DestinationKinds.loadConfig(siteDirectory: options.siteDirectory)
            let http = CurlHTTPClient(userAgent: SyndicateVersion.userAgent(siteURL: config.site.url))
            let now = try options.now()
            let loaded = try await SourceKinds.loadSite(SourceContext(siteDirectory: options.siteDirectory, config: config,
                                                                      http: http, clock: { now }))
            (site, fallback) = (loaded.site, loaded.fallback)
        } catch let diagnostics as Diagnostics {
            diagnostics.items.forEach { console.problem($0.description) }
            // Named after the files at fault: a missing reviews folder is reported here too.
            let files = Set(diagnostics.items.map(\.file)).sorted().joined(separator: ", ")
            console.error("\(diagnostics.items.count) problem(s) in \(files.isEmpty ? ConfigLoader.fileName : files)")
            throw ExitCode(1)
        }
        site.diagnostics.forEach { console.problem($0.description) }
        let fellBack = sayFallback(fallback, console)
        let now = try options.now()
        let published = site.published(at: now).count
        let drafts = site.reviews.filter(\.draft).count
        let scheduled = site.reviews.count - published - drafts
        let destinations = site.config.destinations
        console.output("\(ConfigLoader.fileName): ok, \(destinations.count) destination(s), \(destinations.filter(\.enabled).count) enabled")
        console.output("reviews: \(site.reviews.count) valid (\(published) published, \(drafts) draft(s), \(scheduled) scheduled), "
                       + "\(Set(site.diagnostics.map(\.file)).count) invalid")
        var credentialProblems: [String] = []
        do {
            let credentials = try Credentials.load(siteDirectory: site.directory, destinations: destinations)
            for destination in destinations where destination.enabled {
                credentialProblems += DestinationKinds.credentialProblems(destination, in: credentials)
            }
        } catch {
            credentialProblems.append(error.description)
        }
        credentialProblems.forEach { console.problem($0) }
        console.output("credentials: " + (credentialProblems.isEmpty ? "ok" : "\(credentialProblems.count) problem(s)"))
        var onlineFailures = 0
        if online && credentialProblems.isEmpty {
            let session = try options.openSession(console)
            let redactor = session.credentials.redactor
            for destination in session.destinations where destination.kind != WebSubKind.name {
                switch await destination.verify() {
                case .ok(let detail): console.output("online: \(destination.name): ok, \(redactor.redact(detail))")
                case .unsupported(let why): console.output("online: \(destination.name): not checked (\(why))")
                case .failed(let message):
                    onlineFailures += 1
                    console.problem("online: \(destination.name): \(redactor.redact(message))")
                }
            }
        }
        if !site.diagnostics.isEmpty || !credentialProblems.isEmpty || onlineFailures > 0 || fellBack { throw ExitCode(1) }
    }
}
