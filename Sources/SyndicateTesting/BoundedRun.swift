import Foundation

/// Runs the real binary under `timeout` (a hang fails the test in seconds instead of stalling
/// the suite) and, when given, a lower open-file limit or address-space cap set by the shell.
public func runBounded(_ arguments: [String], seconds: Int = 30, openFiles: Int? = nil, memoryKB: Int? = nil,
                       environment: [String: String]) throws -> ProcessResult {
    var limits = ""
    if let openFiles { limits += "ulimit -n \(openFiles); " }
    if let memoryKB { limits += "ulimit -v \(memoryKB); " }
    return try run(URL(fileURLWithPath: "/usr/bin/timeout"),
                   ["-s", "KILL", String(seconds), "/bin/sh", "-c", limits + "exec \"$0\" \"$@\"", syndicateBinary().path] + arguments,
                   environment: environment)
}
