import Foundation
import Reviews
import ReviewSources
import Testing

@Suite struct SourceKindsTests {
    @Test func aConfigWithoutSourceReadsFiles() throws {
        var source = SourceConfig.files
        SourceKinds.check(&source)
        #expect(source.table.problems.isEmpty)
        #expect(SourceKinds.named(source.kind) == FilesSource.self)
    }

    @Test func anUnknownKindIsAConfigErrorOnItsLine() throws {
        let text = """
            [site]
            title = "T"
            url = "https://example.org"

            [source]
            kind = "ftp"
            """
        let error = #expect(throws: Diagnostics.self) {
            try ConfigLoader.parse(text, checkingSource: SourceKinds.check)
        }
        #expect(error?.items.map(\.description) == ["syndicate.toml:6: source.kind: unknown kind \"ftp\" (one of: files, wordpress, feed)"])
    }
}
