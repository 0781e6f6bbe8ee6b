import Foundation
import HTTP
import Reviews

/// What the cards pass of a build did, paths relative to the output folder (`social/…`).
public struct CardReport: Sendable, Equatable {
    public var written: [String] = []
    public var unchanged: [String] = []
    public var removed: [String] = []
    /// One line per review whose image could not be used, naming the review and the reason.
    public var warnings: [String] = []

    public init() {}
}

/// The review cards of a build (docs/SPEC.md §10): `{feeds.output}/social/SLUG-4x5.jpg` for
/// each published review with an image, made only when its image changed, each written
/// whole (staged beside its place, then renamed), and the cards of reviews that are gone
/// deleted. A problem with one image is a warning; the other cards and the feeds go on.
package enum ReviewCards {
    /// Whether the cards the last build left still hold: the build cache's shortcut (nothing
    /// read, nothing written) is taken only then.
    package static func areFresh(siteDirectory: URL, config: SiteConfig) -> Bool {
        guard let manifest = CardManifest.load(siteDirectory: siteDirectory, output: config.feeds.output) else {
            // No list: a site without cards (on or off) has nothing to check; with cards on,
            // one would be written if any review had an image, which the fingerprint knows.
            return !FileManager.default.fileExists(atPath: CardManifest.url(siteDirectory: siteDirectory).path)
        }
        if !config.images.cards { return manifest.cards.isEmpty }
        let folder = siteDirectory.appendingPathComponent(config.feeds.output).appendingPathComponent(ReviewImage.cardsFolder).path
        return manifest.isFresh(cardsDirectory: folder)
    }

    /// Writes, keeps or deletes each card.
    package static func build(site: Site, now: Date, http: any HTTPClient) async -> CardReport {
        var report = CardReport()
        let folder = site.feedsDirectory.appendingPathComponent(ReviewImage.cardsFolder)
        let previous = CardManifest.load(siteDirectory: site.directory, output: site.config.feeds.output)
        var manifest = CardManifest(output: site.config.feeds.output, recipe: CardRenderer.recipe)
        let images = ReviewImage(site: site)
        if site.config.images.cards {
            let reviews = site.reviews.filter { $0.image != nil && $0.isPublished(at: now) }
            if !reviews.isEmpty {
                do {
                    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                } catch {
                    report.warnings.append("\(folder.path): \(error.localizedDescription); no card was written")
                    return report
                }
                StagedFile.removeStale(in: folder.path)
            }
            for review in reviews {
                let name = ReviewImage.cardsFolder + "/" + ReviewImage.cardName(slug: review.slug)
                switch await card(review, images: images, previous: previous?.recipe == CardRenderer.recipe ? previous?.cards[review.slug] : nil,
                                  folder: folder.path, http: http, timeout: site.config.post.timeout) {
                case .success(let (entry, written)):
                    manifest.cards[review.slug] = entry
                    if written { report.written.append(name) } else { report.unchanged.append(name) }
                case .failure(let problem):
                    report.warnings.append("\(review.source): image: \(problem.description); the review has no card")
                    manifest.problems.append(review.slug)
                    // A card made before stays listed (and in place) until its review is gone.
                    if let kept = previous?.cards[review.slug] { manifest.cards[review.slug] = kept }
                }
            }
        }
        let stale = (previous?.cards.keys).map { Set($0).subtracting(manifest.cards.keys) } ?? []
        report.removed = OwnedFiles.remove(stale.sorted().map { ReviewImage.cardName(slug: $0) }, in: folder)
            .map { ReviewImage.cardsFolder + "/" + $0 }
        if previous != nil || !manifest.cards.isEmpty || !manifest.problems.isEmpty { manifest.save(siteDirectory: site.directory) }
        return report
    }

    /// One review's card: kept when its source is the one it was made from, else made.
    private static func card(_ review: Review, images: ReviewImage, previous: CardManifest.Entry?, folder: String,
                             http: any HTTPClient, timeout: Double) async -> Result<(CardManifest.Entry, Bool), ImageProblem> {
        guard let image = review.image else { return .failure(ImageProblem("none")) }
        guard !review.slug.isEmpty, !review.slug.contains("/"), !review.slug.hasPrefix(".") else {
            return .failure(ImageProblem("the slug \"\(review.slug)\" cannot name a file"))
        }
        let source: String
        switch images.locate(image) {
        case .failure(let problem): return .failure(problem)
        case .success(.file(let path)): source = path
        case .success(.remote(let url, let cache)):
            if let problem = await images.fetch(url, into: cache, http: http, timeout: timeout) { return .failure(problem) }
            source = cache
        }
        guard let stat = FileStat(source) else { return .failure(ImageProblem("\(source) cannot be read")) }
        let cardPath = folder + "/" + ReviewImage.cardName(slug: review.slug)
        let card = FileStat(cardPath)
        let cardIntact = { (entry: CardManifest.Entry) in card?.size == entry.cardSize && card?.mtimeNanoseconds == entry.cardMtime }
        if let previous, previous.image == image, previous.source == source, previous.size == stat.size,
           previous.mtime == stat.mtimeNanoseconds, previous.inode == stat.inode, cardIntact(previous) {
            return .success((previous, false))
        }
        // Only a source whose size, mtime or inode moved is read in full.
        guard case .success(let bytes) = RegularFile.read(source) else { return .failure(ImageProblem("\(source) cannot be read")) }
        let digest = FNV64.hex(of: bytes)
        var entry = CardManifest.Entry(image: image, source: source, size: stat.size, mtime: stat.mtimeNanoseconds, inode: stat.inode,
                                       digest: digest, cardSize: card?.size ?? -1, cardMtime: card?.mtimeNanoseconds ?? -1)
        if let previous, previous.digest == digest, cardIntact(previous) { return .success((entry, false)) }
        let data: Data
        do {
            data = try CardRenderer.render(source)
        } catch {
            return .failure(ImageProblem("\(error)"))
        }
        let staged = StagedFile(finalPath: cardPath)
        let written: Bool
        do {
            try data.write(to: URL(fileURLWithPath: staged.stagingPath))
            written = try staged.commit() == .written
        } catch {
            staged.discard()
            return .failure(ImageProblem("cannot write \(cardPath): \(error.localizedDescription)"))
        }
        guard let made = FileStat(cardPath) else { return .failure(ImageProblem("\(cardPath) vanished")) }
        entry.cardSize = made.size
        entry.cardMtime = made.mtimeNanoseconds
        return .success((entry, written))
    }
}
