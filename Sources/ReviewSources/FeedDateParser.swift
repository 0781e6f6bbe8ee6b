import Foundation
import Reviews

/// Reads the dates feeds carry, as they are written in the wild (docs/SPEC.md §9 "feed"):
/// RFC 822/2822 (`Sun, 06 Nov 1994 08:49:37 GMT`) and its common variants (no weekday, a
/// full weekday or month name, no seconds, a two-digit year, a named zone like `EST`, `PDT`,
/// `UT` or `Z`, an offset with a colon, no zone at all), and ISO 8601 / RFC 3339, which Atom,
/// JSON Feed and many RSS feeds use. A time without a zone is UTC; a two-digit year is 1950
/// to 2049 (RFC 2822 §4.3). Anything else, or a year outside 1000 to 9999, is no date.
///
/// Not Sendable, since `DateFormatter` is not: one parser serves one parse of one feed.
final class FeedDateParser {
    /// The RFC 822 forms, once the weekday is dropped and the zone made numeric.
    private let formatters: [DateFormatter]

    init() {
        let utc = TimeZone(identifier: "UTC")!
        var start = DateComponents()
        start.year = 1950
        start.month = 1
        start.day = 1
        start.timeZone = utc
        let twoDigitStart = Calendar(identifier: .gregorian).date(from: start)
        formatters = ["d MMM yy HH:mm:ss Z", "d MMM yy HH:mm Z", "d MMMM yy HH:mm:ss Z", "d MMMM yy HH:mm Z"].map { format in
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = utc
            formatter.calendar = Calendar(identifier: .gregorian)
            formatter.twoDigitStartDate = twoDigitStart
            formatter.dateFormat = format
            return formatter
        }
    }

    /// The dates a feed writes with four-digit years: 1000-01-01T00:00:00Z up to, not
    /// including, 10000-01-01 (the range a review's date must fall in, docs/SPEC.md §2).
    static let feedYears = -30_610_224_000.0 ..< 253_402_300_800.0

    func parse(_ text: String) -> Date? {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        // Foundation's DateFormatter stops the program on some non-ASCII text (see
        // `HTTPDate.parse`), and no date form here needs any.
        guard !text.isEmpty, text.count <= 64, text.unicodeScalars.allSatisfy(\.isASCII) else { return nil }
        let date = iso8601(text) ?? rfc822(text)
        guard let date, Self.feedYears.contains(date.timeIntervalSince1970) else { return nil }
        return date
    }

    /// `2025-03-11T09:30:00-04:00`, `…Z`, with a space for the `T`, or a date alone.
    private func iso8601(_ text: String) -> Date? {
        guard text.count >= 10, text.utf8.dropFirst(4).first == UInt8(ascii: "-") else { return nil }
        return SiteDate.parse(text, timeZone: TimeZone(identifier: "UTC")!)
    }

    private func rfc822(_ text: String) -> Date? {
        var words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        // The weekday is redundant and often wrong or misspelt: it is dropped, with its comma.
        if let first = words.first, first.first?.isLetter == true {
            words.removeFirst()
            if let comma = first.firstIndex(of: ","), comma != first.index(before: first.endIndex) {
                words.insert(String(first[first.index(after: comma)...]), at: 0)
            }
        }
        if words.first == "," { words.removeFirst() }
        guard words.count == 4 || words.count == 5 else { return nil }
        if words.count == 4 { words.append("+0000") }
        // Two or four digits: ICU's `yy` would read `12025` as 2025.
        guard words[2].count == 2 || words[2].count == 4, words[2].allSatisfy(\.isASCIIDigit),
              let zone = Self.offset(words[4]) else { return nil }
        words[4] = zone
        words[1] = words[1].prefix(1).uppercased() + words[1].dropFirst().lowercased()
        let normal = words.joined(separator: " ")
        for formatter in formatters {
            if let date = formatter.date(from: normal) { return date }
        }
        return nil
    }

    /// The zone as `+hhmm`: a numeric offset (with or without a colon), or a name RFC 822
    /// defines or feeds commonly use. Single military letters other than `Z` are, as RFC 2822
    /// §4.3 advises, taken as UTC.
    private static func offset(_ zone: String) -> String? {
        let named: [String: String] = [
            "UT": "+0000", "UTC": "+0000", "GMT": "+0000", "Z": "+0000",
            "EST": "-0500", "EDT": "-0400", "CST": "-0600", "CDT": "-0500",
            "MST": "-0700", "MDT": "-0600", "PST": "-0800", "PDT": "-0700",
            "AKST": "-0900", "AKDT": "-0800", "HST": "-1000",
            "BST": "+0100", "CET": "+0100", "CEST": "+0200", "EET": "+0200", "EEST": "+0300",
        ]
        let upper = zone.uppercased()
        if let offset = named[upper] { return offset }
        if upper.count == 1, upper.first!.isLetter { return "+0000" }
        var digits = zone
        guard let sign = digits.first, sign == "+" || sign == "-" else { return nil }
        digits.removeFirst()
        digits.removeAll { $0 == ":" }
        guard digits.count == 4, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        return String(sign) + digits
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
