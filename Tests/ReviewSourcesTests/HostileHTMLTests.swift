import Foundation
import Reviews
import ReviewSources
import Testing

/// Bodies no reviewer writes but a broken or hostile site may serve: each maps to a review
/// (or a diagnostic), never a crash or a hang.
@Suite struct HostileHTMLTests {
    static func map(_ html: String) -> RemoteItem.Mapped {
        RemoteItem(id: "feed:x", link: "https://blog.example/x/", title: "Post", published: Date(timeIntervalSince1970: 0), html: html)
            .review(site: HTMLFactsTests.site, only: [], firstSeen: nil)
    }

    @Test func deeplyNestedElementsAreNoStackOverflow() async throws {
        let depth = 100_000
        let html = String(repeating: "<div><span>", count: depth) + "<p>deep text</p>" + String(repeating: "</span></div>", count: depth)
        // Run on a task thread, whose stack is smaller than the main thread's.
        let mapped = await Task.detached { Self.map(html) }.value
        guard case .review(let review) = mapped else {
            Issue.record("not a review")
            return
        }
        #expect(review.html != nil)
    }

    @Test(arguments: [
        "", "\u{0}<p>nul\u{0}byte</p>", "<<<>>>&&&;;", "<p", "</p></div></body></html><p>after the end</p>",
        "<html><head><base href=\"javascript:x()\"><meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\"></head><body onload=\"x()\"><p>Body</p></body></html>",
        "<!DOCTYPE html [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><p>&x;</p>",
        String(repeating: "<p>Genre: Drama</p>", count: 20_000),
    ])
    func oddBodiesMapWithoutCrashing(_ html: String) throws {
        guard case .review(let review) = Self.map(html) else {
            Issue.record("not a review")
            return
        }
        let body = try #require(review.html)
        #expect(!body.contains("javascript") && !body.contains("onload") && !body.contains("refresh") && !body.contains("root:"))
    }
}
