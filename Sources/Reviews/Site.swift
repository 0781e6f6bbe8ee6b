import Foundation

/// A site folder: its config and its reviews, the problems found in them, and the URLs built
/// from them.
public struct Site: Sendable {
    public var directory: URL
    public var config: SiteConfig
    /// Every valid review, drafts and future ones included, ordered newest first (ties by slug).
    public var reviews: [Review] { didSet { hugoPages = HugoPages.Lazy() } }
    /// The reviews by the names Hugo's `ref` and `relref` give them, built on first use.
    private var hugoPages = HugoPages.Lazy()
    /// One entry per problem in `reviews/`, in file order.
    public var diagnostics: [Diagnostic]

    public init(directory: URL, config: SiteConfig, reviews: [Review], diagnostics: [Diagnostic] = []) {
        self.directory = directory
        self.config = config
        self.reviews = reviews
        self.diagnostics = diagnostics
    }

    /// Loads the config and every review.
    /// - Throws: `Diagnostics` when `syndicate.toml` is missing or invalid, or the reviews
    ///   folder is; review problems never throw, they land in `diagnostics`.
    public static func load(_ directory: URL) throws -> Site {
        try load(directory, config: ConfigLoader.load(siteDirectory: directory))
    }

    /// Loads every review of a site whose config is loaded already.
    /// - Throws: `Diagnostics` when the reviews folder is missing or unreadable.
    public static func load(_ directory: URL, config: SiteConfig) throws -> Site {
        let (reviews, diagnostics) = try ReviewLoader(config: config).loadAll(in: directory)
        return Site(directory: directory, config: config, reviews: reviews, diagnostics: diagnostics)
    }

    /// Published reviews (not drafts, not in the future), newest first.
    public func published(at now: Date) -> [Review] { reviews.filter { $0.isPublished(at: now) } }

    /// The absolute permalink of a review: its own when its source gives one, else `site.permalink`'s.
    public func permalink(_ review: Review) -> String { review.permalink ?? config.site.permalink(slug: review.slug, date: review.date) }

    /// Where the template tags that name a link point (`TemplateTags`): a Jekyll
    /// `{% post_url NAME %}` or `{% link _posts/NAME.md %}` to the permalink that
    /// `site.permalink` gives NAME's slug and date (a link to another page, `{% link about.md %}`,
    /// to `/about.html`, as Jekyll writes it); `{{ site.baseurl }}` and its kin to `site.url`.
    /// Hugo's `ref` and `relref` name no page here (`templateLinks(for:at:)` gives them one).
    public var templateLinks: TemplateTags.Links {
        let settings = config.site
        return TemplateTags.Links(siteURL: settings.url) { name in
            var target = Substring(name)
            let isPost = target.hasPrefix("_posts/") || !target.contains("/")
            if !isPost {
                if target.hasSuffix(".md") { target = target.dropLast(3) + ".html" } else if target.hasSuffix(".markdown") { target = target.dropLast(9) + ".html" }
                return settings.url + "/" + target.drop { $0 == "/" }
            }
            let file = String(target.split(separator: "/").last ?? target)
            let slug = FrontMatterParser.defaultSlug(fileName: file)
            guard let prefix = FrontMatterParser.datePrefix(Substring(file)),
                  let date = SiteDate.parse(String(prefix), timeZone: settings.timeZone), FrontMatterParser.isUsableSlug(slug) else { return nil }
            return settings.permalink(slug: slug, date: date)
        }
    }

    /// `templateLinks` for the Markdown of `review`, with Hugo's `{{< ref "PATH" >}}` and
    /// `{{< relref "PATH" >}}` too: the permalink (`permalink(_:)`) of the review PATH names,
    /// as Hugo resolves it from `review` (`HugoPages`), with its `#anchor`; nothing when PATH
    /// names no review published at `now`, or more than one. Both give the absolute URL: a feed
    /// needs one, and Hugo's relative `relref` would be made absolute against the review anyway.
    public func templateLinks(for review: Review, at now: Date) -> TemplateTags.Links {
        var links = templateLinks
        links.pageURL = { [self] reference in
            let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
            let path = String(parts[0]).trimmingCharacters(in: .whitespaces)
            let anchor = parts.count > 1 ? String(parts[1]) : ""
            // `ref "#anchor"`: a place in the review itself.
            // The index is built by the first review that has a `ref` at all.
            guard let target = path.isEmpty ? (anchor.isEmpty ? nil : review) : hugoPages.get(reviews).review(path, from: review),
                  target.isPublished(at: now) else { return nil }
            let fragment = anchor.addingPercentEncoding(withAllowedCharacters: Self.fragmentCharacters) ?? ""
            return permalink(target) + (fragment.isEmpty ? "" : "#" + fragment)
        }
        return links
    }

    /// What an anchor keeps as written; anything else is percent-encoded, so that it can
    /// neither end a Markdown link's destination nor bend the URL.
    private static let fragmentCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    /// A site-relative or page-relative URL made absolute against the site.
    public func absoluteURL(_ url: String, relativeTo review: Review? = nil) -> String {
        let base = URL(string: review.map(permalink) ?? (config.site.url + "/"))!
        return URLResolver.absolute(url, base: base)
    }

    /// Where the feeds folder is served, ending in `/`.
    public var feedsPublicURL: String {
        config.feeds.publicURL.isEmpty ? config.site.url + "/" + config.feeds.output + "/" : config.feeds.publicURL
    }

    /// The folder the feeds are written into.
    public var feedsDirectory: URL { directory.appendingPathComponent(config.feeds.output, isDirectory: true) }
}

/// Reads a files source's review files in parallel, keeps those `only` selects, and settles
/// duplicate slugs.
public struct ReviewLoader: Sendable {
    public var config: SiteConfig
    /// `[source]`'s folder and `only`.
    public var settings: FilesSettings

    public init(config: SiteConfig) {
        self.config = config
        settings = FilesSettings(config)
    }

    /// The review files of the site (`ReviewFolder`), sorted by path.
    /// - Throws: `Diagnostics` when the folder is missing, not a folder or unreadable.
    public func reviewFiles(in directory: URL) throws -> [String] {
        try ReviewFolder.entries(in: directory, settings: settings)
    }

    /// One review file, by its path relative to the site (`reviews/x.md`). One that `only`
    /// leaves out (edited since it was listed) is a problem of its own.
    public func load(_ path: String, in directory: URL) -> Result<Review, ReviewProblems> {
        loadIfSelected(path, in: directory) ?? .failure(ReviewProblems([
            Diagnostic(file: path, line: 1, key: "source.only", message: "none of its categories, tags or genres is one of \(settings.only); left out"),
        ]))
    }

    /// The name that gives a file's default slug and date: a bundle's folder name for
    /// `NAME/index.md` below the folder, else the file's own name.
    func defaultsName(_ path: String) -> String {
        let parts = path.split(separator: "/")
        let name = parts.last.map(String.init) ?? path
        let depth = parts.count - settings.folder.split(separator: "/").count
        return depth >= 2 && (name == "index.md" || name == "index.markdown") ? String(parts[parts.count - 2]) : name
    }

    /// One review file, or nil when `only` leaves it out.
    func loadIfSelected(_ path: String, in directory: URL) -> Result<Review, ReviewProblems>? {
        // A path string, not `URL.appendingPathComponent`, whose normalising was 6 % of a cold
        // build's CPU at 10,000 reviews.
        let file = directory.path + "/" + path
        switch RegularFile.read(file) {
        case .success(let data):
            var parser = FrontMatterParser(timeZone: config.site.timeZone)
            parser.only = settings.only
            parser.siteURL = config.site.url
            return parser.parseIfSelected(data, path: path, name: defaultsName(path))
        case .failure(let failure):
            let escaped = path.contains("\\x") && !FileManager.default.fileExists(atPath: file)
            let isFolder = !ReviewFolder.isReviewFile(path.split(separator: "/").last.map(String.init) ?? path)
            let message = escaped ? "the file name is not valid UTF-8: rename the file"
                : isFolder ? "the folder cannot be read (check its permissions)"
                : failure == .notRegular ? "not a regular file; skipped" : "cannot be read"
            return .failure(ReviewProblems([Diagnostic(file: path, line: 1, key: "file", message: message)]))
        }
    }

    /// - Throws: `Diagnostics` when the reviews folder itself is missing or unreadable.
    public func loadAll(in directory: URL) throws -> (reviews: [Review], diagnostics: [Diagnostic]) {
        let files = try reviewFiles(in: directory)
        let load = { @Sendable (path: String) in self.loadIfSelected(path, in: directory) }
        let results = ParallelMap.map(files, load)
        var reviews: [Review] = []
        var diagnostics: [Diagnostic] = []
        var slugOwners: [String: String] = [:]
        for result in results {
            switch result {
            case nil:
                continue
            case .success(let review)?:
                if let owner = slugOwners[review.slug] {
                    diagnostics.append(Diagnostic(file: review.source, line: 1, key: "slug",
                                                  message: "duplicate slug \"\(review.slug)\" (also used by \(owner)); this review is left out"))
                } else {
                    slugOwners[review.slug] = review.source
                    reviews.append(review)
                }
            case .failure(let problems)?:
                diagnostics.append(contentsOf: problems.diagnostics)
            }
        }
        reviews.sort { $0.date != $1.date ? $0.date > $1.date : $0.slug < $1.slug }
        return (reviews, diagnostics)
    }
}

/// `map` over all cores. Each slot of the result is written by exactly one iteration.
package enum ParallelMap {
    package static func map<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
        let slots = Slots<R>(count: items.count)
        let chunk = max(1, items.count / (ProcessInfo.processInfo.activeProcessorCount * 8))
        let chunks = (items.count + chunk - 1) / chunk
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            for i in (c * chunk)..<min(items.count, (c + 1) * chunk) {
                slots.set(i, transform(items[i]))
            }
        }
        return slots.values()
    }

    /// Storage that concurrent iterations write into, each at its own index only: that
    /// discipline, not a lock, is what makes it safe, hence `@unchecked`.
    private final class Slots<R>: @unchecked Sendable {
        private let buffer: UnsafeMutablePointer<R?>
        private let count: Int
        init(count: Int) {
            self.count = count
            buffer = .allocate(capacity: count)
            buffer.initialize(repeating: nil, count: count)
        }
        deinit {
            buffer.deinitialize(count: count)
            buffer.deallocate()
        }
        func set(_ index: Int, _ value: R) { buffer[index] = value }
        func values() -> [R] { (0..<count).map { buffer[$0]! } }
    }
}

/// Reads a file only when it is a regular one.
public enum RegularFile {
    public enum Failure: Error, Equatable { case notRegular, unreadable }

    /// The file's bytes. It is opened without blocking and checked before it is read, so a
    /// FIFO (or a device, or a folder) named like a review is skipped instead of waited on
    /// forever, even when it replaces a regular file between listing and reading.
    public static func read(_ path: String) -> Result<Data, Failure> {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(.unreadable) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return .failure(.unreadable) }
        guard info.st_mode & S_IFMT == S_IFREG else { return .failure(.notRegular) }
        do {
            return .success(try handle.readToEnd() ?? Data()) // nil: an empty file
        } catch {
            return .failure(.unreadable)
        }
    }
}
