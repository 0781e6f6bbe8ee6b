import Foundation
import SyndicateTesting
import Testing

/// Posting from a remote source (a feed on the strict fake blog) with the real binary:
/// docs/SPEC.md §9 "Remote sources in general" and §6's adoption, at command level.
@Suite("Posting from a feed, end to end", .serialized)
struct RemoteSourcePostingEndToEndTests {
    let pinned = ["SYNDICATE_NOW": "2025-06-01T12:00:00Z", "NO_COLOR": "1"]
    static let day: TimeInterval = 86400
    static let start = Date(timeIntervalSince1970: 1_741_600_000) // 2025-03-10

    func syndicate(_ arguments: [String], _ site: TemporarySite) throws -> ProcessResult {
        try runBounded(arguments + ["--site", site.directory.path], seconds: 30, environment: pinned)
    }

    func site(feed url: String, hook: FakeServer) throws -> TemporarySite {
        let site = try TemporarySite(config: TemporarySite.config(extra: """
        [source]
        kind = "feed"
        url = "\(url)"
        only = ["Reviews"]

        [[destination]]
        name = "hook"
        kind = "webhook"
        """))
        try site.write("credentials", "[hook]\nurl = \"\(hook.baseURL)/hook\"\n")
        chmod(site.directory.appendingPathComponent("credentials").path, 0o600)
        return site
    }

    func rows(_ site: TemporarySite, _ arguments: [String] = []) throws -> [[String: Any]] {
        let result = try syndicate(["status", "--json"] + arguments, site)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    }

    func slugs(_ hook: FakeServer) -> [String?] {
        hook.requests.map { ($0.json?["review"] as? [String: Any])?["slug"] as? String }
    }

    @Test func adoptionThenNewItemsOnlyWithOneReadPerRunAndTheLastGoodCopy() throws {
        let blog = try FakeFeedSite()
        blog.add(FakeFeedSite.Post(id: 101, slug: "first-review", title: "First Review", date: Self.start,
                                   body: "<p>Genre: Drama</p><p>A patient film.</p>"),
                 FakeFeedSite.Post(id: 102, slug: "second-review", title: "Second Review", date: Self.start.addingTimeInterval(Self.day),
                                   body: "<p>A loud film.</p>"))
        let hook = try FakeServer(responses: [.json(200, "{\"url\":\"https://hook.test/1\"}")])
        let site = try site(feed: blog.rssURL, hook: hook)

        // A new site: the dry run says what the first post will adopt; the first post adopts.
        let dry = try syndicate(["post", "--dry-run"], site)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("would adopt 2 reviews already published for hook"), "\(dry.stdout)")
        let first = try syndicate(["post"], site)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("adopted 2 reviews already published for hook"), "\(first.stderr)")
        #expect(hook.requests.isEmpty)
        #expect(try rows(site).map { $0["review"] as? String } == ["first-review", "second-review"])
        let readsBefore = blog.requests.count

        // A later item, dated before the others: new by presence. Its identity is the
        // WordPress post id the guid names; `status` shows, and takes, the slug or the identity.
        blog.add(FakeFeedSite.Post(id: 104, slug: "backdated-review", title: "Backdated", date: Self.start.addingTimeInterval(-30 * Self.day),
                                   body: "<p>An old film, reviewed late.</p>"))
        let second = try syndicate(["post"], site)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(slugs(hook) == ["backdated-review"])
        #expect(blog.requests.count == readsBefore + 1, "one read per run")
        #expect(try rows(site, ["wordpress:104"]).map { $0["review"] as? String } == ["backdated-review"])
        #expect(try rows(site, ["backdated-review"]).first?["adopted"] as? Bool == false)

        // Edited and moved to a new host: flagged, never posted again. A no-op run reads once
        // (a conditional read) and sends nothing: no idle marker for a remote source.
        let readsBeforeEdit = blog.requests.count
        blog.edit(101, body: "<p>Genre: Drama</p><p>A patient film, on second thought.</p>", at: Self.start.addingTimeInterval(40 * Self.day))
        blog.moveLinks(to: "new-home.example")
        let edited = try syndicate(["post"], site)
        #expect(edited.status == 0, "\(edited.stderr)")
        let quiet = try syndicate(["post"], site)
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(hook.requests.count == 1)
        #expect(blog.requests.count == readsBeforeEdit + 2, "one read per run")
        #expect(blog.requests.last?.header("If-None-Match") != nil)
        #expect(try rows(site, ["first-review"]).first?["changed_since_posted"] as? Bool == true)

        // The feed fails, and an item is gone meanwhile: the last good copy is used, said in
        // one line naming the URL, exit 1; nothing is sent, nothing taken as deleted.
        blog.remove(102)
        blog.override(.text(500, "database error"))
        let failed = try syndicate(["post"], site)
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(failed.stderr.split(separator: "\n").contains { $0.hasPrefix("\(blog.rssURL):1: feed: HTTP 500") && $0.hasSuffix("used the last good copy of the reviews") },
                "\(failed.stderr)")
        #expect(hook.requests.count == 1)
        let status = try syndicate(["status"], site)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("second-review"))
        #expect(try rows(site).count == 3)
        #expect(try syndicate(["post"], site).status == 0, "the feed is back, without the removed item")
        #expect(try rows(site, ["second-review"]).count == 1, "a deleted item keeps its deliveries")
        #expect(hook.requests.count == 1)
    }

    @Test func aFeedWithNoCopyStopsPostingWithStatus2() throws {
        let hook = try FakeServer(responses: [.json(200, "{}")])
        let site = try site(feed: "http://127.0.0.1:1/feed/", hook: hook)
        for command in [["post"], ["status"], ["preview"]] {
            let result = try syndicate(command, site)
            #expect(result.status == 2, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("http://127.0.0.1:1/feed/:1: feed: "), "\(command): \(result.stderr)")
            #expect(result.stderr.contains("the reviews cannot be read from the source"), "\(command): \(result.stderr)")
        }
        #expect(hook.requests.isEmpty)
    }

    /// A WordPress site with no `reviews/` folder at all: posting needs only the source. The
    /// identity is the post id; a no-op `post` makes one cheap read (`modified_after`) and sends
    /// nothing; a new post is posted once.
    @Test func postingFromWordPressKeysOnThePostIdAndANoOpRunReadsOnlyWhatChanged() throws {
        let now = Date(timeIntervalSince1970: 1_748_779_200) // 2025-06-01T12:00:00Z
        func post(_ id: Int, daysAgo: Double) -> FakeWordPress.Post {
            FakeWordPress.Post(id: id, slug: "review-\(id)", title: "Review \(id)", content: "<p>Genre: Drama</p><p>Film \(id) is good.</p>",
                               date: now.addingTimeInterval(-daysAgo * Self.day))
        }
        let wordpress = try FakeWordPress(posts: [post(1, daysAgo: 9), post(2, daysAgo: 3)])
        let hook = try FakeServer(responses: [.json(200, "{}")])
        let site = try TemporarySite(config: TemporarySite.config(extra: """
        [source]
        kind = "wordpress"
        url = "\(wordpress.homeURL)"

        [[destination]]
        name = "hook"
        kind = "webhook"
        """))
        try FileManager.default.removeItem(at: site.directory.appendingPathComponent("reviews"))
        try site.write("credentials", "[hook]\nurl = \"\(hook.baseURL)/hook\"\n")
        chmod(site.directory.appendingPathComponent("credentials").path, 0o600)

        let first = try syndicate(["post"], site)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("adopted 2 reviews already published for hook"), "\(first.stderr)")
        // Published now with an earlier date, as a backdated WordPress post is: modified now.
        var backdated = post(3, daysAgo: 20)
        backdated.modified = now
        wordpress.add(backdated)
        let second = try syndicate(["post"], site)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(slugs(hook) == ["review-3"])
        #expect(try rows(site, ["wordpress:3"]).map { $0["review"] as? String } == ["review-3"])

        let before = wordpress.postsRequests.count
        let idle = try syndicate(["post"], site)
        #expect(idle.status == 0, "\(idle.stderr)")
        let later = wordpress.postsRequests.dropFirst(before)
        #expect(later.count == 1 && later.first?.query.contains("modified_after") == true, "\(later.map(\.query))")
        #expect(hook.requests.count == 1)
    }
}
