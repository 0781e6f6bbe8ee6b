import Foundation

/// Removes files a build wrote and no longer wants (stale genre feeds, stale review cards),
/// from one folder only and never through a symbolic link: the folder is opened with
/// `O_NOFOLLOW`, and an entry is removed only when it is still a regular file (a link put in
/// its place stays). A name with a `/` is never touched.
package enum OwnedFiles {
    /// - Returns: the names removed.
    package static func remove(_ names: [String], in folder: URL) -> [String] {
        guard !names.isEmpty else { return [] }
        let descriptor = open(folder.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return [] }
        defer { close(descriptor) }
        var removed: [String] = []
        for name in names where !name.contains("/") && !name.isEmpty {
            var info = stat()
            guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            if unlinkat(descriptor, name, 0) == 0 { removed.append(name) }
        }
        return removed
    }
}
