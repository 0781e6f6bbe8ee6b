import Foundation
import SyndicateTesting
import Testing

/// Inputs `scripts/fuzz` found that crashed the binary, each kept as a regression test
/// against the real binary (README "Fuzzing").
@Suite("Fuzz findings, end to end")
struct FuzzFindingsTests {
    let binary = syndicateBinary()

    /// toml++ (inside TOMLKit) asserts, aborting the process, when a table header's bracket is
    /// followed by anything but a key or `]` (marzer/tomlplusplus#301): a six-byte
    /// `syndicate.toml` killed every command with SIGABRT. Now a config error on its line.
    @Test(arguments: [
        ("[[= 3\n", 1, "'='"), ("[=\n", 1, "'='"), ("[ =\n", 1, "'='"), ("[\n", 1, "the end of the line"), ("[ #x\n", 1, "'#'"),
        ("[site]\ntitle = \"t\"\n\n[[[destination]]]\n", 4, "'['"), ("title = \"\"\"\n[=\n\"\"\"\n\t[[ ?\n", 4, "'?'"),
    ])
    func tableHeaderWithoutAKeyIsAConfigError(config: String, line: Int, saw: String) throws {
        let site = try TemporarySite(config: config)
        let result = try run(binary, ["check", "--site", site.directory.path], environment: ["NO_COLOR": "1"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr == "syndicate.toml:\(line): syntax: expected a table name after '[' (a line starting with '[' is a table header), "
                + "saw \(saw)\nerror: 1 problem(s) in syndicate.toml\n", "\(result.stderr)")
    }

    /// toml++ also asserts on an array whose next value starts with `}`.
    @Test(arguments: ["n=[}\n", "[site]\nn = [1, }\n", "n = [\n  # none\n}\n", "n=[[}]]\n"])
    func arrayValueStartingWithABraceIsAConfigError(config: String) throws {
        let site = try TemporarySite(config: config)
        let result = try run(binary, ["check", "--site", site.directory.path], environment: ["NO_COLOR": "1"])
        #expect(result.status == 1, "\(result.stderr)")
        let line = config.split(separator: "\n").firstIndex { $0.contains("}") }.map { $0 + 1 } ?? 0
        #expect(result.stderr == "syndicate.toml:\(line): syntax: expected a value in the array, saw '}'\nerror: 1 problem(s) in syndicate.toml\n",
                "\(result.stderr)")
    }

    /// Where a table header cannot start (inside a multi-line string, an array's nested
    /// arrays on lines of their own) brackets are no header; a `}` in a string is text.
    @Test func bracketsWhereNoHeaderCanStartAreNoHeader() throws {
        let site = try TemporarySite(config: TemporarySite.config(extra: """
        [[destination]]
        name = "hook"
        kind = "webhook"
        template = \"\"\"
        [=
        [[ ?
        {{title}} [} \"\"\"
        run = [
          [ "nested" ],
        ]
        """))
        let result = try run(binary, ["check", "--site", site.directory.path], environment: ["NO_COLOR": "1"])
        #expect(!result.stderr.contains("syntax"), "\(result.stderr)")
        #expect(result.status != 134, "\(result.stderr)")
    }
}
