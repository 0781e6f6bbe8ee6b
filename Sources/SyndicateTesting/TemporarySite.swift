import Foundation

/// A site folder under the system's temporary directory, removed when the value is released.
/// Tests write the config and reviews they need and nothing else.
public final class TemporarySite: @unchecked Sendable {
    public let directory: URL

    /// A config that every test can start from; `extra` is appended verbatim.
    public static func config(items: Int = 50, fullContent: Bool = true, byGenre: Bool = true, extra: String = "") -> String {
        """
        [site]
        title = "Test Reviews"
        url = "https://reviews.test"
        description = "Reviews for tests"
        author = "Tester"
        language = "en"
        timezone = "America/New_York"

        [feeds]
        items = \(items)
        full_content = \(fullContent)
        by_genre = \(byGenre)

        \(extra)
        """
    }

    public init(config: String? = TemporarySite.config()) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("syndicate-test-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("reviews"), withIntermediateDirectories: true)
        if let config { try write("syndicate.toml", config) }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Writes a file relative to the site folder.
    public func write(_ path: String, _ text: String) throws {
        try write(path, Data(text.utf8))
    }

    public func write(_ path: String, _ data: Data) throws {
        let url = directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    /// Writes `reviews/NAME` with the given front matter lines and body.
    public func review(_ name: String, _ frontMatter: String, body: String = "A body paragraph.\n") throws {
        try write("reviews/\(name)", "---\n\(frontMatter)\n---\n\(body)")
    }

    public func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: directory.appendingPathComponent(path).path).map { String(decoding: $0, as: UTF8.self) }
    }

    public func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path)
    }
}

/// The repository's root folder, found from a source file's path.
public func repositoryRoot(file: String = #filePath) -> URL {
    var url = URL(fileURLWithPath: file)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
    }
    fatalError("no Package.swift above \(file)")
}
