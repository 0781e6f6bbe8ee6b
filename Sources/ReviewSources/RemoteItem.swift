import Foundation

/// One item of a remote source (a WordPress post, a feed's entry) as its source gave it,
/// before it becomes a `Review`: the one shape every remote source maps into, so that every
/// remote source gives the same facts (docs/SPEC.md §9). Codable: remote sources keep their
/// last good copy as these.
public struct RemoteItem: Sendable, Codable, Equatable {
    /// The stable identity the ledger keys deliveries on (`Review.id`): `wordpress:ID` for a
    /// WordPress post (also when it is read through its feed, whose guid is `…?p=ID`), else
    /// `feed:` and the item's guid or id, normalised like a link when it is one.
    public var id: String
    /// The item's permalink, absolute.
    public var link: String
    /// The item's own slug where its source has one (WordPress); else derived from `link`.
    public var slug: String?
    /// The post's own title, entities decoded: the review's headline, or the film's title when
    /// the body names none.
    public var title: String
    /// Publication time; nil when the source gave none readable.
    public var published: Date?
    public var modified: Date?
    /// The body as the source served it (HTML, not yet sanitised).
    public var html: String
    /// A summary the author wrote (WordPress's hand-written excerpt, a feed's summary), as
    /// HTML; nil when there is none or it was generated from the body.
    public var excerptHTML: String?
    /// Categories and tags, as the source names them.
    public var categories: [String]
    public var image: String?
    public var imageAlt: String?
    public var imageCredit: String?
    /// Not published (a WordPress draft, pending or private post): never a review.
    public var draft: Bool

    public init(id: String, link: String, slug: String? = nil, title: String, published: Date?, modified: Date? = nil,
                html: String, excerptHTML: String? = nil, categories: [String] = [], image: String? = nil,
                imageAlt: String? = nil, imageCredit: String? = nil, draft: Bool = false) {
        self.id = id
        self.link = link
        self.slug = slug
        self.title = title
        self.published = published
        self.modified = modified
        self.html = html
        self.excerptHTML = excerptHTML
        self.categories = categories
        self.image = image
        self.imageAlt = imageAlt
        self.imageCredit = imageCredit
        self.draft = draft
    }
}
