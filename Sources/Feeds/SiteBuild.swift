import Cards
import Foundation
import HTTP
import Reviews
import ReviewSources

/// `syndicate build` as a library call: the config, the cache check, the load, the feeds.
public enum SiteBuild {
    /// The outcome the command reports.
    public struct Outcome: Sendable {
        public var report: BuildReport
        /// Problems in `reviews/`; the feeds were built from the other reviews.
        public var diagnostics: [String]
        /// Why a remote source could not be read, when its last good copy was built from.
        public var fallback: String?
        /// True when nothing changed since the last build and no file was touched.
        public var upToDate: Bool
        /// The review cards written, kept and removed, and the images that could not be used.
        public var cards = CardReport()
    }

    /// Builds the feeds of the site in `directory`, whose `config` the caller has loaded and
    /// checked (nothing is written when it cannot be).
    /// - Parameter http: what a remote source is read with.
    /// - Throws: a file system error; `Diagnostics` when the source has nothing to read.
    public static func run(siteDirectory directory: URL, config: SiteConfig, now: Date, http: any HTTPClient) async throws -> Outcome {
        let configURL = directory.appendingPathComponent(ConfigLoader.fileName)
        let configData = FileManager.default.contents(atPath: configURL.path)
        let cache = BuildCache(siteDirectory: directory)
        let fingerprint = configData.map { cache.fingerprint(configData: $0) }

        // The fingerprint covers the site's files: it can tell a remote source's changes only
        // by reading it, so a remote source is always read (once: docs/SPEC.md §9).
        let isFiles = config.source.kind == FilesSource.kindName
        if isFiles, let fingerprint, let record = cache.load() {
            // The output folder comes from the config, which the fingerprint covers.
            let output = directory.appendingPathComponent(config.feeds.output)
            if cache.isFresh(record, fingerprint: fingerprint, outputDirectory: output, now: now),
               ReviewCards.areFresh(siteDirectory: directory, config: config) {
                var report = BuildReport(entries: record.entries)
                report.unchanged = record.outputs.map(\.path)
                report.outputs = report.unchanged
                return Outcome(report: report, diagnostics: record.diagnostics, fallback: nil, upToDate: true)
            }
        }

        let context = SourceContext(siteDirectory: directory, config: config, http: http, clock: { now })
        let (site, fallback) = try await SourceKinds.loadSite(context)
        let report = try FeedBuilder(site: site, now: now).build()
        let cards = await ReviewCards.build(site: site, now: now, http: http)
        let diagnostics = site.diagnostics.map(\.description)
        if isFiles, let fingerprint {
            let nextPublication = site.reviews.filter { !$0.draft && $0.date > now }.map(\.date).min()
            cache.save(BuildCache.Record(fingerprint: fingerprint, validUntil: nextPublication?.timeIntervalSince1970,
                                         outputs: BuildCache.outputs(report.outputs, in: site.feedsDirectory),
                                         entries: report.entries, diagnostics: diagnostics))
        }
        return Outcome(report: report, diagnostics: diagnostics, fallback: fallback, upToDate: false, cards: cards)
    }
}
