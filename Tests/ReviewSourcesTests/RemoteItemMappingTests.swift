import Foundation
import Reviews
import ReviewSources
import Testing

/// `RemoteItem.review`: identity, slug, permalink, dates, image and the content hash.
@Suite struct RemoteItemMappingTests {
    static let published = Date(timeIntervalSince1970: 1_741_680_000)

    static func item(link: String = "https://reviews.example.org/2025/03/11/the-lighthouse/", slug: String? = nil,
                     html: String = "<p>Genre: Drama</p><p>Text of the review, long enough to be its first paragraph.</p>") -> RemoteItem {
        RemoteItem(id: "wordpress:7", link: link, slug: slug, title: "The Lighthouse", published: published,
                   modified: published.addingTimeInterval(3600), html: html, image: "/wp-content/uploads/still.jpg",
                   imageAlt: "Two keepers", imageCredit: "<p>Photo courtesy of A24</p>")
    }

    static func review(_ item: RemoteItem, firstSeen: Date? = nil) throws -> Review {
        guard case .review(let review) = item.review(site: HTMLFactsTests.site, only: [], firstSeen: firstSeen) else {
            throw Diagnostic(file: item.link, line: 1, key: "test", message: "not a review")
        }
        return review
    }

    @Test func identityPermalinkSlugDatesAndImage() throws {
        let review = try Self.review(Self.item())
        #expect(review.id == "wordpress:7")
        #expect(review.source == "https://reviews.example.org/2025/03/11/the-lighthouse/")
        #expect(review.permalink == review.source)
        #expect(review.slug == "the-lighthouse")
        #expect(review.date == Self.published)
        #expect(review.updated == Self.published.addingTimeInterval(3600))
        #expect(review.image == "https://reviews.example.org/wp-content/uploads/still.jpg")
        #expect(review.imageAlt == "Two keepers")
        #expect(review.imageCredit == "Photo courtesy of A24")
        #expect(try Self.review(Self.item(slug: "own-slug")).slug == "own-slug")
        #expect(try Self.review(Self.item(link: "https://reviews.example.org/?p=7")).slug == "wordpress-7")
    }

    @Test func aMissingDateTakesFirstSeenElseIsADiagnosticNamingTheURL() throws {
        var item = Self.item()
        item.published = nil
        let seen = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(try Self.review(item, firstSeen: seen).date == seen)
        guard case .problem(let problem) = item.review(site: HTMLFactsTests.site, only: [], firstSeen: nil) else {
            Issue.record("no diagnostic")
            return
        }
        #expect(problem.description == "https://reviews.example.org/2025/03/11/the-lighthouse/:1: date: the item has no readable publication date")
    }

    @Test func aLinkThatIsNotHTTPIsADiagnostic() {
        guard case .problem(let problem) = Self.item(link: "javascript:x()").review(site: HTMLFactsTests.site, only: [], firstSeen: nil) else {
            Issue.record("no diagnostic")
            return
        }
        #expect(problem.key == "link")
    }

    @Test func theHashIgnoresAHostMoveButNotAnEdit() throws {
        let body = "<p>Genre: Drama</p><p>See <a href=\"/about/\">about</a> for more on this long review paragraph.</p>"
        let before = try Self.review(Self.item(html: body))
        let moved = try Self.review(Self.item(link: "https://films.example.net/2025/03/11/the-lighthouse/", html: body))
        #expect(moved.html != before.html)
        #expect(moved.contentHash == before.contentHash)
        let edited = try Self.review(Self.item(html: body.replacingOccurrences(of: "Drama", with: "Horror")))
        #expect(edited.contentHash != before.contentHash)
        #expect(try Self.review(Self.item(html: body)).contentHash == before.contentHash)
    }
}
