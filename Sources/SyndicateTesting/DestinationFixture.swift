import Foundation

/// The `[[destination]]` blocks of a site's `syndicate.toml` and the matching tables of its
/// `credentials` file, for destinations of several kinds posting to the fakes.
///
/// It exists so that each kind's block and credentials are written once, here: the
/// end-to-end suites that post to many kinds at once used to carry near-copies of the same
/// twenty to sixty lines, and a change to a kind's keys (docs/SPEC.md §8) had to be made in
/// each. A suite picks its kinds, names and variations; the keys come from here.
///
///     let fixture = DestinationFixture([.mastodon(mastodon), .webhook(hook, name: "hook")])
///     let site = try TemporarySite.posting(reviews: 2, destinations: fixture.config, credentials: fixture.credentials)
public struct DestinationFixture: Sendable {
    /// One destination: the lines of its `[[destination]]` block after `name` and `kind`, and
    /// those of its `[NAME]` table in `credentials` (none, for a kind without secrets).
    public struct Entry: Sendable {
        public var name: String
        public var kind: String
        public var config: [String]
        public var credentials: [String]

        public init(name: String, kind: String, config: [String] = [], credentials: [String] = []) {
            self.name = name
            self.kind = kind
            self.config = config
            self.credentials = credentials
        }

        /// The same destination with more lines in its block: a kind's optional keys, such as
        /// `content = "full"` or `keep = 3`.
        public func with(_ lines: String...) -> Entry {
            var entry = self
            entry.config += lines
            return entry
        }
    }

    public var entries: [Entry]
    /// The `[ledger]` table's `password`, for a ledger on a PostgreSQL server; nil for none.
    public var ledgerPassword: String?

    public init(_ entries: [Entry], ledgerPassword: String? = nil) {
        self.entries = entries
        self.ledgerPassword = ledgerPassword
    }

    /// The `[[destination]]` blocks, in the entries' order, to append to a `syndicate.toml`.
    public var config: String {
        entries.map { entry in
            (["[[destination]]", "name = \(Self.quoted(entry.name))", "kind = \(Self.quoted(entry.kind))"] + entry.config)
                .joined(separator: "\n")
        }.joined(separator: "\n\n")
    }

    /// The whole `credentials` file: the ledger's password, then each destination's table.
    public var credentials: String {
        var tables: [[String]] = []
        if let ledgerPassword { tables.append(["[ledger]", "password = \(Self.quoted(ledgerPassword))"]) }
        tables += entries.filter { !$0.credentials.isEmpty }.map { ["[\($0.name)]"] + $0.credentials }
        return tables.map { $0.joined(separator: "\n") + "\n" }.joined()
    }

    /// A TOML basic string.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// Each kind's block and credentials, pointing at its fake (see `FakeServices`); the default
/// names are the ones the suites use.
extension DestinationFixture.Entry {
    private static func quoted(_ text: String) -> String { DestinationFixture.quoted(text) }

    public static func mastodon(_ fake: FakeMastodon, name: String = "mastodon") -> Self {
        Self(name: name, kind: "mastodon", config: ["base_url = \(quoted(fake.baseURL))"],
             credentials: ["access_token = \(quoted(fake.token))"])
    }

    public static func bluesky(_ fake: FakeBluesky, name: String = "bluesky") -> Self {
        Self(name: name, kind: "bluesky", config: ["base_url = \(quoted(fake.baseURL))"],
             credentials: ["identifier = \(quoted(fake.identifier))", "app_password = \(quoted(fake.password))"])
    }

    public static func x(_ fake: FakeX, name: String = "x") -> Self {
        Self(name: name, kind: "x", config: ["base_url = \(quoted(fake.baseURL))"],
             credentials: ["consumer_key = \(quoted(fake.consumerKey))", "consumer_secret = \(quoted(fake.consumerSecret))",
                           "access_token = \(quoted(fake.token))", "access_token_secret = \(quoted(fake.tokenSecret))"])
    }

    public static func letterboxd(_ fake: FakeLetterboxd, name: String = "letterboxd") -> Self {
        Self(name: name, kind: "letterboxd", config: ["base_url = \(quoted(fake.baseURL))"],
             credentials: ["username = \(quoted(fake.username))", "password = \(quoted(fake.password))",
                           "client_id = \(quoted(fake.clientID))", "client_secret = \(quoted(fake.clientSecret))"])
    }

    public static func linkhub(_ fake: FakeLinkHub, name: String = "links") -> Self {
        Self(name: name, kind: "linkhub", config: ["base_url = \(quoted(fake.baseURL))"], credentials: ["token = \(quoted(fake.token))"])
    }

    public static func micropub(_ fake: FakeMicropub, name: String = "blog") -> Self {
        Self(name: name, kind: "micropub", config: ["me = \(quoted(fake.homeURL))"], credentials: ["token = \(quoted(fake.token))"])
    }

    /// A webhook posting to `path` on the server; its URL is a secret, so it is in `credentials`.
    public static func webhook(_ server: FakeServer, name: String = "chat", path: String = "/hook", format: String = "json") -> Self {
        Self(name: name, kind: "webhook", config: ["format = \(quoted(format))"], credentials: ["url = \(quoted(server.baseURL + path))"])
    }

    /// A command destination running `run`, a program and its arguments.
    public static func command(name: String = "script", run: [String]) -> Self {
        Self(name: name, kind: "command", config: ["run = [\(run.map(quoted).joined(separator: ", "))]"])
    }

    public static func instagram(_ fake: FakeInstagram, name: String = "ig") -> Self {
        Self(name: name, kind: "instagram", config: ["base_url = \(quoted(fake.baseURL))"],
             credentials: ["user_id = \(quoted(fake.userID))", "access_token = \(quoted(fake.token))"])
    }

    public static func threads(_ fake: FakeThreads, name: String = "th") -> Self {
        Self(name: name, kind: "threads", config: ["base_url = \(quoted(fake.baseURL))"],
             credentials: ["user_id = \(quoted(fake.userID))", "access_token = \(quoted(fake.token))"])
    }
}
