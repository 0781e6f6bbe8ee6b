import ArgumentParser
import Destinations
import Foundation
import HTTP
import Posting
import Reviews
import ReviewSources

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Start a site: write a commented syndicate.toml and an empty credentials for the folder or URL found.",
        discussion: """
        Looks at DIR (a Jekyll _posts/, a Hugo content/, a reviews/ folder of Markdown) or, with --from, at a \
        WordPress site or a feed. Never overwrites a file. Exit status: 0 written; 1 something exists or \
        cannot be read (nothing was written).
        """
    )

    @Argument(help: ArgumentHelp("The site folder (default: --site, else the current folder); made if missing.", valueName: "DIR"))
    var directory: String?

    @Option(name: .long, help: ArgumentHelp("A WordPress site's home page, a feed, or a page that links to its feed.", valueName: "URL"))
    var from: String?

    @OptionGroup var options: SiteOptions

    func run() async throws {
        let console = Console(quiet: options.quiet)
        let siteDirectory = directory.map(SiteOptions.directory) ?? options.siteDirectory
        do {
            let sketch: SiteSketch
            if let from {
                sketch = try await SiteInitializer.sketch(url: from, http: CurlHTTPClient(userAgent: SyndicateVersion.userAgent(siteURL: from)))
            } else {
                sketch = try SiteInitializer.sketch(folder: siteDirectory)
            }
            let destinations = DestinationKinds.all.map(Self.sketch)
            try SiteInitializer.write(config: SiteInitializer.configText(sketch, destinations: destinations),
                                      credentials: SiteInitializer.credentialsText(destinations: destinations),
                                      folder: sketch.sourceKind == FilesSource.kindName ? sketch.folder : nil, into: siteDirectory)
            SiteInitializer.summary(sketch).forEach { console.output($0) }
        } catch {
            console.error("\(error); nothing written")
            throw ExitCode(1)
        }
    }

    /// A destination kind as `init` lists it: its keys are the ones its `options` reads.
    static func sketch(_ kind: any DestinationKind.Type) -> DestinationKindSketch {
        var table = ConfigTable(name: "destination", line: 1, values: [:])
        _ = kind.options(&table)
        let baseURL: String?, required: Bool
        switch kind.baseURLRule {
        case .required: (baseURL, required) = ("https://…", true)
        case .defaulted(let url): (baseURL, required) = (url, false)
        case .notTaken: (baseURL, required) = (nil, false)
        }
        return DestinationKindSketch(kind: kind.kindName, baseURL: baseURL, baseURLRequired: required,
                                     optionKeys: table.knownKeys.sorted(), credentialKeys: kind.credentialKeys)
    }
}
