import Foundation
import Reviews

/// The cards the last build wrote and what each was made from, in `.syndicate/cards.json`:
/// a card whose image has the same digest is not made again (its bytes and mtime stay), a
/// card is deleted only when it is listed here and its review is gone, and a build with
/// nothing changed checks the cards with two `stat` calls each (`isFresh`). Like the genre
/// feeds' list it is kept outside `.syndicate/cache/`: without it (deleted, or a first build)
/// every card is made again, with the same bytes, and nothing is deleted.
struct CardManifest: Codable, Equatable {
    /// `feeds.output` when it was written: another folder's list names none of this one's cards.
    var output: String
    var recipe: String
    /// By slug.
    var cards: [String: Entry] = [:]
    /// Reviews whose image could not be used: while there is one, every build tries again.
    var problems: [String] = []

    struct Entry: Codable, Equatable {
        /// The image as the review names it.
        var image: String
        /// The file the card was made from, and its size, mtime and inode then.
        var source: String
        var size: Int64
        var mtime: Int64
        var inode: UInt64
        /// A digest of the source's bytes.
        var digest: String
        /// The card as written.
        var cardSize: Int64
        var cardMtime: Int64
    }

    static func url(siteDirectory: URL) -> URL { siteDirectory.appendingPathComponent(".syndicate/cards.json") }

    static func load(siteDirectory: URL, output: String) -> CardManifest? {
        guard let manifest = CacheFile.load(CardManifest.self, from: url(siteDirectory: siteDirectory)), manifest.output == output else { return nil }
        return manifest
    }

    func save(siteDirectory: URL) {
        if Self.load(siteDirectory: siteDirectory, output: output) == self { return }
        CacheFile.store(self, at: Self.url(siteDirectory: siteDirectory))
    }

    /// Whether every card is as written and made from its source as it is now.
    func isFresh(cardsDirectory: String) -> Bool {
        guard problems.isEmpty, recipe == CardRenderer.recipe else { return false }
        return cards.allSatisfy { slug, entry in
            guard let source = FileStat(entry.source), source.size == entry.size, source.mtimeNanoseconds == entry.mtime,
                  source.inode == entry.inode,
                  let card = FileStat(cardsDirectory + "/" + ReviewImage.cardName(slug: slug)) else { return false }
            return card.size == entry.cardSize && card.mtimeNanoseconds == entry.cardMtime
        }
    }
}
