import CSpawn
import Foundation
import Synchronization

/// A real PostgreSQL (Debian's packages) for the tests: one server per test process, started
/// on first use in a temporary folder on a free loopback port, stopped at exit.
///
/// Tests never skip without it: when it cannot start, `shared()` throws why (the command and
/// its output), and the test fails with that.
public final class PostgresServer: Sendable {
    public let folder: URL
    public let port: Int
    /// A role with a password (over TCP the server asks for it: scram-sha-256).
    public static let user = "syndicate"
    public static let password = "pg-secret-\(UUID().uuidString.prefix(8))"
    /// The database every shared-suite test uses (each under its own site id).
    public static let database = "syndicate"

    private static let started = Result { try PostgresServer() }
    private static let databases = Mutex(0)

    /// The process's server, started on the first call.
    public static func shared() throws -> PostgresServer { try started.get() }

    /// `postgresql://syndicate@127.0.0.1:PORT/DB`: the URL without its password.
    public func url(database: String = PostgresServer.database) -> String {
        "postgresql://\(Self.user)@127.0.0.1:\(port)/\(database)"
    }

    /// A new empty database, for a test that must start from no schema at all.
    public func makeDatabase() throws -> String {
        let name = "syndicate_\(Self.databases.withLock { $0 += 1; return $0 })_\(getpid())"
        try psql("CREATE DATABASE \(name) OWNER \(Self.user)")
        return name
    }

    /// Runs SQL as the superuser, through the socket.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        let result = try run(Self.binary("psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-h", folder.path, "-p", String(port),
                                                   "-U", "postgres", "-d", database, "-c", sql])
        guard result.status == 0 else { throw PostgresServerError(message: "psql failed: \(result.stderr)") }
        return result.stdout
    }

    private init() throws {
        folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("syndicate-pg-\(getpid())-\(UUID().uuidString.prefix(8))")
        let data = folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        // initdb refuses to run as root: as root, the server runs as `postgres`, which owns the folder.
        let asRoot = getuid() == 0
        if asRoot {
            _ = try run(URL(fileURLWithPath: "/bin/chown"), ["postgres:postgres", folder.path])
        }
        port = try Self.freePort()
        let folder = self.folder
        func step(_ tool: String, _ arguments: [String]) throws {
            // Output to a file, not a pipe: the server pg_ctl starts would hold a pipe open,
            // and reading it to its end would never finish.
            let output = folder.appendingPathComponent("\(tool).out")
            let command = [try Self.binary(tool).path] + arguments
            let status = try Self.launch(["/bin/sh", "-c", "exec \"$@\" >\(output.path) 2>&1 </dev/null", "sh"]
                                         + (asRoot ? Self.asPostgres : []) + command)
            guard status == 0 else {
                let said = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
                let log = (try? String(contentsOf: folder.appendingPathComponent("log"), encoding: .utf8)) ?? ""
                throw PostgresServerError(message: "\(tool) failed (status \(status)): \(said)\(log)")
            }
        }
        try step("initdb", ["-D", data.path, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync",
                            "--no-instructions", "-E", "UTF8", "--locale=C"])
        try step("pg_ctl", ["-D", data.path, "-w", "-t", "30", "-l", folder.appendingPathComponent("log").path, "-o",
                            "-p \(port) -k \(folder.path) -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                            + "-c full_page_writes=off -c max_connections=200", "start"])
        Self.stopAtExit(data: data, folder: folder, asRoot: asRoot)
        try psql("CREATE ROLE \(Self.user) LOGIN PASSWORD '\(Self.password)'")
        try psql("CREATE DATABASE \(Self.database) OWNER \(Self.user)")
    }

    /// `pg_ctl -m immediate stop` and the folder removed, however the test process ends normally.
    private static func stopAtExit(data: URL, folder: URL, asRoot: Bool) {
        stopping.withLock { $0 = (data.path, folder.path, asRoot) }
        atexit {
            guard let (data, folder, asRoot) = PostgresServer.stopping.withLock({ $0 }), let pgCtl = try? PostgresServer.binary("pg_ctl") else { return }
            let arguments = ["-D", data, "-m", "immediate", "stop"]
            _ = try? PostgresServer.launch((asRoot ? PostgresServer.asPostgres : []) + [pgCtl.path] + arguments)
            try? FileManager.default.removeItem(atPath: folder)
        }
    }
    private static let stopping = Mutex<(String, String, Bool)?>(nil)

    /// Runs a tool with /dev/null for its input and output and no other descriptor of this
    /// process: the server `pg_ctl start` leaves running must hold nothing open that a
    /// reader waits to close (Foundation's `Process` learns of an exit through such a
    /// descriptor, and a pipe's reader waits for its end).
    static func launch(_ command: [String]) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd in Int32(0)...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        syn_spawn_addclosefrom(&actions, 3)
        let arguments = command.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, nil, arguments, environ)
        guard spawned == 0 else { throw PostgresServerError(message: "cannot run \(command[0]): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WEXITSTATUS, or 128 + the signal.
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// As root, each tool runs as `postgres` through setpriv, which (unlike runuser, which
    /// waits for the server pg_ctl leaves running) returns when the tool does.
    static let asPostgres = ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]

    /// Debian's server binaries: `/usr/lib/postgresql/VERSION/bin`, the newest there.
    static func binary(_ name: String) throws -> URL {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).compactMap(Int.init).sorted()
        for version in versions.reversed() {
            let url = root.appendingPathComponent("\(version)/bin/\(name)")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw PostgresServerError(message: "no \(name) under /usr/lib/postgresql/*/bin: install `postgresql` (scripts/install-deps)")
    }

    /// A port nobody listens on now: bound to port 0, read, released.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PostgresServerError(message: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw PostgresServerError(message: "bind: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

public struct PostgresServerError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "PostgreSQL for the tests: \(message)" }
}
