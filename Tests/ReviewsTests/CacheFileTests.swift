import Foundation
import Reviews
import Testing

/// Cache files are read back only when they are exactly what was written.
@Suite("Cache files")
struct CacheFileTests {
    static let header = "syndicate test 1"
    static let keys = ["a", "b"]

    @Test func aRecordReadsBackAsWritten() throws {
        let text = CacheFile.record(header: Self.header, ["a": "one two", "b": ""])
        #expect(text == "syndicate test 1\na one two\nb \n")
        #expect(CacheFile.values(in: Substring(text), header: Self.header, keys: Self.keys) == ["one two", ""])

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cachefile-\(getpid())/sub/record")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent().deletingLastPathComponent()) }
        CacheFile.write(text, to: url)
        #expect(CacheFile.values(at: url, header: Self.header, keys: Self.keys) == ["one two", ""])
    }

    @Test(arguments: [
        "",
        "syndicate test 1\na 1\nb 2",
        "syndicate test 1\na 1\n",
        "syndicate test 1\na 1\nb 2\nc 3\n",
        "syndicate test 2\na 1\nb 2\n",
        "syndicate test 1\nb 2\na 1\n",
        "syndicate test 1\na1\nb 2\n",
        "syndicate test 1\nab 1\nb 2\n",
    ])
    func anythingElseIsNothing(_ text: String) {
        #expect(CacheFile.values(in: Substring(text), header: Self.header, keys: Self.keys) == nil)
    }

    @Test func aMissingFileIsNothing() {
        #expect(CacheFile.values(at: URL(fileURLWithPath: "/nonexistent/cache"), header: Self.header, keys: Self.keys) == nil)
    }

    struct Sample: Codable, Equatable {
        var name: String
        var count: Int
    }

    @Test func jsonValuesReadBackAsStored() {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cachefile-json-\(getpid())/sub/value.json")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent().deletingLastPathComponent()) }
        CacheFile.store(Sample(name: "limits", count: 500), at: url)
        #expect(CacheFile.load(Sample.self, from: url) == Sample(name: "limits", count: 500))
    }

    @Test(arguments: ["", "{", "{\"name\": \"x\"}", "{\"name\": 1, \"count\": 2}", "[]"])
    func aTornOrOtherJSONIsNothing(_ text: String) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cachefile-bad-\(getpid())-\(text.utf8.count).json")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(FileManager.default.createFile(atPath: url.path, contents: Data(text.utf8)))
        #expect(CacheFile.load(Sample.self, from: url) == nil)
        #expect(CacheFile.load(Sample.self, from: URL(fileURLWithPath: "/nonexistent/cache.json")) == nil)
    }
}
