@testable import Posting
import Testing

/// The marker file every cron tick reads.
@Suite("The idle marker's file")
struct IdleMarkerRecordTests {
    @Test(arguments: [
        IdleMarker.Record(fingerprint: "ab12", ledgerVersion: 7, idleUntil: nil),
        IdleMarker.Record(fingerprint: "ab12", ledgerVersion: -1, idleUntil: 1_764_000_000.5),
    ])
    func recordsReadBackAsWritten(_ record: IdleMarker.Record) {
        #expect(IdleMarker.Record(text: Substring(record.text)) == record)
    }

    /// Anything but a whole marker in this format means "look again", never a wrong "idle".
    @Test(arguments: [
        "",
        "syndicate post-idle 1\nfingerprint ab\nledger-version 7\nidle-until -",
        "syndicate post-idle 1\nfingerprint ab\nledger-version 7\n",
        "syndicate post-idle 2\nfingerprint ab\nledger-version 7\nidle-until -\n",
        "syndicate post-idle 1\nfingerprint ab\nledger-version seven\nidle-until -\n",
        "syndicate post-idle 1\nfingerprint ab\nledger-version 7\nidle-until soon\n",
        "syndicate post-idle 1\nledger-version 7\nfingerprint ab\nidle-until -\n",
        #"{"fingerprint":"ab","ledgerVersion":7}"#,
    ])
    func anythingElseIsNoRecord(_ text: String) {
        #expect(IdleMarker.Record(text: Substring(text)) == nil)
    }
}
