import Foundation
import Reviews
import ReviewSources
import Testing

/// `[source] kind = "feed"`: its keys, checked with every other config error.
@Suite struct FeedSourceConfigTests {
    static func problems(_ source: String) -> [String] {
        let text = "[site]\ntitle = \"T\"\nurl = \"https://example.org\"\n\n[source]\nkind = \"feed\"\n" + source
        do {
            _ = try ConfigLoader.parse(text, checkingSource: SourceKinds.check)
            return []
        } catch let error as Diagnostics {
            return error.items.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    @Test(arguments: [
        ("url = \"https://blog.test/feed/\"\nonly = [\"Reviews\"]", []),
        ("", ["syndicate.toml:5: source.url: required"]),
        ("url = \"feed.xml\"", ["syndicate.toml:7: source.url: \"feed.xml\" is not an absolute http(s) URL"]),
        ("url = \"https://me:secret@blog.test/feed/\"",
         ["syndicate.toml:7: source.url: must not contain a user name or password (every message about the feed shows its URL)"]),
        ("url = \"https://blog.test/feed/\"\nonly = \"Reviews\"",
         ["syndicate.toml:8: source.only: expected an array of category, tag or genre names, found string"]),
        ("url = \"https://blog.test/feed/\"\nfolder = \"reviews\"",
         ["syndicate.toml:8: source.folder: unknown key (known here: kind, only, url)"]),
    ] as [(String, [String])])
    func keys(_ source: String, _ expected: [String]) {
        #expect(Self.problems(source) == expected)
    }
}
