import Foundation
import Reviews
import Testing

/// Liquid tags and Hugo shortcodes never reach a feed or a post verbatim (docs/SPEC.md §9):
/// what each becomes, in the HTML of the feeds, the plain text of posts and the summary.
@Suite("Template tags in reviews")
struct TemplateTagsTests {
    private let base = URL(string: "https://reviews.test/reviews/the-film/")!
    private let links = TemplateTags.Links(siteURL: "https://example.github.io/blog") { name in "https://reviews.test/posts/\(name)/" }

    @Test(arguments: [
        // Links and videos become links.
        ("See [the other one]({% post_url 2024-05-01-other %}).",
         "<p>See <a href=\"https://reviews.test/posts/2024-05-01-other/\">the other one</a>.</p>\n"),
        ("[About]({% link about.md %})", "<p><a href=\"https://reviews.test/posts/about.md/\">About</a></p>\n"),
        ("{{< youtube dQw4w9WgXcQ >}}",
         "<p><a href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\">https://www.youtube.com/watch?v=dQw4w9WgXcQ</a></p>\n"),
        ("{{< youtube id=\"abc_123\" >}}", "<p><a href=\"https://www.youtube.com/watch?v=abc_123\">https://www.youtube.com/watch?v=abc_123</a></p>\n"),
        ("{{< vimeo_simple 48912912 >}}", "<p><a href=\"https://vimeo.com/48912912\">https://vimeo.com/48912912</a></p>\n"),
        ("{{< tweet user=\"SanDiegoZoo\" id=\"1453110110599868418\" >}}",
         "<p><a href=\"https://x.com/SanDiegoZoo/status/1453110110599868418\">https://x.com/SanDiegoZoo/status/1453110110599868418</a></p>\n"),
        ("{{< tweet user=\"a/../b\" id=\"1\" >}}\n\nText.", "<p>Text.</p>\n"),
        ("{{<vimeo 146022717>}}", "<p><a href=\"https://vimeo.com/146022717\">https://vimeo.com/146022717</a></p>\n"),
        ("{% youtube xyz %}", "<p><a href=\"https://www.youtube.com/watch?v=xyz\">https://www.youtube.com/watch?v=xyz</a></p>\n"),
        ("{{< figure src=\"/images/still.jpg\" alt=\"A still\" caption=\"Credit: A24\" >}}",
         "<p><img src=\"https://reviews.test/images/still.jpg\" alt=\"A still\" /></p>\n"),
        ("{{< figure src=\"poster.jpg\" caption=\"The [poster]\" >}}",
         "<p><img src=\"https://reviews.test/reviews/the-film/poster.jpg\" alt=\"The [poster]\" /></p>\n"),
        // The site's own address, as Jekyll posts write it inside links.
        // (A path from the host's root, resolved like every link against the review's page.)
        ("![A still]({{ site.baseurl }}/assets/still.jpg)", "<p><img src=\"https://reviews.test/blog/assets/still.jpg\" alt=\"A still\" /></p>\n"),
        ("[Home]({{ site.url }}{{ site.baseurl }}/)", "<p><a href=\"https://example.github.io/blog/\">Home</a></p>\n"),
        ("[CV]({{ \"/cv.pdf\" | relative_url }})", "<p><a href=\"https://reviews.test/blog/cv.pdf\">CV</a></p>\n"),
        ("[CV]({{ 'cv.pdf' | absolute_url }})", "<p><a href=\"https://example.github.io/blog/cv.pdf\">CV</a></p>\n"),
        // Everything else is removed; what a paired one encloses stays.
        ("Before {{ page.title | upcase }} after.", "<p>Before  after.</p>\n"),
        ("A {%- include note.html -%} B", "<p>A  B</p>\n"),
        ("{{% notice warning %}}\nSpoilers ahead.\n{{% /notice %}}", "<p>Spoilers ahead.</p>\n"),
        ("{{< instagram BWNjjyYFxVx >}}\n\nText.", "<p>Text.</p>\n"),
        ("{% if site.x %}Shown{% endif %}", "<p>Shown</p>\n"),
        ("One.\n\n{% comment %}\nA note to self {{ x }}.\n{% endcomment %}\n\nTwo.", "<p>One.</p>\n<p>Two.</p>\n"),
        // Text the site shows as written.
        ("{% raw %}Write {{ page.title }}{% endraw %} to print it.", "<p>Write {{ page.title }} to print it.</p>\n"),
        ("Use {{</* youtube id */>}} for videos.", "<p>Use {{&lt; youtube id &gt;}} for videos.</p>\n"),
        // Highlighting becomes a code block.
        ("{% highlight ruby %}\nputs 1\n{% endhighlight %}", "<pre><code class=\"language-ruby\">puts 1\n</code></pre>\n"),
        ("{{< highlight go >}}\nfmt.Println()\n{{< /highlight >}}", "<pre><code class=\"language-go\">fmt.Println()\n</code></pre>\n"),
        // Code is the author's text: left alone.
        ("Hugo writes `{{< youtube id >}}` inline.", "<p>Hugo writes <code>{{&lt; youtube id &gt;}}</code> inline.</p>\n"),
        ("> A quote with `{{ code }}` and {{ gone }}.", "<blockquote>\n<p>A quote with <code>{{ code }}</code> and .</p>\n</blockquote>\n"),
        ("```\n{% post_url x %}\n{{ y }}\n```\nAfter {{ z }}", "<pre><code>{% post_url x %}\n{{ y }}\n</code></pre>\n<p>After</p>\n"),
        ("    {{ indented code }}\n\nText {{ t }}.", "<pre><code>{{ indented code }}\n</code></pre>\n<p>Text .</p>\n"),
        // Braces that close nothing are text.
        ("A set {{ never closed.", "<p>A set {{ never closed.</p>\n"),
        ("{ single } and {%", "<p>{ single } and {%</p>\n"),
    ])
    func htmlOfTheFeeds(_ markdown: String, _ html: String) {
        #expect(Markdown.html(markdown, base: base, links: links) == html)
    }

    @Test(arguments: [
        ("{{< youtube abc >}}\n\nThe review.", "https://www.youtube.com/watch?v=abc\n\nThe review."),
        ("{% include ad.html %}\n\nThe review {{ page.x }} proper.", "The review proper."),
        ("See [it]({% post_url 2024-01-01-it %}).", "See it."),
    ])
    func plainTextOfPosts(_ markdown: String, _ text: String) {
        #expect(Markdown.plainText(markdown) == text)
    }

    @Test func theSummaryHasNoTagsEitherWay() {
        #expect(Markdown.firstParagraphText("{% include header.html %}\n\nThe {{ site.title }} review begins.") == "The review begins.")
        #expect(TemplateTags.plainText("A {{< youtube x >}} summary {% raw %}{{ kept }}{% endraw %}.") == "A <https://www.youtube.com/watch?v=x> summary {{ kept }}.")
    }

    @Test func aFileFullOfOpenBracesStaysLinear() {
        let text = String(repeating: "{{ {% ", count: 50_000)
        let start = Date()
        _ = Markdown.html(text, base: base)
        #expect(Date().timeIntervalSince(start) < 5)
    }
}
