import Foundation
import Reviews

/// What a feed says about itself, whatever its format.
public struct FeedChannel: Sendable {
    public var title: String
    public var description: String
    /// The site's home page.
    public var homeURL: String
    /// Where this very file is served (differs per format).
    public var selfURL: String
    public var hubURL: String?
    public var language: String
    public var author: String
    /// The newest change among the entries: the feed's date, never the clock.
    public var updated: Date?
    /// The newest publication date among the entries.
    public var published: Date?
}

/// One review as every feed format needs it, rendered once and shared by all the feeds it
/// belongs to.
public struct FeedEntry: Sendable {
    public var review: Review
    public var permalink: String
    /// Plain text.
    public var summary: String
    /// The full HTML (facts, then the body) when `full_content`, else nil.
    public var contentHTML: String?
    public var imageURL: String?
}

extension FeedEntry {
    /// Renders a review for the feeds: a remote review's sanitised HTML as its source gave it,
    /// or a file's body read again, Markdown to HTML; links made absolute, forbidden
    /// characters dropped. `now` says which reviews a Hugo `ref` may link to (the published ones).
    static func make(_ review: Review, site: Site, now: Date) throws -> FeedEntry {
        let permalink = site.permalink(review)
        var content: String?
        if site.config.feeds.fullContent {
            let body: String
            if let html = review.html {
                body = html
            } else {
                let url = site.directory.appendingPathComponent(review.source)
                guard case .success(let data) = RegularFile.read(url.path) else { throw FeedWriteError.cannotOpen(review.source) }
                let file = try ReviewFile.split(data, path: review.source)
                body = Markdown.html(file.body, base: URL(string: permalink)!, links: site.templateLinks(for: review, at: now))
            }
            content = XMLText.clean(EntryFacts.html(for: review, site: site) + body)
        }
        return FeedEntry(review: review, permalink: permalink,
                         summary: XMLText.clean(review.summary),
                         contentHTML: content,
                         imageURL: review.image.map { site.absoluteURL($0, relativeTo: review) })
    }
}

/// The facts block that opens each review's HTML in the feeds: headline, film facts and the
/// rating, so a reader sees in the feed what the site shows above the review.
enum EntryFacts {
    static func html(for review: Review, site: Site) -> String {
        var html = ""
        if let headline = review.headline { html += "<p><strong>\(escape(headline))</strong></p>\n" }
        var facts: [String] = []
        if !review.genres.isEmpty { facts.append(review.genres.joined(separator: ", ")) }
        if let year = review.year { facts.append(String(year)) }
        if let minutes = review.runtimeMinutes { facts.append(RuntimeFormat.text(minutes)) }
        if !review.directors.isEmpty { facts.append("Directed by " + review.directors.joined(separator: ", ")) }
        if let watch = review.whereToWatch { facts.append("Where to watch: " + watch) }
        if !facts.isEmpty { html += "<p>\(escape(facts.joined(separator: " · ")))</p>\n" }
        var judgement: [String] = []
        if let rating = review.rating { judgement.append("Rating: " + RatingStars.text(rating)) }
        if let verdict = review.verdict { judgement.append(verdict) }
        if !judgement.isEmpty { html += "<p>\(escape(judgement.joined(separator: " — ")))</p>\n" }
        if let image = review.image {
            let src = site.absoluteURL(image, relativeTo: review)
            html += "<p><img src=\"\(escape(src))\" alt=\"\(escape(review.imageAlt ?? ""))\"/></p>\n"
            if let credit = review.imageCredit { html += "<p><small>\(escape(credit))</small></p>\n" }
        }
        return html
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
