import Foundation
import GRDB
import GRDBSQLite

/// A statement compiled once by GRDB and then bound and stepped on SQLite's C API.
///
/// For the few statements that run for every post: GRDB's per-execution bookkeeping
/// (argument boxing, observation and scheduling checks, compiling `BEGIN` and `COMMIT`
/// anew each time) cost more than the SQLite work itself. Only used inside
/// `DatabaseQueue.writeWithoutTransaction`, which serialises every use of the connection.
struct DirectStatement {
    /// A value to bind, without the existential boxing of `DatabaseValueConvertible`.
    enum Value {
        case integer(Int64)
        case real(Double)
        case text(String)
        case blob(Data)
        case null

        static func text(_ value: String?) -> Value { value.map { .text($0) } ?? .null }
        static func real(_ value: Double?) -> Value { value.map { .real($0) } ?? .null }
        static func integer(_ value: Int?) -> Value { value.map { .integer(Int64($0)) } ?? .null }
        static func blob(_ value: Data?) -> Value { value.map { .blob($0) } ?? .null }
    }

    /// Owns the `sqlite3_stmt` (finalized with it).
    private let statement: Statement

    init(_ db: Database, sql: String) throws {
        statement = try db.makeStatement(sql: sql)
    }

    /// Binds `values` to the parameters in order, runs the statement to completion and
    /// returns how many rows it changed.
    @discardableResult
    func execute(_ db: Database, _ values: Value...) throws -> Int {
        let handle = statement.sqliteStatement
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .integer(let number): code = sqlite3_bind_int64(handle, index, number)
            case .real(let number): code = sqlite3_bind_double(handle, index, number)
            case .text(let text): code = sqlite3_bind_text(handle, index, text, -1, Self.transient)
            case .blob(let data):
                code = data.withUnsafeBytes { bytes in
                    // A non-null pointer even when empty: an empty blob is not NULL.
                    sqlite3_bind_blob(handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(bytes.count), Self.transient)
                }
            case .null: code = sqlite3_bind_null(handle, index)
            }
            guard code == SQLITE_OK else { throw error(db, code) }
        }
        var code: Int32
        repeat { code = sqlite3_step(handle) } while code == SQLITE_ROW
        guard code == SQLITE_DONE else { throw error(db, code) }
        return Int(sqlite3_changes(db.sqliteConnection))
    }

    private func error(_ db: Database, _ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                      sql: statement.sql)
    }

    /// SQLite copies the text before `bind` returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
