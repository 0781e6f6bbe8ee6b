/// The program's version, sent in the User-Agent and printed by `--version`.
public enum SyndicateVersion {
    public static let string = "0.2.0"

    /// `Syndicate/VERSION (+SITE_URL)`, so a service's operators can reach the site's owner.
    public static func userAgent(siteURL: String) -> String { "Syndicate/\(string) (+\(siteURL))" }
}
