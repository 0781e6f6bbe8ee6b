import Foundation
import Posting
import Reviews

/// `command`: any program, no shell (docs/SPEC.md §8). It reads the composed post and the review's
/// facts as JSON on stdin. Exit 0: posted (the first stdout line, if any, is the remote
/// URL); 75 (EX_TEMPFAIL): retry; anything else: dead, with its stderr as the reason. A
/// program still running at `post.timeout` is stopped with its whole process group
/// (`ProgramGroup`) and the delivery becomes `unknown`, unless it then exits 0.
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
        // A relative program path is taken from the site folder, so a site can carry its scripts.
        let path = program.hasPrefix("/") ? program : siteDirectory.appendingPathComponent(program).path
        // No other destination's secret reaches the program: every inherited SYNDICATE_*
        // variable is dropped, and its own credentials (file or environment) are passed.
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SYNDICATE_") }.merging(ownCredentials) { $1 }
        // The program gets the delivery's identity, so it can deduplicate if it wants to.
        environment["SYNDICATE_IDEMPOTENCY_KEY"] = delivery.idempotencyKey
        environment["SYNDICATE_REVIEW"] = delivery.review
        environment["SYNDICATE_ATTEMPT"] = String(delivery.attempt)
        let group = ProgramGroup(path: path, arguments: Array(run.dropFirst()), environment: environment,
                                 directory: siteDirectory.path, input: delivery.payload, timeout: timeout)
        let ended: ProgramGroup.Ending
        switch await group.run() {
        case .failure(let error): return .permanent(message: "cannot run \(program): \(error.reason)", httpStatus: nil)
        case .success(let ending): ended = ending
        }
        let out = String(decoding: ended.stdout, as: UTF8.self)
        let err = String(String(decoding: ended.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).prefix(1000))
        switch (ended.status, ended.stopped) {
        case (.exited(0), _):
            // Even when stopped at the timeout: a program that then exits 0 says it posted.
            let first = out.split(separator: "\n").first.map { String($0).trimmingCharacters(in: .whitespaces) }
            return .posted(remoteID: nil, remoteURL: first?.isEmpty == false ? first : nil, httpStatus: nil)
        case (_, true):
            // Interrupted mid-post, whatever it says now: it may have posted.
            return .unknown(message: "\(program) did not finish within \(Self.seconds(timeout)) and was stopped", httpStatus: nil)
        case (.exited(75), _):
            return .retryable(message: err.isEmpty ? "\(program) asked to retry (exit 75)" : err, httpStatus: nil, notBefore: nil, errorClass: "retryable")
        case (.exited(let status), _):
            return .permanent(message: err.isEmpty ? "\(program) exited with status \(status)" : "\(program) exited with status \(status): \(err)", httpStatus: nil)
        case (.signaled(let signal), _):
            return .unknown(message: "\(program) was killed by signal \(signal)", httpStatus: nil)
        }
    }

    /// `30s`, `1.5s`, `250ms`: the timeout as a message shows it.
    private static func seconds(_ value: Double) -> String {
        value >= 1 && value == value.rounded() ? "\(Int(value))s" : value < 1 ? "\(Int((value * 1000).rounded()))ms" : "\(value)s"
    }
}
