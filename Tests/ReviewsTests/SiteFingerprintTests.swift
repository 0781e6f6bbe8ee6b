import Foundation
import Reviews
import SyndicateTesting
import Testing

/// The caches under `.syndicate/cache/` hold only while the fingerprint does: it must move
/// with every review file change and stay put otherwise.
@Suite("Site fingerprint")
struct SiteFingerprintTests {
    private func fingerprint(_ site: TemporarySite) -> String {
        SiteFingerprint.compute(siteDirectory: site.directory, configData: Data(), purpose: "test")
    }

    @Test func followsEveryReviewFileChange() throws {
        let site = try TemporarySite()
        try site.review("2025-01-01-a.md", "title: A\ndate: 2025-01-01")
        let first = fingerprint(site)
        #expect(fingerprint(site) == first)

        try site.review("2025-01-02-b.md", "title: B\ndate: 2025-01-02")
        let added = fingerprint(site)
        #expect(added != first)

        try site.review("2025-01-02-b.md", "title: B, edited\ndate: 2025-01-02")
        let edited = fingerprint(site)
        #expect(edited != added)

        try FileManager.default.removeItem(at: site.directory.appendingPathComponent("reviews/2025-01-02-b.md"))
        #expect(fingerprint(site) != edited)
    }

    @Test func onlyReviewFilesCount() throws {
        let site = try TemporarySite()
        try site.review("2025-01-01-a.md", "title: A\ndate: 2025-01-01")
        let before = fingerprint(site)
        try site.write("reviews/.draft.md.swp", "editor state")
        try site.write("reviews/notes.txt", "not a review")
        #expect(fingerprint(site) == before)
        #expect(try ReviewLoader.reviewFiles(in: site.directory) == ["2025-01-01-a.md"])
    }
}
