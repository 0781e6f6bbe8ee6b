import Foundation
import Reviews
import SyndicateTesting
import Testing

/// Posting reads whole reviews through the index: as loaded with it, or from the file again.
@Suite("The review index")
struct ReviewIndexTests {
    func index(_ site: TemporarySite) async throws -> ReviewIndex {
        let config = try ConfigLoader.load(siteDirectory: site.directory)
        let configData = try Data(contentsOf: site.directory.appendingPathComponent(ConfigLoader.fileName))
        return try await ReviewIndex.load(site: site.directory, config: config, configData: configData) {
            try ReviewLoader(config: config).loadAll(in: site.directory)
        }
    }

    func title(_ index: ReviewIndex, _ slug: String) throws -> String? {
        let indexed = try #require(index.reviews.first { $0.slug == slug })
        return try? index.review(indexed).get().title
    }

    @Test func aLoadedIndexGivesTheReviewsItLoaded() async throws {
        let site = try TemporarySite()
        try site.review("a.md", "title: First\ndate: 2025-01-01")
        let loaded = try await index(site)
        #expect(!loaded.fromCache)
        try site.review("a.md", "title: Edited\ndate: 2025-01-01")
        #expect(try title(loaded, "a") == "First")
    }

    @Test func aCachedIndexReadsTheFileAgain() async throws {
        let site = try TemporarySite()
        try site.review("a.md", "title: First\ndate: 2025-01-01")
        _ = try await index(site)
        let cached = try await index(site)
        #expect(cached.fromCache)
        #expect(try title(cached, "a") == "First")
        // An edit after the index was read wins; one that breaks the review is a failure.
        try site.review("a.md", "title: Edited\ndate: 2025-01-01")
        #expect(try title(cached, "a") == "Edited")
        try site.review("a.md", "title: Broken\ndate: not a date")
        let indexed = try #require(cached.reviews.first)
        #expect(throws: ReviewProblems.self) { try cached.review(indexed).get() }
    }
}
