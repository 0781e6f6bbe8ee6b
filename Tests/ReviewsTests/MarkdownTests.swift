import Foundation
import Reviews
import Testing

/// cmark-gfm, linked with its extensions: what the feeds' HTML relies on.
@Suite("Markdown")
struct MarkdownTests {
    private let base = URL(string: "https://films.example.org/reviews/heat/")!

    @Test func githubExtensionsAreRegistered() {
        let html = Markdown.html("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ and www.example.com\n", base: base)
        #expect(html.contains("<table>"))
        #expect(html.contains("<del>gone</del>"))
        #expect(html.contains("<a href=\"http://www.example.com\">www.example.com</a>"))
    }

    @Test func rawHTMLIsNotPassedThrough() {
        let html = Markdown.html("Before\n\n<script>alert(1)</script>\n\nAfter <b>bold</b>\n", base: base)
        #expect(!html.contains("<script>"))
        #expect(!html.contains("<b>"))
        #expect(html.contains("raw HTML omitted"))
    }

    @Test func linksAndImagesAreMadeAbsolute() {
        let html = Markdown.html("[site](/about) and ![still](still.jpg)\n", base: base)
        #expect(html.contains("href=\"https://films.example.org/about\""))
        #expect(html.contains("src=\"https://films.example.org/reviews/heat/still.jpg\""))
    }

    @Test func plainTextAndFirstParagraph() {
        let markdown = "First *para*\ngraph.\n\n- one\n- two\n"
        #expect(Markdown.firstParagraphText(markdown) == "First para graph.")
        #expect(Markdown.plainText(markdown) == "First para graph.\n\n• one\n\n• two")
    }
}
