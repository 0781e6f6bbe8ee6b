import Foundation
@testable import ReviewSources
import Testing

/// The byte-level text helpers that made a WordPress source's cold read several times faster
/// (bench/source) give what the Character-level code they replaced gave.
@Suite struct RemoteTextSpeedupTests {
    @Test(arguments: [
        "", "   ", "plain", "  lead and trail  ", "tabs\tand\nnew\r\nlines", "no\u{A0}break\u{A0}\u{A0}spaces",
        "em\u{2003}space and ideographic\u{3000}space", "next\u{85}line", "dash \u{2013} stays, quote \u{2019} too",
        "accents é and emoji 🎬 stay", "\u{2028}line\u{2029}separators\u{202F}narrow\u{205F}math\u{1680}ogham",
        "a  b", "a ", " a", "single spaces only, returned as they are",
    ])
    func normalisedSpacesIsWhatCharacterWhitespaceGave(text: String) {
        #expect(HTMLDocument.normalisedSpaces(text) == text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " "))
    }

    @Test(arguments: [
        ("Fish & chips <b>", false, "Fish &amp; chips &lt;b&gt;"),
        ("say \"hi\" — é", true, "say &quot;hi&quot; — é"),
        ("say \"hi\"", false, "say \"hi\""),
        ("nothing to do ✓", true, "nothing to do ✓"),
    ])
    func escapeIsByteForByteTheSame(text: String, quotes: Bool, expected: String) {
        #expect(HTMLSanitizer.escape(text, quotes: quotes) == expected)
    }

    /// WordPress's own excerpt (the body's first words and `[…]`) is told from the author's,
    /// also when the body's first letters lie past its first 2 or 8 KiB of markup.
    @Test(arguments: [0, 100, 400])
    func aGeneratedExcerptIsFoundPastLongMarkup(spans: Int) {
        let padding = String(repeating: "<span class=\"x\"></span>", count: spans)
        let body = padding + "<p>Quiet Harbour – a slow, generous film about a town that waits.</p>"
        #expect(WordPressPost.isGenerated(excerpt: "<p>Quiet Harbour &#8211; a slow, generous film [&hellip;]</p>", body: body))
        #expect(!WordPressPost.isGenerated(excerpt: "<p>A film that trusts its town.</p>", body: body))
    }
}
