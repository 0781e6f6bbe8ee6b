import Foundation
import Reviews
import Testing

private let base = """
[site]
title = "T"
url = "https://example.org/"

"""

/// Each broken config and the exact lines `syndicate check` prints for it. The problems of a
/// destination's own keys, which only its kind knows, are in DestinationKindTests.
private let brokenConfigs: [(String, String, [String])] = [
    ("unknown site key", base.replacingOccurrences(of: "title = \"T\"", with: "title = \"T\"\ntitel = \"x\""),
     ["syndicate.toml:3: site.titel: unknown key (known here: author, description, language, permalink, timezone, title, url)"]),
    ("unknown table", base + "[feed]\nitems = 3\n",
     ["syndicate.toml:4: feed: unknown key (known here: destination, feeds, images, ledger, post, site, source)"]),
    ("wrong type", base + "[feeds]\nitems = \"50\"\n",
     ["syndicate.toml:5: feeds.items: expected a whole number, found string"]),
    ("out of range", base + "[feeds]\nitems = 0\n",
     ["syndicate.toml:5: feeds.items: 0 is out of range 1...1000000"]),
    ("bad url", "[site]\ntitle = \"T\"\nurl = \"example.org\"\n",
     ["syndicate.toml:3: site.url: \"example.org\" is not an absolute http(s) URL"]),
    ("password in site url", "[site]\ntitle = \"T\"\nurl = \"https://me:hunter22@example.org\"\n",
     ["syndicate.toml:3: site.url: must not contain a user name or password (it would be published in every feed)"]),
    ("user in site url", "[site]\ntitle = \"T\"\nurl = \"https://me@example.org\"\n",
     ["syndicate.toml:3: site.url: must not contain a user name or password (it would be published in every feed)"]),
    ("password in hub url", base + "[feeds]\nhub = \"https://me:hunter22@hub.example.org/\"\n",
     ["syndicate.toml:5: feeds.hub: must not contain a user name or password (it would be published in every feed)"]),
    ("missing site", "[feeds]\nitems = 5\n", ["syndicate.toml:1: site: missing [site] table"]),
    ("missing title", "[site]\nurl = \"https://example.org\"\n", ["syndicate.toml:1: site.title: required"]),
    ("bad duration", base + "[post]\nbackoff_base = \"30\"\n",
     ["syndicate.toml:5: post.backoff_base: \"30\" is not a duration like \"30s\", \"5m\" or \"6h\""]),
    ("interval too short", base + "[post]\ninterval = \"500ms\"\n",
     ["syndicate.toml:5: post.interval: \"500ms\" is out of range: at least 1s"]),
    ("lease too short", base + "[ledger]\nlease = \"1s\"\n",
     ["syndicate.toml:5: ledger.lease: \"1s\" is out of range: at least 2s"]),
    ("interval too long", base + "[post]\ninterval = \"2d\"\n",
     ["syndicate.toml:5: post.interval: \"2d\" is out of range: at most 1d"]),
    ("duplicate name", base + "[[destination]]\nname = \"a\"\nkind = \"x\"\n[[destination]]\nname = \"a\"\nkind = \"bluesky\"\n",
     ["syndicate.toml:8: destination.a.name: duplicate destination name \"a\" (first used at line 4)"]),
    ("reserved name", base + "[[destination]]\nname = \"websub\"\nkind = \"webhook\"\n",
     ["syndicate.toml:5: destination[0].name: \"websub\" is reserved: choose another name (reserved: ledger, websub)"]),
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

    /// Without a kind's check, a destination's own keys are kept as written, with their lines.
    @Test func destinationKeysAreKeptAsWritten() throws {
        let config = try ConfigLoader.parse(base + "[[destination]]\nname = \"c\"\nkind = \"anything\"\nrun = [\"/bin/x\", 2]\nenabled = false\n")
        let destination = try #require(config.destinations.first)
        #expect((destination.name, destination.kind, destination.enabled, destination.line) == ("c", "anything", false, 4))
        #expect(destination.table.values["run"] == ConfigValue(.array([.string("/bin/x"), .integer(2)]), line: 7))
        #expect(destination.table.knownKeys == ["name", "kind", "enabled", "template"])
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
        #expect(config.post.interval == 300, "post --watch rereads the source every 5 minutes by default")
        #expect(config.post.since == SiteDate.parse("2025-01-01", timeZone: config.site.timeZone))
        #expect(config.destinations.map(\.name) == ["mastodon", "bluesky", "x", "letterboxd", "discord"])
        #expect(config.destinations.map(\.kind) == ["mastodon", "bluesky", "x", "letterboxd", "webhook"])
        #expect(config.destinations.allSatisfy { !$0.enabled })
        #expect(config.destinations[4].table.values["format"] == ConfigValue(.string("discord"), line: 57))
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
        ("/critiques/été/{slug}/", "ça", "https://example.org/critiques/été/ça/"),
        // The date in site.timezone (New York): 02:30 UTC on March 1 is still February 28 there.
        ("/{year}/{month}/{day}/{slug}/", "late", "https://example.org/2025/02/28/late/"),
        ("/{year}/{slug}.html", "y", "https://example.org/2025/y.html"),
        ("/archive/{year}-{month}/", "ignored", "https://example.org/archive/2025-02/"),
    ])
    func placeholdersAreFilledIn(_ pattern: String, _ slug: String, _ expected: String) throws {
        #expect(PermalinkPattern.problem(pattern) == nil)
        let settings = SiteSettings(title: "T", url: "https://example.org", timeZone: try #require(TimeZone(identifier: "America/New_York")), permalink: pattern)
        let date = try #require(SiteDate.parse("2025-03-01T02:30:00Z", timeZone: .gmt))
        #expect(settings.permalink(slug: slug, date: date) == expected)
    }

    @Test(arguments: [
        ("/{slu}/{slug}/", "unknown placeholder {slu} (known: {slug} {year} {month} {day})"),
        ("/{title}/", "unknown placeholder {title} (known: {slug} {year} {month} {day})"),
        ("/reviews/{slug", "\"/reviews/{slug\" has a \"{\" with no \"}\" (placeholders: {slug} {year} {month} {day})"),
        ("/static/", "\"/static/\" has no placeholder, so every review would have this one URL: add {slug}, like \"/reviews/{slug}/\""),
        ("{slug}", "\"{slug}\" must start with \"/\", like \"/reviews/{slug}/\""),
    ])
    func badPatternsAreConfigErrorsOnTheirLine(_ pattern: String, _ message: String) {
        let text = TemporarySite.config().replacingOccurrences(of: "timezone = \"America/New_York\"",
                                                               with: "timezone = \"America/New_York\"\npermalink = \"\(pattern)\"")
        #expect(throws: Diagnostics.self) { try ConfigLoader.parse(text) }
        do {
            _ = try ConfigLoader.parse(text)
        } catch let error as Diagnostics {
            #expect(error.items.map(\.description) == ["syndicate.toml:8: site.permalink: \(message)"])
        } catch {
            Issue.record("\(error)")
        }
    }
}

/// A diagnostic is one line whatever its file name, key or message holds.
@Suite("Diagnostics stay one line")
struct DiagnosticLineTests {
    @Test(arguments: [
        (Diagnostic(file: "reviews/bad\nname.md", line: 2, key: "date", message: "expected a date"), "reviews/bad\\nname.md:2: date: expected a date"),
        (Diagnostic(file: "reviews/tab\there.md", line: 1, key: "title", message: "found \"a\r\nb\""), "reviews/tab\\there.md:1: title: found \"a\\r\\nb\""),
        (Diagnostic(file: "reviews/ok.md", line: 1, key: "title", message: "fine, é"), "reviews/ok.md:1: title: fine, é"),
    ])
    func controlCharactersAreEscaped(_ diagnostic: Diagnostic, _ expected: String) {
        #expect(diagnostic.description == expected)
    }
}

/// Valid TOML where the brackets and braces TOMLPreflight looks for are in strings, comments
/// or nested values: refused by nothing (the forms toml++ aborts on are in FuzzFindingsTests).
private let validTrickyConfigs: [String] = [
    base + "[[destination]]\nname = \"a\"\nkind = \"x\"\ntemplate = \"[} {{title}}\"\n",
    base + "[[destination]]\nname = \"a\"\nkind = \"x\"\ntemplate = '''\n[=\n[[ ?\n}'''\n",
    base + "[[destination]]\nname = \"a\"\nkind = \"x\"\ntemplate = \"\"\"\n[=\n\\\" [} \\\"\"\"\"\"\n",
    base + "[[destination]]\nname = \"a\"\nkind = \"x\"\nrun = [ # [}\n  \"/bin/x\", # ,}\n  \"[=\",\n]\n",
    base + "[[destination]]\nname = \"a\"\nkind = \"x\"\nopts = [\n  [1, 2],\n  { b = [ \"}\" ] },\n]\n",
    base + "[ \"feeds\" ]\nitems = 3\n[[ 'destination' ]]\nname = \"a\"\nkind = \"x\"\n",
]

extension ConfigTests {
    @Test(arguments: validTrickyConfigs)
    func bracketsInStringsAndNestedValuesAreNoSyntaxError(_ text: String) throws {
        let config = try ConfigLoader.parse(text)
        #expect(config.destinations.count == 1)
    }
}
