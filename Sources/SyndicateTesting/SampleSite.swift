import Foundation

extension TemporarySite {
    /// A copy of the repository's sample site (config, reviews and their images), so tests can
    /// build and change it freely.
    public static func sampleCopy() throws -> TemporarySite {
        let site = try TemporarySite(config: nil)
        let root = repositoryRoot()
        try FileManager.default.removeItem(at: site.directory.appendingPathComponent("reviews"))
        try FileManager.default.copyItem(at: root.appendingPathComponent("reviews"), to: site.directory.appendingPathComponent("reviews"))
        try FileManager.default.copyItem(at: root.appendingPathComponent("syndicate.toml"), to: site.directory.appendingPathComponent("syndicate.toml"))
        try FileManager.default.copyItem(at: root.appendingPathComponent("static"), to: site.directory.appendingPathComponent("static"))
        return site
    }

    /// The moment the committed `feeds/` was built at: pinned so the golden files do not
    /// change when the sample's scheduled review comes due.
    public static let sampleBuildDate = "2026-11-25T12:00:00Z"
}

/// Runs a program and collects what it printed.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

public func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                currentDirectory: URL? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes to the end before waiting, so a chatty child never blocks on a full pipe.
    let errData = ReadAll(err.fileHandleForReading)
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData.wait(), as: UTF8.self))
}

/// Reads a file handle to its end on another thread.
private final class ReadAll: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        DispatchQueue.global().async {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}

/// The `syndicate` binary that `swift build` made beside the test bundle, or the one
/// `SYNDICATE_TEST_BINARY` names (to run the end-to-end tests against a release build).
public func syndicateBinary() -> URL {
    if let path = ProcessInfo.processInfo.environment["SYNDICATE_TEST_BINARY"], !path.isEmpty {
        return URL(fileURLWithPath: path)
    }
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("syndicate"),
        Bundle.main.bundleURL.appendingPathComponent("syndicate"),
        Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("syndicate"),
        repositoryRoot().appendingPathComponent(".build/debug/syndicate"),
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
}
