import Foundation

/// The real binary running in the background (a `post --watch` worker, one of several
/// `post` processes): its output goes to files, so it can run as long as it likes without
/// filling a pipe, and tests read it when they want. Killed when released.
public final class BackgroundRun: @unchecked Sendable {
    public let process = Process()
    private let folder: URL

    public init(_ arguments: [String], environment: [String: String]) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("syndicate-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["stdout", "stderr"] {
            try Data().write(to: folder.appendingPathComponent(name))
        }
        process.executableURL = syndicateBinary()
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: folder.appendingPathComponent("stdout"))
        process.standardError = try FileHandle(forWritingTo: folder.appendingPathComponent("stderr"))
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }

    /// What it has printed so far.
    public var stdout: String { read("stdout") }
    public var stderr: String { read("stderr") }

    private func read(_ name: String) -> String {
        String(decoding: FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) ?? Data(), as: UTF8.self)
    }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits up to `timeout` seconds for it to end; its exit status (128 + N when signal N
    /// ended it, as a shell says), or nil when it still runs
    /// (then it is killed, so a hang fails the test instead of stalling the suite).
    public func wait(timeout: Double) async -> Int32? {
        guard await eventually(timeout: timeout, { !process.isRunning }) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        process.waitUntilExit()
        return process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
    }
}
