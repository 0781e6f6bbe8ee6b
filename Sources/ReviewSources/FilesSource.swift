import Foundation
import Reviews

/// `kind = "files"` (the default): review files with front matter in a folder of the site
/// (docs/SPEC.md §9).
public struct FilesSource: SourceKind {
    /// `folder` and `only`; the Reviews target reads them, since its loader, the caches'
    /// fingerprint and the posting index all need them.
    public typealias Options = FilesSettings

    public static let kindName = "files"

    public static func options(_ table: inout ConfigTable) -> Options { FilesSettings.read(&table) }

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
