import Destinations
import Foundation
import Reviews
import SyndicateTesting
import Testing

private let base = """
[site]
title = "T"
url = "https://example.org/"

"""

/// Broken destination tables and the exact lines `check`, `build` and `post` print for them:
/// the problems only a kind can find, reported like every other problem of the file.
private let brokenDestinations: [(String, String, [String])] = [
    ("unknown kind", base + "[[destination]]\nname = \"m\"\nkind = \"myspace\"\n",
     ["syndicate.toml:6: destination.m.kind: unknown kind \"myspace\" (one of: mastodon, bluesky, x, letterboxd, linkhub, micropub, webhook, command, instagram, threads)"]),
    ("key of another kind", base + "[[destination]]\nname = \"m\"\nkind = \"mastodon\"\nbase_url = \"https://m.example\"\nkeep = 3\n",
     ["syndicate.toml:8: destination.m.keep: unknown key (known here: base_url, enabled, image, kind, name, spoiler_text, template, visibility)"]),
    ("micropub without endpoint", base + "[[destination]]\nname = \"mp\"\nkind = \"micropub\"\n",
     ["syndicate.toml:4: destination.mp.endpoint: a micropub destination needs `endpoint` (the Micropub URL) or `me` (your site, which links to it)"]),
    ("command without run", base + "[[destination]]\nname = \"c\"\nkind = \"command\"\n",
     ["syndicate.toml:4: destination.c.run: required for a command destination: [\"/path/to/program\", \"arg\"]"]),
    ("webhook with base_url", base + "[[destination]]\nname = \"w\"\nkind = \"webhook\"\nbase_url = \"https://h.example\"\n",
     ["syndicate.toml:7: destination.w.base_url: a webhook destination takes its URL from the credential `url`, not base_url"]),
    ("mastodon without base_url", base + "[[destination]]\nname = \"m\"\nkind = \"mastodon\"\n",
     ["syndicate.toml:4: destination.m.base_url: required for a mastodon destination"]),
    ("bad visibility", base + "[[destination]]\nname = \"m\"\nkind = \"mastodon\"\nbase_url = \"https://m.example\"\nvisibility = \"everyone\"\n",
     ["syndicate.toml:8: destination.m.visibility: \"everyone\" is not one of: public, unlisted, private, direct"]),
    ("several problems at once", base.replacingOccurrences(of: "title = \"T\"", with: "title = 3")
        + "[[destination]]\nname = \"m\"\nkind = \"mastodon\"\nvisibility = \"everyone\"\nkeep = 3\n"
        + "[[destination]]\nname = \"c\"\nkind = \"command\"\nrun = \"/bin/true\"\n",
     ["syndicate.toml:2: site.title: expected a string, found int",
      "syndicate.toml:4: destination.m.base_url: required for a mastodon destination",
      "syndicate.toml:7: destination.m.visibility: \"everyone\" is not one of: public, unlisted, private, direct",
      "syndicate.toml:8: destination.m.keep: unknown key (known here: base_url, enabled, image, kind, name, spoiler_text, template, visibility)",
      "syndicate.toml:12: destination.c.run: expected a list of strings, the program first: [\"/path/to/program\", \"arg\"]"]),
]

@Suite("Destination kinds")
struct DestinationKindTests {
    @Test(arguments: brokenDestinations)
    func brokenDestinationNamesKeyAndLine(_ name: String, _ text: String, _ expected: [String]) {
        do {
            _ = try DestinationKinds.parseConfig(text)
            Issue.record("\(name): parsed without error")
        } catch let error as Diagnostics {
            #expect(error.items.map(\.description) == expected, "\(name)")
        } catch {
            Issue.record("\(name): unexpected error \(error)")
        }
    }

    @Test func theSampleSitesConfigLoadsWithItsFiveDestinations() throws {
        let config = try DestinationKinds.loadConfig(siteDirectory: repositoryRoot())
        #expect(config.destinations.map(\.kind) == ["mastodon", "bluesky", "x", "letterboxd", "webhook"])
    }

    /// A kind is one file plus one line in `DestinationKinds.all`; this is what makes the
    /// rest of the kit follow: a fake to test against, its secrets documented, its row in
    /// the README.
    @Test(arguments: DestinationKinds.all.map { $0.kindName })
    func everyKindHasAFakeCredentialsAndAReadmeRow(_ kind: String) throws {
        let type = try #require(DestinationKinds.named(kind))
        #expect(FakeServices.byKind[kind] != nil, "no fake for \(kind) in SyndicateTesting's FakeServices.byKind")

        let example = try String(contentsOf: repositoryRoot().appendingPathComponent("credentials.example"), encoding: .utf8)
        let sections = example.components(separatedBy: "# kind = \"").dropFirst()
        let section = try #require(sections.first { $0.hasPrefix(kind + "\"") }, "no `# kind = \"\(kind)\"` section in credentials.example")
        for key in type.credentialKeys {
            let documented = section.split(separator: "\n").contains { line in
                line.trimmingCharacters(in: CharacterSet(charactersIn: "# ")).hasPrefix(key + " = ")
            }
            #expect(documented, "credentials.example documents no `\(key)` for \(kind)")
        }

        let readme = try String(contentsOf: repositoryRoot().appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("\n| `\(kind)` |"), "no row for \(kind) in the README's destination table")
    }

    @Test func kindNamesAreUniqueAndWebSubIsNotOne() {
        let names = DestinationKinds.all.map { $0.kindName }
        #expect(Set(names).count == names.count)
        #expect(!names.contains("websub"))
    }
}
