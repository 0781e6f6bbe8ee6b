import Foundation
import Reviews
import Testing

/// Cache files are read back only when they decode as what was written.
@Suite("Cache files")
struct CacheFileTests {
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
        _ = FileManager.default.createFile(atPath: url.path, contents: Data(text.utf8))
        #expect(CacheFile.load(Sample.self, from: url) == nil)
        #expect(CacheFile.load(Sample.self, from: URL(fileURLWithPath: "/nonexistent/cache.json")) == nil)
    }
}
