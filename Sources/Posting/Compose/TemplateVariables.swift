import Foundation
import Reviews

/// The variables every post template can use (docs/SPEC.md §7). Absent facts are left out, so a
/// section like `{{#year}} ({{year}}){{/year}}` disappears when the year is unknown.
public struct TemplateVariables: Sendable, Equatable {
    public var values: [String: String]

    public init(review: Review, site: Site) {
        var values: [String: String] = [
            "title": review.title,
            "summary": review.summary,
            "url": site.permalink(review),
            "kind": review.kind,
        ]
        values["headline"] = review.headline
        values["year"] = review.year.map(String.init)
        values["verdict"] = review.verdict
        values["rating"] = review.rating.map(RatingStars.text)
        values["rating_number"] = review.rating.map { $0 == $0.rounded() ? String(Int($0)) : String($0) }
        values["where_to_watch"] = review.whereToWatch
        if !review.genres.isEmpty {
            values["genres"] = review.genres.joined(separator: ", ")
            values["hashtags"] = review.genres.map(Hashtag.make).filter { $0.count > 1 }.joined(separator: " ")
        }
        if !review.directors.isEmpty { values["directors"] = review.directors.joined(separator: ", ") }
        self.values = values.filter { !$0.value.isEmpty }
    }
}

/// Hashtags from genre names: "Science Fiction" → "#ScienceFiction", "Film-Noir" → "#FilmNoir".
public enum Hashtag {
    public static func make(_ name: String) -> String {
        let words = name.split { !($0.isLetter || $0.isNumber) }
        return "#" + words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
