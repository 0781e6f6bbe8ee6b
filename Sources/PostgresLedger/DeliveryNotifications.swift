import CPostgres
import Foundation

/// LISTEN/NOTIFY on the shared ledger (docs/SPEC.md §11): a `post --watch` worker hears that a
/// delivery was created or made due (another worker's `post`, `build`'s ping, a `repost`, a
/// `retry`) within a fraction of a second, without asking the database again and again.
///
/// The store's `insert` and `update` send a notification on `channel` with the site id as
/// payload, delivered when their transaction commits; a worker of another site ignores it.
/// Its own connection: a listening connection must not be held by anyone else's transaction.
public final class DeliveryNotifications: Sendable {
    static let channel = "syndicate_delivery"
    private let connection: PGConnection
    private let site: String

    public init(url: String, password: String?, site: String) throws {
        connection = try PGConnection(url: url, password: password)
        self.site = site
        try connection.session { try $0.execute("LISTEN \(Self.channel)") }
    }

    /// Whether a notification for this site arrived since the last call. Never waits: it
    /// reads what the server has sent already.
    public func received() -> Bool {
        let site = self.site
        return connection.withRawConnection { raw in
            guard PQconsumeInput(raw) == 1 else { return false }
            var found = false
            while let notification = PQnotifies(raw) {
                if let extra = notification.pointee.extra, String(cString: extra) == site { found = true }
                PQfreemem(notification)
            }
            return found
        }
    }
}
