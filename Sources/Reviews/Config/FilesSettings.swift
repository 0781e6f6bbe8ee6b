import Foundation

/// The files source's keys in `[source]` (docs/SPEC.md §9): where the review files are, and
/// which of them are reviews on a blog of mixed topics.
///
/// They live here rather than with the source kind because everything that reads review
/// files (the loader, the caches' fingerprint, the posting index) needs them, and those are in
/// this target.
public struct FilesSettings: Sendable, Equatable {
    /// The folder of review files, relative to the site (`_posts`, `content/reviews`), without
    /// `./` or a trailing `/`.
    public var folder = "reviews"
    /// The line of `folder` in `syndicate.toml`; nil when it is the default.
    public var folderLine: Int?
    /// Keep only reviews with one of these categories, tags or genres; empty keeps all.
    public var only: [String] = []

    public init(folder: String = "reviews", only: [String] = []) {
        self.folder = folder
        self.only = only
    }

    /// Reads and checks the keys from `[source]`, reporting problems to the table.
    public static func read(_ table: inout ConfigTable) -> FilesSettings {
        var settings = FilesSettings()
        if let folder = table.string("folder") {
            if let problem = problem(folder: folder) {
                table.report("folder", problem)
            } else {
                settings.folder = normalised(folder)
                settings.folderLine = table.values["folder"]?.line
            }
        }
        if let only = table.stringList("only") {
            if only.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                table.report("only", "an empty name matches nothing: list categories, tags or genres like [\"reviews\"]")
            } else {
                settings.only = only
            }
        }
        return settings
    }

    /// The settings of a site: its `[source]` table's when the source is files (a config
    /// already checked, so nothing is reported), else the defaults.
    public init(_ config: SiteConfig) {
        self.init()
        guard config.source.kind == SourceConfig.files.kind else { return }
        var table = config.source.table
        self = Self.read(&table)
    }

    /// The settings of the site in `directory` as its `syndicate.toml` says; the defaults when
    /// it cannot be read (then loading the site is what reports it).
    public static func ofSite(_ directory: URL) -> FilesSettings {
        // Most configs have no [source] at all: the cron no-op's fingerprint then parses nothing.
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(ConfigLoader.fileName).path),
              data.range(of: Data("source".utf8)) != nil else { return FilesSettings() }
        return (try? ConfigLoader.load(siteDirectory: directory)).map(FilesSettings.init) ?? FilesSettings()
    }

    private static func problem(folder: String) -> String? {
        let parts = folder.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        if folder.hasPrefix("/") || parts.contains("..") || parts.isEmpty {
            return "\"\(folder)\" is not a folder inside the site: use a path relative to it, like \"reviews\", \"_posts\" or \"content/reviews\""
        }
        if parts.first == ".syndicate" {
            return "\"\(folder)\" is inside .syndicate/, which holds Syndicate's own files"
        }
        if folder.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "\"\(folder.debugDescription)\" contains control characters"
        }
        return nil
    }

    /// `./content//reviews/` → `content/reviews`.
    private static func normalised(_ folder: String) -> String {
        folder.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }.joined(separator: "/")
    }
}
