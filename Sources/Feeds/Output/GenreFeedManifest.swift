import Foundation
import Reviews

/// The genre feeds the last build wrote, in `.syndicate/genre-feeds.json`: the output folder
/// as configured then, and the feeds' paths relative to it. A build removes a genre feed only when it is listed there and its genre
/// is gone: a file someone else put in `genres/` is never the build's to delete. The list is
/// kept outside `.syndicate/cache/`, which may be deleted at any time; without it (a first
/// build, or one after an upgrade) nothing is removed, which errs on the safe side.
struct GenreFeedManifest {
    let fileURL: URL
    /// `feeds.output` as configured now: a list made for another output folder lists none
    /// of this one's files.
    let output: String

    init(siteDirectory: URL, output: String) {
        fileURL = siteDirectory.appendingPathComponent(".syndicate/genre-feeds.json")
        self.output = output
    }

    private struct Contents: Codable, Equatable {
        var output: String
        var feeds: [String]
    }

    func load() -> [String] {
        guard let data = FileManager.default.contents(atPath: fileURL.path),
              let contents = try? JSONDecoder().decode(Contents.self, from: data), contents.output == output else { return [] }
        return contents.feeds
    }

    func save(_ paths: [String]) {
        let contents = Contents(output: output, feeds: paths.sorted())
        if let data = FileManager.default.contents(atPath: fileURL.path), (try? JSONDecoder().decode(Contents.self, from: data)) == contents { return }
        let folder = fileURL.deletingLastPathComponent()
        guard (try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])) != nil,
              let data = try? JSONEncoder().encode(contents) else { return }
        try? data.write(to: fileURL, options: .atomic)
    }

    /// Removes the listed feeds that are not in `current`, from the `genres` folder only
    /// (`OwnedFiles`: never through a symbolic link, regular files only).
    /// - Returns: the paths removed, relative to the output folder.
    func removeStale(keeping current: [String], in genres: URL) -> [String] {
        let keep = Set(current)
        let stale = load().filter { !keep.contains($0) && $0.hasPrefix("genres/") }.sorted()
        return OwnedFiles.remove(stale.map { String($0.dropFirst("genres/".count)) }, in: genres).map { "genres/" + $0 }
    }
}
