import Foundation
import GRDB

/// The delivery ledger: `.syndicate/ledger.sqlite` (SQLite in WAL mode, through GRDB), docs/SPEC.md §6.
///
/// Every state change is one short transaction, so a crash leaves each delivery in a state it
/// really was in. The ledger knows nothing about HTTP or adapters. Its schema and opening are
/// in LedgerSchema.swift, its queries in Ledger+Reads.swift, its changes in Ledger+Writes.swift.
public final class Ledger: Sendable {
    public static let relativePath = ".syndicate/ledger.sqlite"

    /// One connection: a command makes its requests to the ledger one after another, and WAL
    /// lets other processes (`status` during a `post`) read while this one writes.
    let database: DatabaseQueue

    /// Opens (creating if needed) the ledger of a site and brings its schema up to date.
    public init(siteDirectory: URL) throws {
        database = try Self.open(siteDirectory.appendingPathComponent(Self.relativePath))
    }

    /// Every write goes through here: one IMMEDIATE transaction (it takes the write lock at
    /// its start, waiting out another process's write, rather than failing halfway) that also
    /// moves the change counter, which lets a cron no-op know that nothing changed since it
    /// last looked (`IdleMarker`).
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try database.write { db in
            try db.cachedStatement(sql: "UPDATE meta SET value = value + 1 WHERE key = 'version'").execute()
            return try body(db)
        }
    }

    /// The change counter of a site's ledger, read without opening it for writing (so
    /// nothing is created, migrated or checkpointed); nil when there is no ledger yet.
    public static func peekVersion(siteDirectory: URL) -> Int64? {
        let path = siteDirectory.appendingPathComponent(relativePath).path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        guard let queue = try? DatabaseQueue(path: path, configuration: configuration) else { return nil }
        return try? queue.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'version'") }
    }

    /// The change counter: it moves on every write through this type.
    public func version() throws -> Int64 {
        try database.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'version'") ?? 0 }
    }
}

/// A SQLite error, in one line that names the ledger file (GRDB's own description names
/// neither the file nor stays short).
public struct LedgerError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    init(path: String, _ error: DatabaseError) {
        self.path = path
        message = (error.message ?? "SQLite error \(error.resultCode.rawValue)").replacingOccurrences(of: "\n", with: " ")
    }

    public var description: String { "\(path): \(message)" }

    /// The one-line description of a ledger error thrown anywhere (a read or write after
    /// opening too), or nil for any other error.
    public static func describe(_ error: any Error, siteDirectory: URL) -> String? {
        if let error = error as? LedgerError { return error.description }
        guard let error = error as? DatabaseError else { return nil }
        return LedgerError(path: siteDirectory.appendingPathComponent(Ledger.relativePath).path, error).description
    }
}
