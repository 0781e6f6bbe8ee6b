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

/// Hugo's `ref` and `relref` link to the review they name, as Hugo resolves the name
/// (README "Template code in reviews"), through `Site.templateLinks(for:at:)`.
@Suite("Hugo ref and relref")
struct HugoRefTests {
    private static let now = date("2026-01-01")

    private static func date(_ day: String) -> Date {
        ISO8601DateFormatter().date(from: day + "T12:00:00Z")!
    }

    private static func review(_ source: String, _ slug: String, _ day: String, permalink: String? = nil, draft: Bool = false) -> Review {
        var review = Review(source: source, title: slug, date: date(day), slug: slug)
        review.permalink = permalink
        review.draft = draft
        return review
    }

    /// A Hugo site: the date of each review is its front matter's (no file name has one), and
    /// `site.permalink` puts it in the URL.
    private static let site = Site(
        directory: URL(fileURLWithPath: "/tmp/hugo-site"),
        config: SiteConfig(site: SiteSettings(title: "T", url: "https://reviews.test", permalink: "/{year}/{month}/{slug}/")),
        reviews: [
            review("content/reviews/the-holdovers.md", "the-holdovers", "2024-01-05"),
            review("content/reviews/past-lives/index.md", "past-lives", "2023-06-02"),
            review("content/reviews/2023/perfect-days.md", "perfect-days", "2023-12-20"),
            review("content/reviews/2024/perfect-days.md", "perfect-days-again", "2024-11-02"),
            review("content/reviews/anatomy.markdown", "anatomy-of-a-fall", "2024-01-10", permalink: "https://reviews.test/films/anatomy/"),
            review("content/reviews/unfinished.md", "unfinished", "2025-05-05", draft: true),
            review("content/reviews/later.md", "later", "2027-02-02"),
            review("content/reviews/aftersun.md", "aftersun", "2025-03-01"),
            review("content/reviews/2024/monster.md", "monster", "2024-12-12"),
            review("content/reviews/2024/fallen-leaves/index.md", "fallen-leaves", "2024-02-02"),
        ])

    /// `markdown` as the feeds render it in the review at `source`.
    private static func html(_ markdown: String, in source: String) -> String {
        let review = site.reviews.first { $0.source == source }!
        return Markdown.html(markdown, base: URL(string: site.permalink(review))!, links: site.templateLinks(for: review, at: now))
    }

    private static let holdovers = "https://reviews.test/2024/01/the-holdovers/"
    private static let aftersun = "https://reviews.test/2025/03/aftersun/"
    private static let monster = "https://reviews.test/2024/12/monster/"
    private static func link(_ url: String, _ text: String = "it") -> String { "<a href=\"\(url)\">\(text)</a>" }

    @Test(arguments: [
        // Every argument form, from content/reviews/aftersun.md.
        ("[the earlier review]({{< ref \"the-holdovers.md\" >}})", "content/reviews/aftersun.md",
         "<p>\(link(holdovers, "the earlier review"))</p>\n"),
        ("[it]({{< relref \"the-holdovers.md\" >}})", "content/reviews/aftersun.md", "<p>\(link(holdovers))</p>\n"),
        ("[it]({{< ref \"the-holdovers\" >}})", "content/reviews/aftersun.md", "<p>\(link(holdovers))</p>\n"),
        ("[it]({{< ref \"reviews/the-holdovers.md\" >}})", "content/reviews/aftersun.md", "<p>\(link(holdovers))</p>\n"),
        ("[it]({{< ref \"/reviews/the-holdovers\" >}})", "content/reviews/aftersun.md", "<p>\(link(holdovers))</p>\n"),
        ("[it]({{% relref \"/reviews/the-holdovers.md\" %}})", "content/reviews/aftersun.md", "<p>\(link(holdovers))</p>\n"),
        ("[it]({{< ref path=\"the-holdovers.md\" >}})", "content/reviews/aftersun.md", "<p>\(link(holdovers))</p>\n"),
        ("[it]({{<ref `The-Holdovers.MD`>}})", "content/reviews/aftersun.md", "<p>\(link(holdovers))</p>\n"),
        // A page bundle by its folder, with or without index.md; a .markdown file.
        ("[it]({{< ref \"past-lives\" >}})", "content/reviews/aftersun.md", "<p>\(link("https://reviews.test/2023/06/past-lives/"))</p>\n"),
        ("[it]({{< ref \"/reviews/past-lives/index.md\" >}})", "content/reviews/aftersun.md",
         "<p>\(link("https://reviews.test/2023/06/past-lives/"))</p>\n"),
        ("[it]({{< ref \"fallen-leaves\" >}})", "content/reviews/aftersun.md", "<p>\(link("https://reviews.test/2024/02/fallen-leaves/"))</p>\n"),
        // A review's own permalink wins.
        ("[it]({{< ref \"anatomy.markdown\" >}})", "content/reviews/aftersun.md", "<p>\(link("https://reviews.test/films/anatomy/"))</p>\n"),
        // Anchors: kept, percent-encoded where they could break the link; alone, the review itself.
        ("[it]({{< ref \"the-holdovers.md#the-ending\" >}})", "content/reviews/aftersun.md", "<p>\(link(holdovers + "#the-ending"))</p>\n"),
        ("[it]({{< relref \"/reviews/the-holdovers#a (b)\" >}})", "content/reviews/aftersun.md", "<p>\(link(holdovers + "#a%20%28b%29"))</p>\n"),
        ("[up]({{< ref \"#top\" >}})", "content/reviews/aftersun.md", "<p>\(link("https://reviews.test/2025/03/aftersun/#top", "up"))</p>\n"),
        // Relative to the review's own folder first, `..` included.
        ("[it]({{< ref \"../the-holdovers.md\" >}})", "content/reviews/2024/monster.md", "<p>\(link(holdovers))</p>\n"),
        ("[it]({{< ref \"fallen-leaves\" >}})", "content/reviews/2024/monster.md", "<p>\(link("https://reviews.test/2024/02/fallen-leaves/"))</p>\n"),
        // One file name in two folders: a path picks one; the bare name the one beside the
        // review, else (as Hugo: "ambiguous") none, while a good ref next to it still links.
        ("[it]({{< ref \"2023/perfect-days.md\" >}})", "content/reviews/aftersun.md", "<p>\(link("https://reviews.test/2023/12/perfect-days/"))</p>\n"),
        ("[it]({{< ref \"/reviews/2024/perfect-days\" >}})", "content/reviews/aftersun.md",
         "<p>\(link("https://reviews.test/2024/11/perfect-days-again/"))</p>\n"),
        ("[it]({{< ref \"perfect-days.md\" >}})", "content/reviews/2024/monster.md",
         "<p>\(link("https://reviews.test/2024/11/perfect-days-again/"))</p>\n"),
        ("[a]({{< ref \"perfect-days.md\" >}}), [b]({{< ref \"the-holdovers.md\" >}})", "content/reviews/aftersun.md",
         "<p>\(link(aftersun, "a")), \(link(holdovers, "b"))</p>\n"),
        // Names of no (published) review: removed as before, the text around them kept (an
        // emptied link target is the review's own page, as for `post_url`), while a good ref
        // next to them still links.
        ("See [about]({{< ref \"/about\" >}}) and [b]({{< ref \"the-holdovers.md\" >}}).", "content/reviews/aftersun.md",
         "<p>See \(link(aftersun, "about")) and \(link(holdovers, "b")).</p>\n"),
        ("[a]({{< ref \"unfinished.md\" >}}) [b]({{< ref \"later.md\" >}}) [c]({{< ref \"the-holdovers.md\" >}})", "content/reviews/aftersun.md",
         "<p>\(link(aftersun, "a")) \(link(aftersun, "b")) \(link(holdovers, "c"))</p>\n"),
        ("[a]({{< ref \"./the-holdovers.md\" >}}) [b]({{< ref \"../../../x.md\" >}}) [c]({{< ref \"/reviews/the-holdovers\" >}})",
         "content/reviews/2024/monster.md", "<p>\(link(monster, "a")) \(link(monster, "b")) \(link(holdovers, "c"))</p>\n"),
        ("[a]({{< ref path=\"the-holdovers.md\" lang=\"fr\" >}}) [b]({{< relref path=\"the-holdovers.md\" outputFormat=\"amp\" >}}) [c]({{< ref \"the-holdovers\" >}})",
         "content/reviews/aftersun.md", "<p>\(link(aftersun, "a")) \(link(aftersun, "b")) \(link(holdovers, "c"))</p>\n"),
        ("Not a review: {{< ref \"/about\" >}}. One: {{< ref \"the-holdovers.md\" >}}", "content/reviews/aftersun.md",
         "<p>Not a review: . One: \(link(holdovers, holdovers))</p>\n"),
        // In a code span: the author's text.
        ("Write `{{< ref \"the-holdovers.md\" >}}`, giving {{< ref \"the-holdovers.md\" >}}.", "content/reviews/aftersun.md",
         "<p>Write <code>{{&lt; ref &quot;the-holdovers.md&quot; &gt;}}</code>, giving \(link(holdovers, holdovers)).</p>\n"),
    ])
    func refBecomesTheReviewsPermalink(_ markdown: String, _ source: String, _ html: String) {
        #expect(Self.html(markdown, in: source) == html)
    }

    /// Without a review to resolve from (posts' plain text), the shortcode goes and the link's text stays.
    @Test func postsKeepTheLinkText() {
        #expect(Markdown.plainText("See [the earlier review]({{< ref \"the-holdovers.md\" >}}).") == "See the earlier review.")
        #expect(Markdown.html("[it]({{< ref \"the-holdovers.md\" >}})", base: URL(string: Self.aftersun)!, links: Self.site.templateLinks)
            == "<p>\(Self.link(Self.aftersun))</p>\n")
    }
}
