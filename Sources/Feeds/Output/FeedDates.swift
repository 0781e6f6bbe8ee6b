import Foundation
import Reviews

/// The two date formats feeds use, formatted by hand in UTC: fast, locale-proof, and the
/// same bytes on every machine.
public enum FeedDates {
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// RFC 822 as RSS 2.0 wants it, with a four-digit year: `Tue, 11 Mar 2025 04:00:00 +0000`.
    public static func rfc822(_ date: Date) -> String {
        let c = components(date)
        let weekday = weekdays[((c.days % 7) + 7) % 7]
        return "\(weekday), \(pad(c.day)) \(months[c.month - 1]) \(c.year) \(pad(c.hour)):\(pad(c.minute)):\(pad(c.second)) +0000"
    }

    /// RFC 3339 in UTC: `2025-03-11T04:00:00Z`.
    public static func rfc3339(_ date: Date) -> String {
        let c = components(date)
        return "\(c.year)-\(pad(c.month))-\(pad(c.day))T\(pad(c.hour)):\(pad(c.minute)):\(pad(c.second))Z"
    }

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    private static func components(_ date: Date) -> (days: Int, year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        var days = seconds / 86400
        var rest = seconds % 86400
        if rest < 0 { rest += 86400; days -= 1 }
        let (year, month, day) = SiteDate.civilFromDays(days)
        return (days, year, month, day, rest / 3600, rest % 3600 / 60, rest % 60)
    }
}
