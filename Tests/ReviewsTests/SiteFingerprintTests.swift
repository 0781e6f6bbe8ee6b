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
        #expect(try ReviewLoader(config: ConfigLoader.load(siteDirectory: site.directory)).reviewFiles(in: site.directory) == ["reviews/2025-01-01-a.md"])
    }

    /// The fingerprint covers the configured folder and its subfolders: an edit in a
    /// subfolder or a page bundle must rebuild.
    @Test func coversTheConfiguredFolderAndItsSubfolders() throws {
        let site = try TemporarySite(config: TemporarySite.config(extra: "[source]\nfolder = \"content/reviews\""))
        try site.write("content/reviews/2025/a.md", "---\ntitle: A\ndate: 2025-01-01\n---\nA.\n")
        try site.write("content/reviews/b/index.md", "---\ntitle: B\ndate: 2025-01-02\n---\nB.\n")
        let first = fingerprint(site)
        try site.write("content/reviews/2025/a.md", "---\ntitle: A, edited\ndate: 2025-01-01\n---\nA.\n")
        let edited = fingerprint(site)
        #expect(edited != first)
        try site.write("content/reviews/b/index.md", "---\ntitle: B, edited\ndate: 2025-01-02\n---\nB.\n")
        let bundle = fingerprint(site)
        #expect(bundle != edited)
        try site.write("content/reviews/2025/deeper/c.markdown", "---\ntitle: C\ndate: 2025-01-03\n---\nC.\n")
        #expect(fingerprint(site) != bundle)
        // The reviews/ folder is not this site's: a change there changes nothing.
        let now = fingerprint(site)
        try site.review("2025-01-09-elsewhere.md", "title: E\ndate: 2025-01-09")
        #expect(fingerprint(site) == now)
    }
}
