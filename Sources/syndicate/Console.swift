import Foundation

/// Where commands talk to people: results on stdout, problems and progress on stderr.
/// Colour only on a terminal, and never when `NO_COLOR` is set (https://no-color.org).
struct Console {
    var quiet: Bool

    private static let colour: Bool = {
        isatty(STDERR_FILENO) == 1 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }()

    /// Progress: nothing at all with `--quiet`, not even composing the message.
    func info(_ message: @autoclosure () -> String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data((message() + "\n").utf8))
    }

    func problem(_ message: String) {
        let text = Self.colour ? "\u{1B}[33m\(message)\u{1B}[0m" : message
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    func error(_ message: String) {
        let text = Self.colour ? "\u{1B}[31merror:\u{1B}[0m \(message)" : "error: \(message)"
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    func output(_ message: String) {
        print(message)
    }
}
