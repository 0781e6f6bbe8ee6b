import Foundation

/// The fake that stands in for each destination kind's service in tests, by kind name.
/// `DestinationKindTests` fails when a registered kind has none here, so a new kind comes
/// with a fake its tests can post to.
public enum FakeServices {
    public static let byKind: [String: Any.Type] = [
        "mastodon": FakeMastodon.self,
        "bluesky": FakeBluesky.self,
        "x": FakeX.self,
        "letterboxd": FakeLetterboxd.self,
        "linkhub": FakeLinkHub.self,
        "micropub": FakeMicropub.self,
        // A webhook is any JSON receiver: the plain server records what it got.
        "webhook": FakeServer.self,
        "command": FakeCommand.self,
        "instagram": FakeInstagram.self,
        "threads": FakeThreads.self,
    ]
}

/// A program for a `command` destination: a shell script written into the site that answers
/// each review, recognised by its slug in the JSON it reads on stdin, with an exit status
/// and a line on stdout or stderr (docs/SPEC.md §8: 0 posted, 75 retry, anything else dead).
public enum FakeCommand {
    /// How the program answers one review.
    public struct Answer {
        public var status: Int32
        /// Printed on stdout when the status is 0, else on stderr; in double quotes, so
        /// `$SYNDICATE_REVIEW` and the other variables of docs/SPEC.md §8 are expanded.
        public var line: String

        public init(status: Int32, line: String) {
            self.status = status
            self.line = line
        }
    }

    /// Writes the script to `path` in the site (a `run` of `["/bin/sh", "PATH"]` runs it); a
    /// review with no answer gets `otherwise`.
    public static func install(in site: TemporarySite, at path: String, answers: [String: Answer], otherwise: Answer) throws {
        func branch(_ answer: Answer) -> String {
            "echo \"\(answer.line)\"\(answer.status == 0 ? "" : " >&2"); exit \(answer.status)"
        }
        let cases = answers.sorted { $0.key < $1.key }.map { "  *'\"slug\":\"\($0.key)\"'*) \(branch($0.value)) ;;" }
        try site.write(path, (["input=$(cat)", "case \"$input\" in"] + cases + ["  *) \(branch(otherwise)) ;;", "esac", ""])
            .joined(separator: "\n"))
    }
}
