import Foundation
import Reviews
import Testing

/// The one hash function, pinned: ledgers store `Review.contentHash` values, and a changed
/// algorithm would make `status` call every posted review edited.
@Suite("FNV64, the content hash")
struct HashTests {
    // Worked out independently of this code (FNV-1a over little-endian 64-bit words, then
    // the remaining bytes, then the count), and equal to what earlier releases stored.
    @Test(arguments: [
        ("", "cbf29ce484222325"),
        ("abc", "e71fa21905415748"),
        ("---\ntitle: Heat\ndate: 1995-12-15\n---\nA film.\n", "a89c9c51d1263247"),
    ])
    func contentHashIsStable(_ text: String, _ expected: String) {
        #expect(FNV64.hex(of: Data(text.utf8)) == expected)
    }

    @Test func aParsedReviewCarriesTheHashOfItsBytes() throws {
        let text = "---\ntitle: Heat\ndate: 1995-12-15\n---\nA film.\n"
        let review = try FrontMatterParser(timeZone: .gmt).parse(Data(text.utf8), path: "reviews/heat.md").get()
        #expect(review.contentHash == "a89c9c51d1263247")
    }

    @Test func piecesAreSetApart() {
        var joined = FNV64(), split = FNV64()
        joined.add("ab")
        split.add("a")
        split.add("b")
        #expect(joined.value != split.value)
    }
}
