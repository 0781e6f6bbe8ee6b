import Foundation
import Reviews

/// Writes a site's feeds: `feed.xml` (RSS 2.0), `atom.xml`, `feed.json`, and with `by_genre`
/// an RSS and an Atom feed per genre under `genres/`.
///
/// Each review is rendered once and streamed into every feed it belongs to, so memory stays
/// flat however many reviews a feed holds. Every file is staged and moved into place only if
/// its bytes changed.
public struct FeedBuilder: Sendable {
    public var site: Site
    /// What "published" is measured against; the output does not otherwise depend on it.
    public var now: Date

    public init(site: Site, now: Date) {
        self.site = site
        self.now = now
    }

    /// One feed file's worth of work.
    fileprivate struct Plan: Sendable {
        var relativePath: String
        var format: Format
        var channel: FeedChannel
        var slugs: Set<String>
        enum Format: Sendable { case rss, atom, json }
    }

    /// How many feed files are open at once. A site may have hundreds of genres, two files
    /// each, and a process may hold only so many descriptors (often 1,024, fewer under some
    /// service managers): the feeds are written a group at a time instead of all together.
    static let filesAtOnce = 32

    /// Writes every feed and removes the genre feeds an earlier build wrote that no longer
    /// have a genre.
    public func build() throws -> BuildReport {
        let published = site.published(at: now)
        let plans = makePlans(published)
        let output = site.feedsDirectory
        let genres = output.appendingPathComponent("genres")
        try FileManager.default.createDirectory(at: genres, withIntermediateDirectories: true)
        // A build killed with SIGKILL leaves its staging files behind; they are of no use to anyone.
        StagedFile.removeStale(in: output.path)
        StagedFile.removeStale(in: genres.path)

        var staged: [(plan: Plan, file: StagedFile)] = []
        do {
            for start in stride(from: 0, to: plans.count, by: Self.filesAtOnce) {
                let group = plans[start..<min(plans.count, start + Self.filesAtOnce)].map { plan in
                    (plan: plan, file: StagedFile(finalPath: output.appendingPathComponent(plan.relativePath).path))
                }
                staged += group
                try write(group, from: published)
            }
        } catch {
            staged.forEach { $0.file.discard() }
            throw error
        }

        var report = BuildReport(entries: plans.first?.slugs.count ?? 0)
        for item in staged {
            switch try item.file.commit() {
            case .written: report.written.append(item.plan.relativePath)
            case .unchanged: report.unchanged.append(item.plan.relativePath)
            }
        }
        let manifest = GenreFeedManifest(siteDirectory: site.directory, output: site.config.feeds.output)
        let current = plans.map(\.relativePath).filter { $0.hasPrefix("genres/") }
        report.removed = manifest.removeStale(keeping: current, in: genres)
        manifest.save(current)
        report.outputs = plans.map(\.relativePath)
        return report
    }

    /// Writes one group of feeds into their staging files, each review rendered once for all
    /// of them; the files are closed when it returns.
    private func write(_ group: [(plan: Plan, file: StagedFile)], from published: [Review]) throws {
        var writers: [StagedWriter] = []
        for (plan, file) in group {
            let writer: FeedFormatWriter
            switch plan.format {
            case .rss: writer = try RSSWriter(path: file.stagingPath)
            case .atom: writer = try AtomWriter(path: file.stagingPath)
            case .json: writer = try JSONFeedWriter(path: file.stagingPath)
            }
            writers.append(StagedWriter(plan: plan, writer: writer))
            try writer.begin(plan.channel)
        }
        let wanted = group.reduce(into: Set<String>()) { $0.formUnion($1.plan.slugs) }
        let included = published.filter { wanted.contains($0.slug) }
        // Render a batch on every core, then stream it out in order: memory holds one
        // batch of HTML, not the whole site's.
        let site = self.site, now = self.now
        for batchStart in stride(from: 0, to: included.count, by: 64) {
            let batch = Array(included[batchStart..<min(included.count, batchStart + 64)])
            let entries = try ParallelMap.map(batch) { review in Result { try FeedEntry.make(review, site: site, now: now) } }
                .map { try $0.get() }
            // Each file is written by one iteration only, so the files fill in parallel.
            // The writer's own error is kept, so it is reported once, as it was raised.
            let failures = ParallelMap.map(writers) { writer -> FeedWriteError? in
                do {
                    for entry in entries where writer.plan.slugs.contains(entry.review.slug) { try writer.writer.add(entry) }
                    return nil
                } catch let error as FeedWriteError {
                    return error
                } catch {
                    return .writeFailed("\(error)")
                }
            }
            if let failure = failures.compactMap({ $0 }).first { throw failure }
        }
        for writer in writers { try writer.writer.finish() }
    }

    private func makePlans(_ published: [Review]) -> [Plan] {
        let settings = site.config.feeds
        let base = site.feedsPublicURL
        let hub = settings.hub.isEmpty ? nil : settings.hub
        func channel(title: String, description: String, selfURL: String, reviews: ArraySlice<Review>) -> FeedChannel {
            FeedChannel(title: title, description: description, homeURL: site.config.site.url, selfURL: selfURL,
                        hubURL: hub, language: site.config.site.language, author: site.config.site.author,
                        updated: reviews.map(\.lastModified).max(), published: reviews.map(\.date).max())
        }
        let main = published.prefix(settings.items)
        let mainSlugs = Set(main.map(\.slug))
        let title = site.config.site.title, description = site.config.site.description
        var plans = [
            Plan(relativePath: "feed.xml", format: .rss,
                 channel: channel(title: title, description: description, selfURL: base + "feed.xml", reviews: main), slugs: mainSlugs),
            Plan(relativePath: "atom.xml", format: .atom,
                 channel: channel(title: title, description: description, selfURL: base + "atom.xml", reviews: main), slugs: mainSlugs),
            Plan(relativePath: "feed.json", format: .json,
                 channel: channel(title: title, description: description, selfURL: base + "feed.json", reviews: main), slugs: mainSlugs),
        ]
        guard settings.byGenre else { return plans }
        for genre in GenreIndex(published, newest: settings.items).genres {
            let reviews = genre.reviews[...]
            let slugs = Set(reviews.map(\.slug))
            let genreTitle = "\(title): \(genre.name)"
            let genreDescription = "\(genre.name) reviews from \(title)"
            for (suffix, format) in [(".xml", Plan.Format.rss), (".atom.xml", .atom)] {
                let path = "genres/\(genre.slug)\(suffix)"
                plans.append(Plan(relativePath: path, format: format,
                                  channel: channel(title: genreTitle, description: genreDescription, selfURL: base + path, reviews: reviews),
                                  slugs: slugs))
            }
        }
        return plans
    }
}

/// A writer handed to one parallel iteration at a time: that discipline, not a lock, makes
/// it safe to send, hence `@unchecked`.
private final class StagedWriter: @unchecked Sendable {
    let plan: FeedBuilder.Plan
    let writer: FeedFormatWriter
    init(plan: FeedBuilder.Plan, writer: FeedFormatWriter) {
        self.plan = plan
        self.writer = writer
    }
}

/// What a build did.
public struct BuildReport: Sendable, Equatable {
    /// Reviews in the main feeds.
    public var entries: Int
    public var written: [String] = []
    public var unchanged: [String] = []
    public var removed: [String] = []
    /// Every feed file the build owns, relative to the output folder.
    public var outputs: [String] = []

    public init(entries: Int) { self.entries = entries }
}

/// Published reviews grouped by genre. Genres that differ only in case or accents share one
/// feed, named after the first spelling met (newest review first).
struct GenreIndex {
    struct Genre {
        var name: String
        var slug: String
        /// The genre's newest reviews, as many as its feed holds.
        var reviews: [Review]
    }

    var genres: [Genre]

    /// - Parameters:
    ///   - reviews: newest first.
    ///   - newest: how many reviews a genre keeps (a feed's `items`); every genre is listed,
    ///     however old its reviews.
    init(_ reviews: [Review], newest: Int) {
        var bySlug: [String: Genre] = [:]
        var order: [String] = []
        var slugs: [String: String] = [:] // a site has few genre names and many reviews
        for review in reviews {
            var seen = Set<String>()
            for name in review.genres {
                let slug: String
                if let known = slugs[name] { slug = known } else { slug = Self.slug(name); slugs[name] = slug }
                guard !slug.isEmpty, seen.insert(slug).inserted else { continue }
                if bySlug[slug] == nil {
                    bySlug[slug] = Genre(name: name, slug: slug, reviews: [])
                    order.append(slug)
                }
                if bySlug[slug]!.reviews.count < newest { bySlug[slug]!.reviews.append(review) }
            }
        }
        genres = order.sorted().map { bySlug[$0]! }
    }

    /// "Science Fiction" → "science-fiction", "Comédie" → "comedie"; letters of other
    /// scripts are kept.
    static func slug(_ name: String) -> String {
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
        var slug = ""
        var pendingDash = false
        for scalar in folded.unicodeScalars {
            if scalar.properties.isAlphabetic || (scalar.properties.numericType != nil && scalar.value < 0x80) {
                if pendingDash, !slug.isEmpty { slug.append("-") }
                pendingDash = false
                slug.unicodeScalars.append(scalar)
            } else {
                pendingDash = true
            }
        }
        return capped(slug.lowercased())
    }

    /// The longest genre slug, in UTF-8 bytes: with `.atom.xml` and the staging file's
    /// `.NAME.PID.tmp` around it, a file name stays well under the 255 bytes file systems allow.
    static let maxSlugBytes = 80

    /// A slug cut to `maxSlugBytes`: a prefix on a character boundary, then the full slug's
    /// hash, so two long genres that share a beginning still get feeds of their own.
    static func capped(_ slug: String) -> String {
        guard slug.utf8.count > maxSlugBytes else { return slug }
        var prefix = ""
        for character in slug {
            guard prefix.utf8.count + character.utf8.count <= maxSlugBytes - 17 else { break }
            prefix.append(character)
        }
        while prefix.hasSuffix("-") { prefix.removeLast() }
        var hasher = FNV64()
        hasher.add(slug)
        return prefix + "-" + hasher.hex
    }
}
