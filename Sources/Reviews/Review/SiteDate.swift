import Foundation

/// Reads the dates of front matter and config without `DateFormatter`, which is slow and
/// needs care across threads: a build parses tens of thousands of them.
///
/// Accepted: RFC 3339 (`2025-03-11T09:30:00-04:00`, `Z`, fractional seconds, a space for the
/// `T`), Jekyll's `2025-03-11 09:30:00 -0400`, a local time without offset, and a plain
/// `YYYY-MM-DD`. Times without an offset are read in `timeZone`.
public enum SiteDate {
    public static func parse(_ text: String, timeZone: TimeZone) -> Date? {
        var scanner = DigitScanner(Array(text.trimmedWhitespace.utf8))
        guard let year = scanner.number(digits: 4), scanner.skip("-"),
              let month = scanner.number(digits: 2), scanner.skip("-"),
              let day = scanner.number(digits: 2),
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var hour = 0, minute = 0, second = 0
        var fraction = 0.0
        if scanner.skip("T") || scanner.skip("t") || scanner.skip(" ") {
            guard let h = scanner.number(digits: 2), scanner.skip(":"), let m = scanner.number(digits: 2)
            else { return nil }
            hour = h; minute = m
            if scanner.skip(":") {
                guard let s = scanner.number(digits: 2) else { return nil }
                second = s
                if scanner.skip(".") || scanner.skip(",") {
                    let start = scanner.position
                    var digits = 0
                    while let d = scanner.digit() { fraction += Double(d) * pow(10, Double(-(scanner.position - start))); digits += 1 }
                    guard digits > 0 else { return nil }
                }
            }
            guard hour < 24, minute < 60, second < 61 else { return nil }
        }
        _ = scanner.skip(" ")
        let local = Double(daysFromCivil(year: year, month: month, day: day)) * 86400
            + Double(hour * 3600 + minute * 60 + second) + fraction
        if scanner.atEnd {
            return localToUTC(local, timeZone: timeZone)
        }
        if scanner.skip("Z") || scanner.skip("z") {
            return scanner.atEnd ? Date(timeIntervalSince1970: local) : nil
        }
        let sign: Double
        if scanner.skip("+") { sign = 1 } else if scanner.skip("-") { sign = -1 } else { return nil }
        guard let offsetHours = scanner.number(digits: 2) else { return nil }
        _ = scanner.skip(":")
        guard let offsetMinutes = scanner.number(digits: 2), scanner.atEnd,
              offsetHours < 24, offsetMinutes < 60 else { return nil }
        return Date(timeIntervalSince1970: local - sign * Double(offsetHours * 3600 + offsetMinutes * 60))
    }

    /// The instants (seconds since 1970) whose UTC year has the four digits feed dates are
    /// written with: 1000-01-01T00:00:00Z up to, not including, 10000-01-01.
    static let feedYears = Double(daysFromCivil(year: 1000, month: 1, day: 1)) * 86400
        ..< Double(daysFromCivil(year: 10000, month: 1, day: 1)) * 86400

    /// Whether `text` carries a date only, so that it means midnight in the site's zone.
    static func isDateOnly(_ text: String) -> Bool {
        text.trimmedWhitespace.utf8.count == 10
    }

    private static func localToUTC(_ local: Double, timeZone: TimeZone) -> Date {
        // The offset depends on the instant; a second lookup settles the DST edges.
        var guess = local - Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: local)))
        guess = local - Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: guess)))
        return Date(timeIntervalSince1970: guess)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The calendar date of an instant in `timeZone` (for permalinks' `{year}` `{month}` `{day}`).
    public static func civil(_ date: Date, timeZone: TimeZone) -> (year: Int, month: Int, day: Int) {
        let local = date.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: date))
        return civilFromDays(Int((local / 86400).rounded(.down)))
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
    package static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}

private struct DigitScanner {
    let bytes: [UInt8]
    var position = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position == bytes.count }

    mutating func digit() -> Int? {
        guard position < bytes.count, bytes[position] >= 48, bytes[position] <= 57 else { return nil }
        defer { position += 1 }
        return Int(bytes[position] - 48)
    }

    mutating func number(digits: Int) -> Int? {
        var value = 0
        for _ in 0..<digits {
            guard let d = digit() else { return nil }
            value = value * 10 + d
        }
        return value
    }

    mutating func skip(_ character: Character) -> Bool {
        guard position < bytes.count, let ascii = character.asciiValue, bytes[position] == ascii else { return false }
        position += 1
        return true
    }
}
