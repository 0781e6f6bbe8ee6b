import Foundation

/// A body seen as a reader sees it: lines of text, one per paragraph or heading, and one per
/// `<br>` line inside a paragraph. Film facts are written as lines whatever the markup
/// (a paragraph each, `<br>` lines of one paragraph, bold labels or not), so they are read
/// from lines.
struct HTMLLine {
    /// The nodes the line is made of, in order, with the `<br>` that ends it.
    var nodes: [HTMLDocument.Node]
    /// The line's text on one line, tags left out.
    var text: String
    /// In a heading (`h1`…`h6`).
    var isHeading: Bool
    /// In a figure (a caption, not the review's prose).
    var inFigure: Bool
    /// Which block the line belongs to: lines of one paragraph share it.
    var block: Int

    /// The lines of `body`, in reading order.
    static func lines(of body: HTMLDocument.Node) -> [HTMLLine] {
        var lines: [HTMLLine] = []
        var blockCount = 0
        func walk(_ element: HTMLDocument.Node, heading: Bool, figure: Bool) {
            blockCount += 1
            var block = blockCount
            var current: [HTMLDocument.Node] = []
            func flush() {
                guard !current.isEmpty else { return }
                let text = HTMLDocument.normalisedSpaces(current.map(HTMLDocument.text).joined(separator: ""))
                lines.append(HTMLLine(nodes: current, text: text, isHeading: heading, inFigure: figure, block: block))
                current = []
            }
            for child in HTMLDocument.children(element) {
                if HTMLDocument.isText(child) {
                    current.append(child)
                    continue
                }
                guard let name = HTMLDocument.name(child), !HTMLSanitizer.droppedElements.contains(name) else { continue }
                if name == "br" {
                    current.append(child)
                    flush()
                } else if HTMLSanitizer.blockElements.contains(name) || containsBreak(child) {
                    // A bold run holding several `<br>` lines (`<strong>Genre: …<br>Year: …</strong>`)
                    // is read like a block, so that each of its lines is a line.
                    flush()
                    walk(child, heading: heading || ["h1", "h2", "h3", "h4", "h5", "h6"].contains(name),
                         figure: figure || name == "figure" || name == "figcaption")
                    // Text after the inner block is a block of its own.
                    blockCount += 1
                    block = blockCount
                } else {
                    current.append(child)
                }
            }
            flush()
        }
        walk(body, heading: false, figure: false)
        return lines
    }

    private static func containsBreak(_ node: HTMLDocument.Node) -> Bool {
        HTMLDocument.children(node).contains { HTMLDocument.name($0) == "br" || (HTMLDocument.name($0) != nil && containsBreak($0)) }
    }
}
