import Foundation
import Posting
import Reviews
import Testing

/// Templates are Mustache: the variables behave as strings do in any Mustache template.
@Suite("Template variables in Mustache")
struct TemplateFeaturesTests {
    static let variables: TemplateVariables = {
        var review = Review(source: "reviews/x.md", title: "Last Take", date: Date(timeIntervalSince1970: 0), slug: "last-take",
                            summary: "A moving tribute.")
        review.year = 2025
        review.genres = ["Crime"]
        let site = Site(directory: URL(fileURLWithPath: "/tmp"), config: SiteConfig(site: SiteSettings(title: "T", url: "https://r.test")), reviews: [])
        return TemplateVariables(review: review, site: site)
    }()

    @Test(arguments: [
        ("{{title}}", "Last Take"),
        ("{{uppercased(title)}}", "LAST TAKE"),
        ("{{lowercased(title)}}", "last take"),
        ("{{#year}}({{year}}){{/year}}", "(2025)"),
        ("{{#year}}{{title}} {{year}}{{/year}}", "Last Take 2025"),
        ("{{#year}}{{.}}{{/year}}", "2025"),
        ("{{^headline}}no headline{{/headline}}", "no headline"),
        ("{{#headline}}{{headline}}{{/headline}}-", "-"),
        ("{{#title}}{{uppercased(.)}}{{/title}}", "LAST TAKE"),
        ("{{#empty(title)}}e{{/empty(title)}}{{^empty(title)}}full{{/empty(title)}}", "full"),
        ("{{hashtags}} <{{url}}>", "#Crime <https://r.test/reviews/last-take/>"),
        ("{{missing}}|{{#missing}}x{{/missing}}", "|"),
    ])
    func rendersLikeStrings(_ template: String, _ expected: String) throws {
        let text = try Composer(template: template, rule: .unlimited).compose(Self.variables).text
        #expect(text == expected)
    }
}
