import Foundation
import HTTP
import Reviews

/// Where a review's image is on this machine (docs/SPEC.md §10): a path on the site, looked
/// up as `static/PATH` (Hugo) then `PATH` (Jekyll), or an http(s) URL, fetched once into
/// `.syndicate/cache/images/`. The cards and the adapters that upload an image all find it here.
package struct ReviewImage: Sendable {
    package let siteDirectory: URL
    /// `site.url`: an image at an address under it is looked for among the site's files first.
    package let siteURL: String

    package init(site: Site) {
        siteDirectory = site.directory
        siteURL = site.config.site.url
    }

    /// What a review's `image` names.
    package enum Location: Sendable, Equatable {
        /// A file of the site, by its absolute path.
        case file(String)
        /// A remote image and the file it is (or will be) cached in.
        case remote(url: String, cache: String)
    }

    /// Where `image` is, or why it cannot be used.
    package func locate(_ image: String) -> Result<Location, ImageProblem> {
        let trimmed = image.trimmingCharacters(in: .whitespaces)
        let lower = trimmed.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") || trimmed.hasPrefix("//") {
            let url = trimmed.hasPrefix("//") ? "https:" + trimmed : trimmed
            // The site's own address (a files source makes `assets/x.jpg` absolute): its file,
            // when the site folder has it, rather than a fetch of what may not be published yet.
            if !siteURL.isEmpty, url.hasPrefix(siteURL + "/"), case .success(let file) = locate(String(url.dropFirst(siteURL.count))) {
                return .success(file)
            }
            return .success(.remote(url: url, cache: cachePath(url)))
        }
        // A path on the site: never outside it, never another scheme.
        var path = trimmed.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        path = path.removingPercentEncoding ?? path
        let parts = path.split(separator: "/").filter { $0 != "." }
        guard !parts.isEmpty, !parts.contains(".."), !trimmed.contains(":") else {
            return .failure(ImageProblem("\"\(image)\" is neither an http(s) URL nor a path on the site"))
        }
        let relative = parts.joined(separator: "/")
        for candidate in ["static/" + relative, relative] {
            let full = siteDirectory.path + "/" + candidate
            var info = stat()
            if stat(full, &info) == 0, info.st_mode & S_IFMT == S_IFREG { return .success(.file(full)) }
        }
        return .failure(ImageProblem("no such file: static/\(relative) or \(relative)"))
    }

    /// The image's file if it is on this machine now: the site's file, or the remote image's
    /// cached copy. Offline, for the adapters (`build` fetches remote images).
    package func localFile(_ image: String?) -> String? {
        guard let image, case .success(let location) = locate(image) else { return nil }
        switch location {
        case .file(let path): return path
        case .remote(_, let cache): return FileStat(cache) != nil ? cache : nil
        }
    }

    /// The file a remote image is cached in: named by the URL's digest, so two reviews with
    /// one poster share it.
    func cachePath(_ url: String) -> String {
        var hasher = FNV64()
        hasher.add(url)
        return siteDirectory.path + "/.syndicate/cache/images/" + hasher.hex
    }

    /// The most of a remote image fetched: far above any poster; a larger answer is refused.
    static let maximumDownload = 50 << 20

    /// Fetches a remote image into its cache file, unless it is there already.
    /// - Returns: why it could not be fetched, or nil.
    package func fetch(_ url: String, into cache: String, http: any HTTPClient, timeout: Double) async -> ImageProblem? {
        if FileStat(cache) != nil { return nil }
        var request = HTTPRequest(method: "GET", url: url, timeout: timeout)
        request.maximumBody = Self.maximumDownload
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            return ImageProblem("\(url): \(error)")
        }
        guard response.status == 200, response.bodyComplete, !response.body.isEmpty else {
            return ImageProblem("\(url): HTTP \(response.status)\(response.bodyComplete ? "" : ", the answer was cut short")")
        }
        CacheFile.write(response.body, to: URL(fileURLWithPath: cache))
        return FileStat(cache) == nil ? ImageProblem("\(url): cannot be cached in .syndicate/cache/images/") : nil
    }

    /// A review's card: `{feeds.output}/social/SLUG-4x5.jpg`.
    package static func cardPath(slug: String, site: Site) -> String {
        site.feedsDirectory.appendingPathComponent(cardsFolder).path + "/" + cardName(slug: slug)
    }

    /// The card's path relative to the output folder.
    package static func cardName(slug: String) -> String { slug + "-4x5.jpg" }
    package static let cardsFolder = "social"
}

/// Why a review's image cannot be used: said in the warning that names the review.
package struct ImageProblem: Error, Sendable, Equatable, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// The media type of an image file, told by its first bytes (a cached remote image has no
/// extension, and a site's file may have the wrong one); nil for anything else.
package enum ImageType {
    package static func of(_ bytes: Data) -> String? {
        let head = [UInt8](bytes.prefix(12))
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        if head.starts(with: Array("GIF8".utf8)) { return "image/gif" }
        if head.count == 12, head.starts(with: Array("RIFF".utf8)), Array(head[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        return nil
    }

    /// A file name extension for the type.
    package static func fileExtension(_ type: String) -> String {
        switch type {
        case "image/png": return "png"
        case "image/gif": return "gif"
        case "image/webp": return "webp"
        default: return "jpg"
        }
    }
}
