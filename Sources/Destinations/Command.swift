import Foundation
import Posting
import Reviews

/// `command`: any program, no shell (SPEC §8). It reads the composed post and the review's
/// facts as JSON on stdin. Exit 0: posted (the first stdout line, if any, is the remote
/// URL); 75 (EX_TEMPFAIL): retry; anything else: dead, with its stderr as the reason. A
/// program still running at `post.timeout` is stopped and the delivery becomes `unknown`.
public struct CommandDestination: DestinationKind {
    public static let kindName = "command"
    /// A program that needs secrets gets them its own way.
    public static let credentialKeys: [String] = []
    public static let baseURLRule = BaseURLRule.notTaken(because: "a command destination calls no service")

    /// `run`: the program and its arguments, no shell.
    public static func options(_ table: inout ConfigTable) -> [String] {
        switch table.value("run") {
        case .array(let items)?:
            let strings = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
            if strings.count == items.count, let program = strings.first, !program.isEmpty { return strings }
        case nil:
            table.report("run", "required for a command destination: [\"/path/to/program\", \"arg\"]")
            return []
        default:
            break
        }
        table.report("run", "expected a list of strings, the program first: [\"/path/to/program\", \"arg\"]")
        return []
    }

    public let name: String
    public let deduplicates = false
    private let run: [String]
    private let siteDirectory: URL
    private let template: PostTemplate
    private let timeout: Double
    /// `SYNDICATE_<NAME>_<KEY>` for this destination's own credentials only.
    private let ownCredentials: [String: String]

    public init(_ context: DestinationContext, options run: [String]) {
        name = context.name
        self.run = run
        siteDirectory = context.site.directory
        timeout = context.timeout
        template = context.template(rule: .unlimited)
        let prefix = "SYNDICATE_" + Credentials.environmentName(context.name) + "_"
        ownCredentials = Dictionary(uniqueKeysWithValues: context.credentials.values(for: context.name).map { (prefix + $0.key.uppercased(), $0.value) })
    }

    public func compose(_ review: Review, site: Site) throws -> ComposedPost {
        let text = try template.compose(review, site: site)
        let input = Input(destination: name, text: text.text, review: ReviewFacts(review, site: site))
        return ComposedPost(text: text, payload: try JSONCoding.encode(input))
    }

    struct Input: Encodable {
        var destination: String
        var text: String
        var review: ReviewFacts
    }

    /// The program exists and can be run.
    public func verify() async -> Verification {
        guard let program = run.first else { return .failed("no program to run") }
        let path = program.hasPrefix("/") ? program : siteDirectory.appendingPathComponent(program).path
        return FileManager.default.isExecutableFile(atPath: path) ? .ok("\(path) is executable") : .failed("\(path) is not an executable file")
    }

    public func send(_ delivery: OutgoingDelivery) async -> SendResult {
        guard let program = run.first else { return .permanent(message: "no program to run", httpStatus: nil) }
        let process = Process()
        // A relative program path is taken from the site folder, so a site can carry its scripts.
        process.executableURL = program.hasPrefix("/") ? URL(fileURLWithPath: program) : siteDirectory.appendingPathComponent(program)
        process.arguments = Array(run.dropFirst())
        process.currentDirectoryURL = siteDirectory
        // No other destination's secret reaches the program: every inherited SYNDICATE_*
        // variable is dropped, and its own credentials (file or environment) are passed.
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SYNDICATE_") }.merging(ownCredentials) { $1 }
        // The program gets the delivery's identity, so it can deduplicate if it wants to.
        environment["SYNDICATE_IDEMPOTENCY_KEY"] = delivery.idempotencyKey
        environment["SYNDICATE_REVIEW"] = delivery.review
        environment["SYNDICATE_ATTEMPT"] = String(delivery.attempt)
        process.environment = environment
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            return .permanent(message: "cannot run \(program): \(error.localizedDescription)", httpStatus: nil)
        }
        // Read both pipes while the program runs, so a chatty one never blocks.
        async let stdout = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }.value
        async let stderr = Task.detached { errors.fileHandleForReading.readDataToEndOfFile() }.value
        try? input.fileHandleForWriting.write(contentsOf: delivery.payload)
        try? input.fileHandleForWriting.close()

        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try? await Task.sleep(nanoseconds: 10_000_000) }
        let timedOut = process.isRunning
        if timedOut {
            process.terminate()
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        let out = String(decoding: await stdout, as: UTF8.self)
        let err = String(decoding: await stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if timedOut {
            return .unknown(message: "\(program) did not finish within \(Int(timeout))s and was stopped", httpStatus: nil)
        }
        let status = process.terminationStatus
        switch (process.terminationReason, status) {
        case (.exit, 0):
            let first = out.split(separator: "\n").first.map { String($0).trimmingCharacters(in: .whitespaces) }
            return .posted(remoteID: nil, remoteURL: first?.isEmpty == false ? first : nil, httpStatus: nil)
        case (.exit, 75):
            return .retryable(message: err.isEmpty ? "\(program) asked to retry (exit 75)" : err, httpStatus: nil, notBefore: nil, errorClass: "retryable")
        case (.exit, _):
            return .permanent(message: err.isEmpty ? "\(program) exited with status \(status)" : "\(program) exited with status \(status): \(String(err.prefix(1000)))", httpStatus: nil)
        default:
            return .unknown(message: "\(program) was killed by signal \(status)", httpStatus: nil)
        }
    }
}
