import Foundation
import Reviews
import TOMLKit
import Yams

extension SiteInitializer {
    /// The site a folder holds (README "Sources"):
    /// - `_posts/`: a Jekyll site (`folder = "_posts"`), `[site]` from `_config.yml`;
    /// - `content/` beside `hugo.toml` or `config.toml` (or their YAML forms, or the same in
    ///   `config/_default/`): a Hugo site,
    ///   its posts in `content/reviews`, else `content/posts`, else `content/post`, else
    ///   `content`; `[site]` from that file;
    /// - `reviews/`, or nothing of these (then `reviews/` is made): Markdown files.
    ///
    /// A folder that does not exist yet is an empty one. Reads only local files.
    /// - Throws: `SiteInitError` when the folder cannot be read.
    public static func sketch(folder directory: URL) throws(SiteInitError) -> SiteSketch {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw SiteInitError("\(directory.path): not a folder") }
            do {
                _ = try fileManager.contentsOfDirectory(atPath: directory.path)
            } catch {
                throw SiteInitError("\(directory.path): cannot be read (\(error.localizedDescription))")
            }
        }
        func isFolder(_ path: String) -> Bool {
            var isDirectory: ObjCBool = false
            return fileManager.fileExists(atPath: directory.appendingPathComponent(path).path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        func isFile(_ path: String) -> Bool {
            var isDirectory: ObjCBool = false
            return fileManager.fileExists(atPath: directory.appendingPathComponent(path).path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }

        if isFolder("_posts") {
            return jekyll(directory, configName: ["_config.yml", "_config.yaml"].first(where: isFile))
        }
        // Hugo's config is one file at the root, or a config folder whose `_default/` holds
        // the main file and a file per table (`params.toml`, `permalinks.toml`).
        let hugoConfig = hugoConfigNames.first(where: isFile) ?? hugoConfigNames.map { "config/_default/" + $0 }.first(where: isFile)
        if isFolder("content"), let configName = hugoConfig {
            let section = ["reviews", "posts", "post"].first { isFolder("content/\($0)") }
            return hugo(directory, configName: configName, section: section)
        }
        var sketch = SiteSketch(shape: .markdown, sourceKind: FilesSource.kindName)
        sketch.folder = "reviews"
        if !isFolder("reviews") {
            sketch.notes.append("no _posts/, content/ with a Hugo config, or reviews/ here: reviews/ is made for Markdown reviews")
        }
        fillPlaceholders(&sketch, fallbackTitle: directory.standardizedFileURL.lastPathComponent)
        return sketch
    }

    /// Hugo's config files, in the order Hugo itself looks for them.
    static let hugoConfigNames = ["hugo.toml", "hugo.yaml", "hugo.yml", "config.toml", "config.yaml", "config.yml"]

    private static func jekyll(_ directory: URL, configName: String?) -> SiteSketch {
        var sketch = SiteSketch(shape: .jekyll, sourceKind: FilesSource.kindName)
        sketch.folder = "_posts"
        // Jekyll copies every folder not starting with `_` into the built site: the feeds are
        // served beside the pages, where `feeds.public_url`'s default says.
        sketch.output = "feeds"
        let settings = configName.flatMap { readSettings(directory.appendingPathComponent($0), name: $0, into: &sketch) }
        if let configName, let settings {
            sketch.origin = configName
            sketch.title = settings["title"]?.text
            if let url = settings["url"]?.text, !url.isEmpty {
                sketch.url = ConfigLoader.withoutTrailingSlash(url) + ConfigLoader.withoutTrailingSlash(settings["baseurl"]?.text ?? "")
            }
            sketch.timezone = settings["timezone"]?.text
            sketch.language = settings["lang"]?.text
            sketch.description = settings["description"]?.text
            sketch.author = settings["author"]?.text ?? settings["author"]?["name"]?.text
        }
        let (permalink, note) = PermalinkTranslation.jekyll(settings?["permalink"]?.text)
        sketch.permalink = permalink
        note.map { sketch.notes.append("\(configName ?? "Jekyll"): \($0)") }
        // Jekyll copies every file whose name starts with neither `_` nor `.` into the site it
        // publishes: `credentials` with it, unless `exclude` names it. init changes no file of
        // the user's, so it says so, first.
        let excluded = settings?["exclude"]?.list ?? []
        let published = fileNames.filter { !excluded.contains($0) }
        if !published.isEmpty {
            sketch.notes.insert("Jekyll publishes every file not starting with _ or . (credentials too): add "
                                + "exclude: [\(published.joined(separator: ", "))] to \(configName ?? "_config.yml") before the next jekyll build",
                                at: 0)
        }
        fillPlaceholders(&sketch, fallbackTitle: directory.standardizedFileURL.lastPathComponent)
        return sketch
    }

    private static func hugo(_ directory: URL, configName: String, section: String?) -> SiteSketch {
        var sketch = SiteSketch(shape: .hugo, sourceKind: FilesSource.kindName)
        sketch.folder = section.map { "content/\($0)" } ?? "content"
        // Hugo publishes `static/` as the site's root: the feeds are served at /feeds/, where
        // `feeds.public_url`'s default says.
        sketch.output = "static/feeds"
        if var settings = readSettings(directory.appendingPathComponent(configName), name: configName, into: &sketch) {
            sketch.origin = configName
            if configName.hasPrefix("config/_default/") {
                for table in ["params", "permalinks"] where settings[table] == nil {
                    let names = ["toml", "yaml", "yml"].map { "config/_default/\(table).\($0)" }
                    guard let name = names.first(where: { FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path) }),
                          let values = readSettings(directory.appendingPathComponent(name), name: name, into: &sketch) else { continue }
                    settings[table] = values
                }
            }
            sketch.title = settings["title"]?.text
            sketch.url = settings["baseurl"]?.text.map(ConfigLoader.withoutTrailingSlash)
            sketch.timezone = settings["timezone"]?.text
            sketch.language = settings["languagecode"]?.text
            sketch.description = settings["params"]?["description"]?.text
            sketch.author = settings["params"]?["author"]?.text ?? settings["author"]?.text ?? settings["author"]?["name"]?.text
            // `[permalinks] posts = …`, or Hugo 0.120's `[permalinks.page] posts = …`.
            let own = section.flatMap { settings["permalinks"]?[$0]?.text ?? settings["permalinks"]?["page"]?[$0]?.text }
            let (permalink, note) = PermalinkTranslation.hugo(own, section: section)
            sketch.permalink = permalink
            note.map { sketch.notes.append("\(configName): \($0)") }
        } else {
            sketch.permalink = PermalinkTranslation.hugo(nil, section: section).permalink
        }
        fillPlaceholders(&sketch, fallbackTitle: directory.standardizedFileURL.lastPathComponent)
        return sketch
    }

    /// A site's own settings file (YAML through Yams, TOML through TOMLKit), its keys in
    /// lower case (Hugo's are case-insensitive; Jekyll's are lower case anyway); nil, with a
    /// note, when it cannot be read.
    private static func readSettings(_ url: URL, name: String, into sketch: inout SiteSketch) -> FoundSettings? {
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            sketch.notes.append("\(name): cannot be read as UTF-8 text; [site] values are placeholders")
            return nil
        }
        do {
            if name.hasSuffix(".toml") {
                // Two forms of invalid TOML make TOMLKit's parser abort the process: refused first.
                if let problem = TOMLPreflight.problem(in: text) { throw SiteInitError("line \(problem.line): \(problem.message)") }
                return FoundSettings(try TOMLTable(string: text))
            }
            return try Yams.compose(yaml: text).map(FoundSettings.init) ?? .table([:])
        } catch {
            let message = String(describing: error).split(separator: "\n").first.map(String.init) ?? "invalid"
            sketch.notes.append("\(name): cannot be read (\(message)); [site] values are placeholders")
            return nil
        }
    }

    /// Placeholders for what the site did not say, checked as `syndicate.toml` checks them,
    /// so that `check` and `build` work before any edit; each is named in `missing`.
    static func fillPlaceholders(_ sketch: inout SiteSketch, fallbackTitle: String) {
        if sketch.title?.isEmpty ?? true {
            sketch.title = fallbackTitle
            sketch.missing.append("title")
        }
        if let url = sketch.url, !ConfigTable.isHTTPURL(url) || URL(string: url)?.user != nil || URL(string: url)?.password != nil {
            sketch.notes.append("site.url \"\(url)\" is not an absolute http(s) URL without a user name: a placeholder is used")
            sketch.url = nil
        }
        if sketch.url == nil {
            sketch.url = "https://example.org"
            sketch.missing.append("url")
        }
        if let zone = sketch.timezone, TimeZone(identifier: zone) == nil {
            sketch.notes.append("time zone \"\(zone)\" is not an IANA name: UTC is used")
            sketch.timezone = nil
        }
        if sketch.timezone?.isEmpty ?? true {
            sketch.timezone = "UTC"
            sketch.missing.append("timezone")
        }
        if let language = sketch.language,
           language.isEmpty || !language.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
            sketch.language = nil
        }
    }
}

/// A site's settings file as a tree of text: what `init` reads of `_config.yml` and
/// `hugo.toml` alike.
indirect enum FoundSettings {
    case text(String)
    case table([String: FoundSettings])
    /// A list of text (Jekyll's `exclude`); other lists are `other`.
    case list([String])
    case other

    init(_ node: Node) {
        if let mapping = node.mapping {
            var table: [String: FoundSettings] = [:]
            for (key, value) in mapping {
                if let key = key.string { table[key.lowercased()] = FoundSettings(value) }
            }
            self = .table(table)
        } else if let scalar = node.scalar {
            self = .text(scalar.string)
        } else if let sequence = node.sequence {
            self = .list(sequence.compactMap(\.string))
        } else {
            self = .other
        }
    }

    init(_ table: TOMLTable) {
        var values: [String: FoundSettings] = [:]
        for key in table.keys {
            guard let value = table[key] else { continue }
            if let string = value.string {
                values[key.lowercased()] = .text(string)
            } else if let nested = value.table {
                values[key.lowercased()] = FoundSettings(nested)
            } else {
                values[key.lowercased()] = .other
            }
        }
        self = .table(values)
    }

    subscript(key: String) -> FoundSettings? {
        get {
            guard case .table(let table) = self else { return nil }
            return table[key]
        }
        set {
            guard case .table(var table) = self else { return }
            table[key] = newValue
            self = .table(table)
        }
    }

    /// The value when it is a list of text.
    var list: [String]? {
        guard case .list(let list) = self else { return nil }
        return list
    }

    /// The value when it is text, trimmed; nil when empty.
    var text: String? {
        guard case .text(let text) = self else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }
}
