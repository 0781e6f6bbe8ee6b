import ArgumentParser
import Foundation
import Reviews

/// Options every command takes.
struct SiteOptions: ParsableArguments {
    @Option(name: .long, help: "The site folder.")
    var site: String = "."

    @Flag(name: .long, help: "Only errors on stderr (for cron).")
    var quiet = false

    var siteDirectory: URL { Self.directory(site) }

    static func directory(_ site: String) -> URL { URL(fileURLWithPath: site, isDirectory: true).standardizedFileURL }

    /// The clock: `SYNDICATE_NOW` (RFC 3339) pins it for reproducible builds and tests.
    func now() throws -> Date {
        guard let pinned = ProcessInfo.processInfo.environment["SYNDICATE_NOW"], !pinned.isEmpty else { return Date() }
        guard let date = SiteDate.parse(pinned, timeZone: .gmt) else {
            throw ValidationError("SYNDICATE_NOW=\(pinned) is not an RFC 3339 date")
        }
        return date
    }
}
