import Foundation
import Reviews

/// `syndicate init` (docs/SPEC.md §4): looks at a folder or a URL, sketches the site it finds
/// (`SiteSketch`), and writes a commented `syndicate.toml` and an empty `credentials` for it,
/// never over a file that exists.
///
/// The sketch is made by `SiteInitializer.sketch(folder:)` (a Jekyll, Hugo or Markdown
/// folder, SiteInitializerFolder.swift) or `SiteInitializer.sketch(url:http:)` (a WordPress
/// site or a feed, SiteInitializerRemote.swift); `SiteInitializer.text(_:destinations:)`
/// renders it (SiteInitializerText.swift) and `SiteInitializer.write` writes it.
public enum SiteInitializer {}

/// What `init` found out about a site: every value the new `syndicate.toml` gets, and where
/// it came from.
public struct SiteSketch: Sendable, Equatable {
    /// What kind of site was found, as the summary line and the file's first comment say it.
    public enum Shape: String, Sendable {
        case markdown = "Markdown folder"
        case jekyll = "Jekyll site"
        case hugo = "Hugo site"
        case wordpress = "WordPress site"
        case feed = "feed"
    }

    public var shape: Shape
    /// `[source] kind`.
    public var sourceKind: String
    /// `[source] folder` (files), relative to the site.
    public var folder: String?
    /// `[source] url` (wordpress: the home page; feed: the feed).
    public var sourceURL: String?
    /// `[site]`: each nil when the site does not say (then a placeholder, said in `missing`).
    public var title: String?
    public var url: String?
    public var timezone: String?
    public var language: String?
    public var description: String?
    public var author: String?
    /// `site.permalink`, translated from the site's own permalink setting (files only).
    public var permalink: String?
    /// `feeds.output`: where the feeds go, relative to the site.
    public var output = "feeds"
    /// Where the `[site]` values were read ("_config.yml", "the REST API root").
    public var origin: String?
    /// Lines said about what was found, each also a comment in the file ("Jekyll's
    /// permalink has :categories, which Syndicate cannot fill").
    public var notes: [String] = []
    /// The `[site]` keys whose value is a placeholder because the site does not say it.
    public var missing: [String] = []

    public init(shape: Shape, sourceKind: String) {
        self.shape = shape
        self.sourceKind = sourceKind
    }
}

/// A destination kind as `init` lists it, commented, in the new files (built from the
/// destination registry by the command, since that registry lives above this target).
public struct DestinationKindSketch: Sendable {
    public var kind: String
    /// `base_url`: the service's default, or nil when the kind takes none.
    public var baseURL: String?
    /// Whether `base_url` must be given (a Mastodon instance).
    public var baseURLRequired: Bool
    /// The kind's own keys in `syndicate.toml`.
    public var optionKeys: [String]
    /// Its keys in `credentials`.
    public var credentialKeys: [String]

    public init(kind: String, baseURL: String?, baseURLRequired: Bool, optionKeys: [String], credentialKeys: [String]) {
        self.kind = kind
        self.baseURL = baseURL
        self.baseURLRequired = baseURLRequired
        self.optionKeys = optionKeys
        self.credentialKeys = credentialKeys
    }
}

/// Why `init` wrote nothing: one line naming the file, folder or URL at fault.
public struct SiteInitError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

extension SiteInitializer {
    /// The files `init` writes, in order.
    public static let fileNames = [ConfigLoader.fileName, "credentials"]

    /// Writes `config` and `credentials` into `directory` (made if missing) and makes the
    /// sketch's review folder when it does not exist, so that `check` and `build` work at
    /// once.
    ///
    /// Nothing is written when either file exists: each is first written whole to a staging
    /// file, then linked to its name, which fails rather than replace a file (one made
    /// meanwhile included); when the second fails, what was made is removed again.
    /// `credentials` is 0600 from the moment it exists.
    /// - Throws: `SiteInitError` naming the file or folder; then nothing was written.
    public static func write(config: String, credentials: String, folder: String?, into directory: URL) throws(SiteInitError) {
        var made: [String] = []
        func undo() {
            // Newest first: the files, then the folders they are in.
            for path in made.reversed() { if unlink(path) != 0 { rmdir(path) } }
        }
        if let problem = makeFolder(directory.path, &made) { throw SiteInitError("\(directory.path): \(problem)") }
        for name in fileNames {
            // lstat, not fileExists: a dangling symbolic link is a name taken too.
            var status = stat()
            if lstat(directory.appendingPathComponent(name).path, &status) == 0 {
                undo()
                throw SiteInitError("\(name): already exists (init never overwrites a file)")
            }
        }
        if let folder, let problem = makeFolder(directory.appendingPathComponent(folder).path, &made) {
            undo()
            throw SiteInitError("\(folder): \(problem)")
        }
        for (name, text, mode) in [(fileNames[0], config, mode_t(0o644)), (fileNames[1], credentials, mode_t(0o600))] {
            let path = directory.appendingPathComponent(name).path
            if let problem = createNew(path, Data(text.utf8), mode: mode) {
                undo()
                throw SiteInitError("\(name): \(problem)")
            }
            made.append(path)
        }
    }

    /// Makes the folder at `path` and any missing above it, recording each one made; nil
    /// when done (or already there), else why not.
    private static func makeFolder(_ path: String, _ made: inout [String]) -> String? {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            return isDirectory.boolValue ? nil : "exists and is not a folder"
        }
        let parent = (path as NSString).deletingLastPathComponent
        if parent != path, !parent.isEmpty, let problem = makeFolder(parent, &made) { return problem }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { return "cannot be made (\(String(cString: strerror(errno))))" }
        made.append(path)
        return nil
    }

    /// Writes a new file at `path` whole, or nothing: nil when done, else why not.
    private static func createNew(_ path: String, _ data: Data, mode: mode_t) -> String? {
        let staging = (path as NSString).deletingLastPathComponent + "/.init.\(getpid()).\(UUID().uuidString.prefix(8)).tmp"
        let descriptor = open(staging, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { return "cannot be written (\(String(cString: strerror(errno))))" }
        // The umask may have narrowed the mode; 0600 must be exact, and 0644 is what a
        // config anyone may read is.
        fchmod(descriptor, mode)
        let count = data.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        defer { unlink(staging) }
        guard count == data.count, synced else { return "cannot be written (\(String(cString: strerror(errno))))" }
        guard link(staging, path) == 0 else {
            return errno == EEXIST ? "already exists (init never overwrites a file)" : "cannot be written (\(String(cString: strerror(errno))))"
        }
        return nil
    }
}
