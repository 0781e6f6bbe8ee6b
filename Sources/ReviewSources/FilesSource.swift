import Foundation
import Reviews

/// `kind = "files"` (the default): review files with front matter in a folder of the site
/// (docs/SPEC.md §9).
public struct FilesSource: SourceKind {
    public struct Options: Sendable {
        /// The folder of review files, relative to the site.
        public var folder = "reviews"
        /// Keep only reviews with one of these categories, tags or genres; empty keeps all.
        public var only: [String] = []
    }

    public static let kindName = "files"

    public static func options(_ table: inout ConfigTable) -> Options {
        var options = Options()
        if let folder = table.string("folder") { options.folder = folder }
        _ = table.value("only")
        return options
    }

    private let context: SourceContext
    private let options: Options

    public init(_ context: SourceContext, options: Options) {
        self.context = context
        self.options = options
    }

    public func read() async throws -> SourceReading {
        let (reviews, diagnostics) = try ReviewLoader(config: context.config).loadAll(in: context.siteDirectory)
        return SourceReading(reviews: reviews, diagnostics: diagnostics)
    }
}
