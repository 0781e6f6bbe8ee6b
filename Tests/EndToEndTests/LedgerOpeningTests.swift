import Foundation
import SyndicateTesting
import Testing

private let env = ["NO_COLOR": "1", "SYNDICATE_NOW": "2025-11-24T16:00:00Z"]

/// Commands started together on a site that has no ledger yet (two cron jobs, a `status`
/// typed meanwhile) all create or open the same new ledger: none may fail on another's lock.
@Suite("Opening a new ledger from many processes, end to end", .serialized)
struct LedgerOpeningTests {
    /// Several rounds, each on a fresh site: the processes meet at a slightly different step
    /// each time (creating the file, switching it to WAL, migrating).
    @Test(arguments: 0..<20)
    func eightProcessesOpenANewLedgerAtOnce(_ round: Int) throws {
        let site = try TemporarySite.posting(reviews: 2, destinations: """
        [[destination]]
        name = "hook"
        kind = "webhook"
        """, credentials: "[hook]\nurl = \"http://127.0.0.1:9/hooks\"\n")
        #expect(!site.exists(".syndicate/ledger.sqlite"))
        // Half write (mark-posted), half only read (status); all made before any starts, then
        // started back to back, so they meet on the new file.
        let processes = (0..<8).map { index in
            let process = Process()
            process.executableURL = syndicateBinary()
            process.arguments = (index % 2 == 0 ? ["mark-posted"] : ["status", "--json"]) + ["--site", site.directory.path]
            process.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = Pipe()
            return process
        }
        for process in processes { try process.run() }
        for (index, process) in processes.enumerated() {
            let errors = (process.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "process \(index): \(String(decoding: errors, as: UTF8.self))")
        }
        let status = try run(syndicateBinary(), ["status", "--json", "--site", site.directory.path], environment: env)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0["state"] as? String == "posted" })
    }
}
