import Foundation
import HTTP
import Reviews

/// Every source kind Syndicate knows, and what is done with a kind by its name.
///
/// Adding a kind: write it in a file of its own, conforming to `SourceKind`, and add its type
/// to `all`. Nothing else names a kind.
public enum SourceKinds {
    /// The registry: the only list of kinds.
    public static let all: [any SourceKind.Type] = [FilesSource.self, WordPressSource.self, FeedSource.self]

    /// The kind named `kind` in `[source]`.
    public static func named(_ kind: String) -> (any SourceKind.Type)? {
        all.first { $0.kindName == kind }
    }

    /// Checks `[source]`'s kind and reads its keys, reporting problems to its table
    /// (`ConfigLoader.SourceCheck`).
    public static func check(_ source: inout SourceConfig) {
        guard let kind = named(source.kind) else {
            source.table.report("kind", "unknown kind \"\(source.kind)\" (one of: \(all.map { $0.kindName }.joined(separator: ", ")))")
            return
        }
        _ = kind.options(&source.table)
        source.table.rejectUnknown()
    }

    /// The source of a site whose config has been checked.
    public static func make(_ context: SourceContext) -> any ReviewSource {
        guard let kind = named(context.config.source.kind) else {
            preconditionFailure("[source] kind \(context.config.source.kind) in a config that was not checked")
        }
        return make(kind, context)
    }

    private static func make<Kind: SourceKind>(_ kind: Kind.Type, _ context: SourceContext) -> Kind {
        var table = context.config.source.table
        return Kind(context, options: Kind.options(&table))
    }

    /// Reads a site's reviews through its source.
    /// - Throws: `Diagnostics` when the source has nothing to read from (`ReviewSource.read`).
    public static func loadSite(_ context: SourceContext) async throws -> (site: Site, fallback: String?) {
        let reading = try await make(context).read()
        return (Site(directory: context.siteDirectory, config: context.config, reviews: reading.reviews,
                     diagnostics: reading.diagnostics), reading.fallback)
    }
}
