import Foundation

/// Finds the review files of a files source (docs/SPEC.md §9): `.md` and `.markdown` files in
/// the folder and its subfolders, a Hugo page bundle (`NAME/index.md`) as one review, and
/// nothing whose name starts with `_` or `.` (`_index.md`, `.git`, `_drafts`).
public enum ReviewFolder {
    /// Every review file under the folder, as paths relative to the site, sorted.
    /// - Throws: `Diagnostics` when the folder is missing, not a folder or unreadable. That is
    ///   a config error, not an empty site: building from it would empty every feed.
    public static func entries(in siteDirectory: URL, settings: FilesSettings) throws -> [String] {
        let folder = settings.folder
        /// Where the fix is: the `folder` line when it is written, else the folder itself
        /// (`reviews:1: reviews: …`, as before sources).
        func problem(configured: String, default message: String) -> Diagnostics {
            if let line = settings.folderLine {
                return Diagnostics([Diagnostic(file: ConfigLoader.fileName, line: line, key: "source.folder", message: "\"\(folder)\" \(configured)")])
            }
            return Diagnostics([Diagnostic(file: folder, line: 1, key: folder, message: message)])
        }
        let top = siteDirectory.path + "/" + folder
        var info = stat()
        guard stat(top, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            throw errno == ENOENT
                ? problem(configured: "is missing: there is no such folder in the site folder",
                          default: "the reviews folder is missing: reviews are read from reviews/ in the site folder (or set [source] folder)")
                : problem(configured: "cannot be read: \(reason)", default: "the reviews folder cannot be read: \(reason)")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw problem(configured: "is not a folder", default: "is not a folder: reviews are read from reviews/ in the site folder (or set [source] folder)")
        }
        guard var listing = Listing(top) else {
            throw problem(configured: "cannot be read (check its permissions)", default: "the reviews folder cannot be read (check its permissions)")
        }
        var entries: [String] = []
        walk(&listing, relative: folder, isTop: true, into: &entries)
        return entries.sorted()
    }

    /// Whether a file name is a review file's (`.md` or `.markdown`, not hidden, not `_…`).
    static func isReviewFile(_ name: String) -> Bool {
        (name.hasSuffix(".md") || name.hasSuffix(".markdown")) && !isIgnored(name)
    }

    static func isIgnored(_ name: String) -> Bool { name.hasPrefix(".") || name.hasPrefix("_") }

    private static func walk(_ listing: inout Listing, relative: String, isTop: Bool, into entries: inout [String]) {
        let children = listing.read()
        // A leaf bundle: its index is the page, every other file in it a resource of that page.
        if !isTop, let index = children.first(where: { !$0.isFolder && ($0.name == "index.md" || $0.name == "index.markdown") }) {
            entries.append(relative + "/" + index.name)
            return
        }
        for child in children where !isIgnored(child.name) {
            let path = relative + "/" + child.name
            // A folder named like a review file is a mistake to report, not one to walk
            // (loading it says "not a regular file").
            if child.isFolder, !isReviewFile(child.name) {
                if var sub = Listing(listing.path + "/" + child.name) {
                    walk(&sub, relative: path, isTop: false, into: &entries)
                } else {
                    // Listed so that loading it reports it, rather than its reviews vanishing.
                    entries.append(path)
                }
            } else if isReviewFile(child.name) {
                entries.append(path)
            }
        }
    }

    /// One folder's entries through readdir, not FileManager: a name that is not UTF-8 is kept,
    /// escaped, so that loading names it rather than it vanishing or another file being reported.
    private struct Listing {
        let path: String
        private let handle: OpaquePointer

        init?(_ path: String) {
            guard let handle = opendir(path) else { return nil }
            self.path = path
            self.handle = handle
        }

        /// Every entry but `.` and `..`, then closes the folder. Symbolic links are never
        /// followed into folders (no loops); one named like a review file is read as one.
        func read() -> [(name: String, isFolder: Bool)] {
            defer { closedir(handle) }
            var children: [(name: String, isFolder: Bool)] = []
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> String in
                    let bytes = Array(raw.prefix { $0 != 0 })
                    return String(bytes: bytes, encoding: .utf8)
                        ?? bytes.map { $0 < 0x80 ? String(UnicodeScalar($0)) : String(format: "\\x%02X", $0) }.joined()
                }
                if name == "." || name == ".." { continue }
                var isFolder = Int32(entry.pointee.d_type) == Int32(DT_DIR)
                if Int32(entry.pointee.d_type) == Int32(DT_UNKNOWN) {
                    // Some file systems do not fill d_type: ask lstat, which does not follow links.
                    var info = stat()
                    isFolder = lstat(path + "/" + name, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
                }
                children.append((name, isFolder))
            }
            return children
        }
    }
}
