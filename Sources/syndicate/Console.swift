import Foundation
import Reviews

/// Where commands talk to people: results on stdout, problems and progress on stderr.
/// Colour only on a terminal, and never when `NO_COLOR` is set (https://no-color.org).
/// Every message on stderr is one line: control characters in it (a newline in a file name
/// or slug) are escaped.
struct Console {
    var quiet: Bool

    private static let colour: Bool = {
        isatty(STDERR_FILENO) == 1 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }()

    /// Progress: nothing at all with `--quiet`, not even composing the message.
    func info(_ message: @autoclosure () -> String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data((Diagnostic.oneLine(message()) + "\n").utf8))
    }

    /// Something the user must hear once even from a `--quiet` cron job (first-run
    /// adoption): on stderr whatever the options, and not a problem.
    func notice(_ message: String) {
        FileHandle.standardError.write(Data((Diagnostic.oneLine(message) + "\n").utf8))
    }

    func problem(_ message: String) {
        let message = Diagnostic.oneLine(message)
        let text = Self.colour ? "\u{1B}[33m\(message)\u{1B}[0m" : message
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    func error(_ message: String) {
        let message = Diagnostic.oneLine(message)
        let text = Self.colour ? "\u{1B}[31merror:\u{1B}[0m \(message)" : "error: \(message)"
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    func output(_ message: String) {
        print(message)
    }
}
