import Foundation
@testable import Reviews
import SyndicateTesting
import Testing
import Yams

/// The fast front-matter reader must build exactly the tree Yams builds, or decline.
@Suite("Fast front matter, held to Yams")
struct SimpleYAMLTests {
    static let crafted = [
        "title: Plain\ndate: 2025-01-01",
        "title: \"Quoted: with colon\"\ndate: 2025-03-11T09:30:00-04:00\nrating: 3.5\nyear: 2025",
        "title: 'single quoted'\ngenres: [Crime, \"Science Fiction\", 'Drama']\ndirectors:\n  - Rachel Mason\n  - \"Agnès Varda\"",
        "title: A\nids: {tmdb: 1234, imdb: tt1234567, letterboxd: aB3x}\nsyndicate:\n  skip: [x]\n  text:\n    mastodon: \"Custom {{url}}\"",
        "title: A\ngenres:\n- Drama\n- Comedy\ndraft: false\n# a comment\n\nruntime: 1h 31m",
        "title: C# and F#\nimage: /images/x.jpg\nsummary: A summary, with commas; and semicolons",
        "title: 1984\nspoilers: yes\ntags: []",
        // Declined (Yams reads these): escapes, comments after values, block scalars, empty values, anchors.
        "title: \"Tab\\tescape\"",
        "title: Value # trailing comment",
        "summary: |\n  Block\n  scalar",
        "title: A\nempty:",
        "base: &anchor x\nother: *anchor",
        "title: A\n  continued plain line",
        "title: 'it''s'",
        "list: [a, [b]]",
        "title: A\ntitle: B",
        "t: Wait\u{85} and more",
        "t: \"a\u{85}b\"",
        "t: Foo\u{2028}Bar",
        "g:\n  - a\u{85}b",
        "t: a\u{07}b",
        "\u{FEFF}b: x",
        "g: {a: 1,,b: 2}",
        "g: [a:?]",
    ]

    private func yams(_ text: String) throws -> FrontNode? {
        try Yams.compose(yaml: text, .basic, .default, .utf8).map(FrontNode.init)
    }

    @Test(arguments: crafted)
    func craftedFrontMatterMatchesOrDeclines(_ text: String) throws {
        guard let fast = SimpleYAML.parse(text) else { return }
        #expect(fast == (try yams(text)), "\(text)")
    }

    @Test func declinesWhatItCannotRead() {
        for text in SimpleYAMLTests.crafted.suffix(17) { #expect(SimpleYAML.parse(text) == nil, "\(text)") }
    }

    @Test func everySampleReviewMatchesYams() throws {
        let folder = repositoryRoot().appendingPathComponent("reviews")
        var fastCount = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".md") {
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            let file = try ReviewFile.split(data, path: name)
            guard let fast = SimpleYAML.parse(file.frontMatter) else { continue }
            fastCount += 1
            #expect(fast == (try yams(file.frontMatter)), "\(name)")
        }
        #expect(fastCount >= 10, "the fast path serves the usual front matter")
    }
}
