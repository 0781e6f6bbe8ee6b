import CPostgres
import Foundation

/// One libpq connection, used by one caller at a time.
///
/// libpq's connection is not thread-safe, and the store is called from the dispatch loop's
/// tasks on several threads: every use goes through `session`, which holds a lock for the
/// length of one statement or one transaction (never across an HTTP request: the store's
/// methods are each one short transaction). `@unchecked Sendable` because the lock, not the
/// compiler, guards the C pointer.
final class PGConnection: @unchecked Sendable {
    private let lock = NSLock()
    private var connection: OpaquePointer?
    private let redact: @Sendable (String) -> String

    /// Connects to `url` (a libpq URI), with `password` passed apart from it so that it never
    /// sits in a string that could be printed.
    init(url: String, password: String?) throws {
        let redact: @Sendable (String) -> String = { text in
            var text = text.replacingOccurrences(of: url, with: "<ledger url>")
            if let password, !password.isEmpty { text = text.replacingOccurrences(of: password, with: "<redacted>") }
            return text
        }
        self.redact = redact
        var keywords = ["dbname", "connect_timeout", "application_name"]
        var values = [url, "10", "syndicate"]
        if let password, !password.isEmpty {
            keywords.append("password")
            values.append(password)
        }
        let connection = Self.withCStrings(keywords) { k in
            Self.withCStrings(values) { v in PQconnectdbParams(k, v, 1) }
        }
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let message = connection.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            PQfinish(connection)
            throw PostgresError(message: "cannot connect to the ledger database: " + redact(Self.oneLine(message)))
        }
        self.connection = connection
        // Quiet NOTICEs ("relation already exists, skipping") would go to stderr otherwise.
        _ = try? session { try $0.execute("SET client_min_messages = warning") }
    }

    deinit { PQfinish(connection) }

    /// Runs `body` alone on the connection, reconnecting first if the server dropped it.
    func session<T>(_ body: (PGSession) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        if PQstatus(connection) != CONNECTION_OK { PQreset(connection) }
        return try body(PGSession(connection: connection, redact: redact))
    }

    /// The C connection itself, alone (LISTEN's notifications, `DeliveryNotifications`).
    func withRawConnection<T>(_ body: (OpaquePointer?) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(connection)
    }

    /// One transaction: committed when `body` returns, rolled back when it throws.
    func transaction<T>(_ body: (PGSession) throws -> T) throws -> T {
        try session { session in
            try session.execute("BEGIN")
            do {
                let result = try body(session)
                try session.execute("COMMIT")
                return result
            } catch {
                _ = try? session.execute("ROLLBACK")
                throw error
            }
        }
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let copies = strings.map { strdup($0) } + [nil]
        defer { copies.forEach { free($0) } }
        return copies.map { UnsafePointer($0) }.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}

/// The connection while one caller holds it.
struct PGSession {
    fileprivate let connection: OpaquePointer?
    fileprivate let redact: @Sendable (String) -> String

    /// Runs one statement with text parameters (`$1`, `$2`, …; nil is NULL) and returns its rows.
    @discardableResult
    func query(_ sql: String, _ parameters: [PGValue?] = []) throws -> [PGRow] {
        let texts = parameters.map { $0?.pgText }
        let copies = texts.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer($0) }
        // Without parameters, PQexec: it also takes several statements (a migration).
        let result = texts.isEmpty ? PQexec(connection, sql) : pointers.withUnsafeBufferPointer { buffer in
            PQexecParams(connection, sql, Int32(texts.count), nil, buffer.baseAddress, nil, nil, 0)
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let message = result.map { String(cString: PQresultErrorMessage($0)) } ?? String(cString: PQerrorMessage(connection))
            let code = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) }
            throw PostgresError(message: redact(PGConnection.oneLine(message)), sqlState: code)
        }
        var rows: [PGRow] = []
        let count = PQntuples(result), columns = PQnfields(result)
        rows.reserveCapacity(Int(count))
        for row in 0..<count {
            var values: [String?] = []
            values.reserveCapacity(Int(columns))
            for column in 0..<columns {
                values.append(PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column)))
            }
            rows.append(PGRow(values: values))
        }
        return rows
    }

    /// A statement whose rows (if any) are not wanted.
    func execute(_ sql: String, _ parameters: [PGValue?] = []) throws { try query(sql, parameters) }
}

/// A value sent as a text parameter.
protocol PGValue {
    var pgText: String { get }
}

extension String: PGValue { var pgText: String { self } }
extension Int: PGValue { var pgText: String { String(self) } }
extension Int64: PGValue { var pgText: String { String(self) } }
extension Double: PGValue { var pgText: String { "\(self)" } }
extension Bool: PGValue { var pgText: String { self ? "true" : "false" } }
extension Date: PGValue { var pgText: String { "\(timeIntervalSince1970)" } }
extension Data: PGValue {
    /// bytea's hex input form.
    var pgText: String { "\\x" + map { String(format: "%02x", $0) }.joined() }
}
extension Array: PGValue where Element == String {
    /// A text[] literal, every element quoted.
    var pgText: String {
        "{" + map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}

/// One result row, read by column number.
struct PGRow {
    var values: [String?]

    func string(_ i: Int) -> String? { values[i] }
    func int(_ i: Int) -> Int? { values[i].flatMap { Int($0) } }
    func int64(_ i: Int) -> Int64? { values[i].flatMap { Int64($0) } }
    func double(_ i: Int) -> Double? { values[i].flatMap { Double($0) } }
    func date(_ i: Int) -> Date? { double(i).map { Date(timeIntervalSince1970: $0) } }
    func bool(_ i: Int) -> Bool { values[i] == "t" }
    /// bytea in its hex output form (`\x…`).
    func data(_ i: Int) -> Data? {
        guard let text = values[i] else { return nil }
        let hex = text.utf8.dropFirst(2)
        var data = Data(capacity: hex.count / 2)
        var high: UInt8?
        for byte in hex {
            let nibble: UInt8 = byte <= 57 ? byte - 48 : (byte | 0x20) - 87
            if let h = high { data.append(h << 4 | nibble); high = nil } else { high = nibble }
        }
        return data
    }
}

/// A PostgreSQL error, in one line, with the connection's URL and password taken out (libpq's
/// messages can quote the connection string).
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The SQLSTATE (`23505`: a unique index refused the row).
    public var sqlState: String?
    public init(message: String, sqlState: String? = nil) {
        self.message = message
        self.sqlState = sqlState
    }
    public var description: String { "ledger: \(message)" }
}
