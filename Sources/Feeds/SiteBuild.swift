import Foundation
import Reviews

/// `syndicate build` as a library call: the config, the cache check, the load, the feeds.
public enum SiteBuild {
    /// The outcome the command reports.
    public struct Outcome: Sendable {
        public var report: BuildReport
        /// Problems in `reviews/`; the feeds were built from the other reviews.
        public var diagnostics: [String]
        /// True when nothing changed since the last build and no file was touched.
        public var upToDate: Bool
    }

    /// Builds the feeds of the site in `directory`, whose `config` the caller has loaded and
    /// checked (nothing is written when it cannot be).
    /// - Throws: a file system error.
    public static func run(siteDirectory directory: URL, config: SiteConfig, now: Date) throws -> Outcome {
        let configURL = directory.appendingPathComponent(ConfigLoader.fileName)
        let configData = FileManager.default.contents(atPath: configURL.path)
        let cache = BuildCache(siteDirectory: directory)
        let fingerprint = configData.map { cache.fingerprint(configData: $0) }

        if let fingerprint, let record = cache.load() {
            // The output folder comes from the config, which the fingerprint covers.
            let output = directory.appendingPathComponent(config.feeds.output)
            if cache.isFresh(record, fingerprint: fingerprint, outputDirectory: output, now: now) {
                var report = BuildReport(entries: record.entries)
                report.unchanged = record.outputs.map(\.path)
                report.outputs = report.unchanged
                return Outcome(report: report, diagnostics: record.diagnostics, upToDate: true)
            }
        }

        let site = try Site.load(directory, config: config)
        let report = try FeedBuilder(site: site, now: now).build()
        let diagnostics = site.diagnostics.map(\.description)
        if let fingerprint {
            let nextPublication = site.reviews.filter { !$0.draft && $0.date > now }.map(\.date).min()
            cache.save(BuildCache.Record(fingerprint: fingerprint, validUntil: nextPublication?.timeIntervalSince1970,
                                         outputs: BuildCache.outputs(report.outputs, in: site.feedsDirectory),
                                         entries: report.entries, diagnostics: diagnostics))
        }
        return Outcome(report: report, diagnostics: diagnostics, upToDate: false)
    }
}
