import Foundation
import Reviews
import Testing

private let base = """
[site]
title = "T"
url = "https://example.org/"

"""

/// Each broken config and the exact lines `syndicate check` prints for it.
private let brokenConfigs: [(String, String, [String])] = [
    ("unknown site key", base.replacingOccurrences(of: "title = \"T\"", with: "title = \"T\"\ntitel = \"x\""),
     ["syndicate.toml:3: site.titel: unknown key (known here: author, description, language, permalink, timezone, title, url)"]),
    ("unknown table", base + "[feed]\nitems = 3\n",
     ["syndicate.toml:4: feed: unknown key (known here: destination, feeds, post, site)"]),
    ("wrong type", base + "[feeds]\nitems = \"50\"\n",
     ["syndicate.toml:5: feeds.items: expected a whole number, found string"]),
    ("out of range", base + "[feeds]\nitems = 0\n",
     ["syndicate.toml:5: feeds.items: 0 is out of range 1...1000000"]),
    ("bad url", "[site]\ntitle = \"T\"\nurl = \"example.org\"\n",
     ["syndicate.toml:3: site.url: \"example.org\" is not an absolute http(s) URL"]),
    ("missing site", "[feeds]\nitems = 5\n", ["syndicate.toml:1: site: missing [site] table"]),
    ("missing title", "[site]\nurl = \"https://example.org\"\n", ["syndicate.toml:1: site.title: required"]),
    ("bad duration", base + "[post]\nbackoff_base = \"30\"\n",
     ["syndicate.toml:5: post.backoff_base: \"30\" is not a duration like \"30s\", \"5m\" or \"6h\""]),
    ("unknown kind", base + "[[destination]]\nname = \"m\"\nkind = \"myspace\"\n",
     ["syndicate.toml:6: destination.m.kind: unknown kind \"myspace\" (one of: mastodon, bluesky, x, letterboxd, linkhub, micropub, webhook, command)"]),
    ("key of another kind", base + "[[destination]]\nname = \"m\"\nkind = \"mastodon\"\nbase_url = \"https://m.example\"\nkeep = 3\n",
     ["syndicate.toml:8: destination.m.keep: unknown key (known here: base_url, enabled, kind, name, spoiler_text, template, visibility)"]),
    ("duplicate name", base + "[[destination]]\nname = \"a\"\nkind = \"x\"\n[[destination]]\nname = \"a\"\nkind = \"bluesky\"\n",
     ["syndicate.toml:8: destination.a.name: duplicate destination name \"a\" (first used at line 4)"]),
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
    ("bad name", base + "[[destination]]\nname = \"my dest\"\nkind = \"x\"\n",
     ["syndicate.toml:5: destination[0].name: \"my dest\" must be letters, digits, \"-\" or \"_\" (it names the credentials table and SYNDICATE_<NAME>_<KEY> variables)"]),
]

@Suite("syndicate.toml")
struct ConfigTests {
    @Test(arguments: brokenConfigs)
    func brokenConfigNamesKeyAndLine(_ name: String, _ text: String, _ expected: [String]) {
        do {
            _ = try ConfigLoader.parse(text)
            Issue.record("\(name): parsed without error")
        } catch let error as Diagnostics {
            #expect(error.items.map(\.description) == expected, "\(name)")
        } catch {
            Issue.record("\(name): unexpected error \(error)")
        }
    }

    @Test func timeZoneMustBeKnown() throws {
        let text = "[site]\ntitle = \"T\"\nurl = \"https://e.org\"\ntimezone = \"Mars/Olympus\"\n"
        #expect(throws: Diagnostics.self) { try ConfigLoader.parse(text) }
        do { _ = try ConfigLoader.parse(text) } catch let error as Diagnostics {
            #expect(error.description == "syndicate.toml:4: site.timezone: unknown time zone \"Mars/Olympus\" (use an IANA name like \"America/New_York\")")
        }
    }

    @Test func syntaxErrorHasItsLine() {
        do {
            _ = try ConfigLoader.parse("[site]\ntitle = \"T\nurl = 3\n")
            Issue.record("parsed")
        } catch let error as Diagnostics {
            #expect(error.items.count == 1)
            #expect(error.items[0].line == 2)
            #expect(error.items[0].key == "syntax")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func sampleSiteConfigReadsEveryValue() throws {
        let config = try ConfigLoader.load(siteDirectory: SyndicateTestingRoot.url)
        #expect(config.site.url == "https://reviews.example.org")
        #expect(config.site.timeZone.identifier == "America/New_York")
        #expect(config.feeds.items == 50)
        #expect(config.post.backoffMax == 6 * 3600)
        #expect(config.post.since == SiteDate.parse("2025-01-01", timeZone: config.site.timeZone))
        #expect(config.destinations.map(\.name) == ["mastodon", "bluesky", "x", "letterboxd", "discord"])
        #expect(config.destinations[0].options["visibility"] == .string("public"))
        #expect(config.destinations[1].baseURL == "https://bsky.social")
        #expect(config.destinations[4].options["format"] == .string("discord"))
    }

    @Test(arguments: [("30s", 30.0), ("5m", 300), ("6h", 21600), ("1h30m", 5400), ("250ms", 0.25), ("2d", 172800)])
    func durations(_ text: String, _ seconds: Double) {
        #expect(DurationParser.seconds(text) == seconds)
    }

    @Test(arguments: ["30", "", "5x", "h", "1.5.5s"])
    func notDurations(_ text: String) {
        #expect(DurationParser.seconds(text) == nil)
    }
}

import SyndicateTesting

enum SyndicateTestingRoot {
    static var url: URL { repositoryRoot() }
}

@Suite("Permalinks")
struct PermalinkTests {
    @Test(arguments: [
        ("/reviews/{slug}/", "the-thing", "https://example.org/reviews/the-thing/"),
        ("/{slug}", "a", "https://example.org/a"),
        ("/r/{slug}/{slug}.html", "x-1", "https://example.org/r/x-1/x-1.html"),
        ("/static/", "ignored", "https://example.org/static/"),
        ("/{slu}/{slug}/{", "b", "https://example.org/{slu}/b/{"),
        ("/critiques/été/{slug}/", "ça", "https://example.org/critiques/été/ça/"),
        ("{slug}{slug}", "z", "https://example.orgzz"),
    ])
    func slugIsPutInEveryPlaceholder(_ pattern: String, _ slug: String, _ expected: String) {
        let settings = SiteSettings(title: "T", url: "https://example.org", permalink: pattern)
        #expect(settings.permalink(forSlug: slug) == expected)
    }
}
