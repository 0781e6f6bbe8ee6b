import Foundation
import Reviews
import ReviewSources
import Testing

/// A remote body reaches feeds as Markdown output would: nothing that runs, loads by itself
/// or points at another scheme; links absolute against the item's link (docs/SPEC.md §9).
@Suite struct HTMLSanitizerTests {
    static func html(_ body: String) throws -> String {
        let item = RemoteItem(id: "feed:x", link: "https://reviews.example.org/2025/03/post/", title: "Post",
                              published: Date(timeIntervalSince1970: 0), html: body)
        guard case .review(let review) = item.review(site: HTMLFactsTests.site, only: [], firstSeen: nil) else {
            Issue.record("not a review")
            return ""
        }
        return try #require(review.html)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var input: String
        var output: String
        var testDescription: String { input }
    }

    @Test(arguments: [
        Case(input: "<p>Hi<script>alert(1)</script> there</p>", output: "<p>Hi there</p>"),
        Case(input: "<style>p{}</style><p>Text</p>", output: "<p>Text</p>"),
        Case(input: "<p onclick=\"steal()\" class=\"x\" style=\"color:red\">Text</p>", output: "<p>Text</p>"),
        Case(input: "<p><a href=\"javascript:steal()\">x</a></p>", output: "<p><a>x</a></p>"),
        Case(input: "<p><a href=\"  java\tscript:steal()\">x</a></p>", output: "<p><a>x</a></p>"),
        Case(input: "<p><a href=\"/other/\" onmouseover=\"x()\">x</a></p>", output: "<p><a href=\"https://reviews.example.org/other/\">x</a></p>"),
        Case(input: "<p><a href=\"../up\">x</a> <a href=\"#n\">y</a></p>",
             output: "<p><a href=\"https://reviews.example.org/2025/03/up\">x</a> <a href=\"https://reviews.example.org/2025/03/post/#n\">y</a></p>"),
        Case(input: "<p><a href=\"mailto:me@example.org\">me</a></p>", output: "<p><a href=\"mailto:me@example.org\">me</a></p>"),
        Case(input: "<p><img src=\"data:image/png;base64,AAAA\" alt=\"x\"></p><p>After</p>", output: "<p>After</p>"),
        Case(input: "<figure><img src=\"/a.jpg\" srcset=\"/a-2x.jpg 2x\" alt=\"A &amp; B\" loading=\"lazy\"><figcaption>Credit</figcaption></figure>",
             output: "<figure><img src=\"https://reviews.example.org/a.jpg\" alt=\"A &amp; B\"><figcaption>Credit</figcaption>\n</figure>"),
        Case(input: "<iframe src=\"https://video.example/embed/1\" onload=\"x()\"></iframe><p>Text</p>",
             output: "<p><a href=\"https://video.example/embed/1\">https://video.example/embed/1</a></p>\n<p>Text</p>"),
        Case(input: "<iframe src=\"javascript:x()\"></iframe><iframe srcdoc=\"<script>x()</script>\"></iframe><p>Text</p>", output: "<p>Text</p>"),
        Case(input: "<object data=\"x.swf\"></object><form action=\"/x\"><input name=\"q\"></form><p>Text</p>", output: "<p>Text</p>"),
        Case(input: "<div class=\"wp-block\"><span>Kept</span> <font color=red>text</font></div>", output: "Kept text"),
        Case(input: "<p>5 &lt; 6 &amp; &quot;quotes&quot;</p>", output: "<p>5 &lt; 6 &amp; \"quotes\"</p>"),
        Case(input: "<p><!-- a comment --><em>Em</em><strong>Strong</strong></p>", output: "<p><em>Em</em><strong>Strong</strong></p>"),
        Case(input: "<svg><script>x()</script></svg><math></math><p>T</p>", output: "<p>T</p>"),
        Case(input: "<p>unclosed <b>bold", output: "<p>unclosed <b>bold</b></p>"),
    ])
    func sanitised(_ test: Case) throws {
        let sanitised = try Self.html(test.input)
        #expect(sanitised == test.output)
    }
}
