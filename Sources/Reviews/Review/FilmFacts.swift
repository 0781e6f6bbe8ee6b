/// A rating as stars on Letterboxd's scale: 3.5 → "★★★½", 0.5 → "½".
public enum RatingStars {
    public static func text(_ rating: Double) -> String {
        let halves = Int((rating * 2).rounded())
        return String(repeating: "★", count: halves / 2) + (halves % 2 == 1 ? "½" : "")
    }
}

/// A running time for people: 91 → "1h 31m", 45 → "45m", 120 → "2h".
public enum RuntimeFormat {
    public static func text(_ minutes: Int) -> String {
        let hours = minutes / 60, rest = minutes % 60
        if hours == 0 { return "\(rest)m" }
        return rest == 0 ? "\(hours)h" : "\(hours)h \(rest)m"
    }
}
