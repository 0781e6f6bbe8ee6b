import Foundation
import Reviews

/// The film facts a reviewer writes at the top of a post, read from its HTML
/// (docs/SPEC.md §9, README "WordPress facts").
///
/// The facts block is the first run of labelled lines (`Genre:`, `Year Released:`/`Year:`,
/// `Runtime:`, `Director(s):`/`Director:`, `Where To Watch:`, `Rating:`), a paragraph each or
/// `<br>` lines of one paragraph, bold labels or not; blank and separator lines (`–`) may
/// stand between them. The film's title is the heading or short line just above the block.
/// A value that cannot be read is absent, never an error: a post is prose, not a form.
struct HTMLFacts {
    var title: String?
    var genres: [String] = []
    var year: Int?
    var runtimeMinutes: Int?
    var directors: [String] = []
    var whereToWatch: String?
    var rating: Double?
    /// The first paragraph after the facts block (the review proper), or the body's first
    /// paragraph when there is no block; nil when there is none.
    var firstParagraph: String?
    /// The nodes of the facts block and of the title line: left out of the body's HTML,
    /// since feeds and posts show the facts on their own.
    var blockNodes: Set<HTMLDocument.Node> = []

    enum Label: CaseIterable {
        case genre, year, runtime, director, whereToWatch, rating

        /// The spellings, longest first so that `Year Released` is not read as `Year`.
        var spellings: [String] {
            switch self {
            case .genre: return ["genres", "genre"]
            case .year: return ["year released", "release year", "released", "year"]
            case .runtime: return ["running time", "run time", "runtime", "length"]
            case .director: return ["director(s)", "directors", "directed by", "director"]
            case .whereToWatch: return ["where to watch", "where to stream", "available on"]
            case .rating: return ["my rating", "rating", "score"]
            }
        }
    }

    init(lines: [HTMLLine]) {
        guard let first = lines.firstIndex(where: { Self.fact(in: $0.text) != nil }) else {
            firstParagraph = Self.paragraph(in: lines, from: 0)
            return
        }
        var end = first
        var index = first
        while index < lines.count {
            let line = lines[index]
            if let (label, value) = Self.fact(in: line.text) {
                record(label, value)
                end = index
            } else if !Self.isSeparator(line.text) {
                break
            }
            index += 1
        }
        var removed = Array(first...end)
        var above = first - 1
        while above >= 0, Self.isSeparator(lines[above].text) {
            removed.append(above)
            above -= 1
        }
        // Facts after the review's prose (a closing `Rating:` line) have no title above them,
        // and the summary is still the review's first paragraph.
        let proseBefore = lines[..<max(above + 1, 0)].firstIndex { Self.isProse($0) }
        if proseBefore == nil, above >= 0, Self.isTitle(lines[above]) {
            title = lines[above].text
            removed.append(above)
            // A kicker just above the title ("MOVIE REVIEW") goes with it: it labels the block.
            if let kicker = lines[..<above].lastIndex(where: { !Self.isSeparator($0.text) }), Self.isKicker(lines[kicker].text) {
                removed.append(contentsOf: kicker..<above)
            }
        }
        for line in removed { blockNodes.formUnion(lines[line].nodes) }
        firstParagraph = proseBefore.flatMap { Self.paragraph(in: lines, from: $0) } ?? Self.paragraph(in: lines, from: end + 1)
    }

    /// A line of the review's prose rather than a heading, kicker or title.
    static func isProse(_ line: HTMLLine) -> Bool {
        guard !line.isHeading, !line.inFigure, fact(in: line.text) == nil, let last = line.text.last else { return false }
        return line.text.count > 150 || (line.text.count > 40 && ".!?".contains(last))
    }

    private mutating func record(_ label: Label, _ value: String) {
        guard !value.isEmpty else { return }
        switch label {
        case .genre: genres = Self.list(value, separators: [",", "/", "|"])
        case .year: year = Self.year(value)
        case .runtime:
            runtimeMinutes = RuntimeParser.minutes(String(value.prefix { $0 != "(" }).trimmingCharacters(in: .whitespaces))
        case .director: directors = Self.list(value, separators: [",", "&", "/"]).flatMap { $0.components(separatedBy: " and ") }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case .whereToWatch: whereToWatch = value
        case .rating: rating = Self.rating(value)
        }
    }

    /// A labelled line's label and value (the value trimmed, maybe empty); nil for other lines.
    static func fact(in text: String) -> (Label, String)? {
        let lowered = text.lowercased()
        for label in Label.allCases {
            for spelling in label.spellings where lowered.hasPrefix(spelling) {
                let rest = text.dropFirst(spelling.count).drop { $0 == " " }
                guard rest.first == ":" else { continue }
                return (label, rest.dropFirst().trimmingCharacters(in: .whitespaces))
            }
        }
        return nil
    }

    /// A line that only separates: empty, or dashes, dots, stars and the like.
    static func isSeparator(_ text: String) -> Bool {
        text.allSatisfy { $0.isWhitespace || "-–—―*•·~_=|#.".contains($0) }
    }

    /// Whether a line can name the film: a heading, or a short line of its own that is not a
    /// sentence and not a section's kicker ("MOVIE REVIEW").
    static func isTitle(_ line: HTMLLine) -> Bool {
        let text = line.text
        guard !text.isEmpty, text.count <= 150, !line.inFigure else { return false }
        if isKicker(text) { return false }
        if line.isHeading { return true }
        guard let last = text.last else { return false }
        return !".,;:".contains(last) && text.count <= 100
    }

    /// A section's label above a review, not a film's title.
    static func isKicker(_ text: String) -> Bool {
        let words = text.lowercased().filter { $0.isLetter || $0 == " " }.split(separator: " ").joined(separator: " ")
        return ["review", "movie review", "film review", "tv review", "series review", "documentary review"].contains(words)
    }

    /// The text of the first paragraph of prose from line `start` on: its lines joined.
    static func paragraph(in lines: [HTMLLine], from start: Int) -> String? {
        guard start < lines.count,
              let first = lines[start...].firstIndex(where: { !$0.isHeading && !$0.inFigure && !isSeparator($0.text) && fact(in: $0.text) == nil })
        else { return nil }
        let block = lines[first].block
        let text = lines[first...].prefix { $0.block == block }.map(\.text).joined(separator: " ")
        return HTMLDocument.normalisedSpaces(text)
    }

    static func list(_ value: String, separators: Set<Character>) -> [String] {
        var seen = Set<String>()
        return value.split(whereSeparator: { separators.contains($0) })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && seen.insert($0.lowercased()).inserted }
    }

    /// The first plausible release year in `value` (`2025`, `2025 (USA)`).
    static func year(_ value: String) -> Int? {
        let digits = value.split(whereSeparator: { !$0.isASCII || !$0.isNumber })
        for run in digits where run.count == 4 {
            if let year = Int(run), (1870...2200).contains(year) { return year }
        }
        return nil
    }

    /// A rating on Letterboxd's scale (0.5 to 5 in halves) from `4/5`, `3.5/5`, `8/10`,
    /// `4 out of 5`, `★★★½`, `4 stars`, `4.5`; nil when it reads as none of these.
    static func rating(_ value: String) -> Double? {
        let text = value.lowercased()
        var stars: Double?
        if text.contains("★") || text.contains("½") {
            stars = Double(text.filter { $0 == "★" }.count) + (text.contains("½") ? 0.5 : 0)
        } else {
            let numbers = text.split(whereSeparator: { !($0.isASCII && ($0.isNumber || $0 == ".")) })
                .compactMap { Double($0.trimmingCharacters(in: CharacterSet(charactersIn: "."))) }
            guard let number = numbers.first else { return nil }
            if numbers.count >= 2, text.contains("/") || text.contains("out of") {
                guard numbers[1] > 0, number <= numbers[1] else { return nil }
                stars = number / numbers[1] * 5
            } else if numbers.count == 1 {
                stars = number
            }
        }
        guard let stars else { return nil }
        let halves = (stars * 2).rounded() / 2
        return (0.5...5).contains(halves) ? halves : nil
    }
}
