@testable import Destinations
import Foundation
import Testing

@Suite("Reading chosen top-level strings of a JSON object")
struct TopLevelJSONTests {
    /// Each input, read by the scanner and by JSONSerialization: the top-level string values
    /// of the keys asked for must agree exactly, and both must agree on what is not an object.
    static let inputs: [String] = [
        #"{"id":"1","url":"https://m.example/@a/1"}"#,
        #"  {  "id" : "42" , "url" : null , "uri" : "https://m.example/users/a/statuses/42" }  "#,
        #"{"account":{"id":"999","url":"https://m.example/@a"},"id":"7","url":"https://m.example/@a/7"}"#,
        #"{"media":[{"id":"x","url":"u"},[1,2,{"id":"y"}]],"id":"8"}"#,
        #"{"content":"<p>a } ] , \" { [ b</p>","id":"9"}"#,
        #"{"id":"caf\u00e9 \ud83c\udfac \n\t\\ \/ \"q\""}"#,
        #"{"id":"héllo wörld 🎬 日本"}"#,
        #"{"id":123,"url":true,"uri":["https://x"]}"#,
        #"{"n":-1.5e3,"t":true,"f":false,"z":null,"id":"last"}"#,
        #"{}"#,
        #"[{"id":"1"}]"#,
        #""id""#,
        #"{"id":"1""#,
        #"{"id":"1",}"#,
        #"{"id" "1"}"#,
        #"{"id":"a\qb"}"#,
        #"{"id":"\ud83c"}"#,
        "{\"id\":\"tab\there\"}",
        #"{"id":"1"} trailing"#,
        #"{"i\u0064":"escaped name","ur\u006c":"u"}"#,
        #"{"content":"caf\u00e9 «déjà» 🎬","note":{"text":"\"{[\\"},"id":"after non-ASCII"}"#,
        #"{"x":"\q","id":"1"}"#,
        #"{"x":{"y":"\u12"},"id":"1"}"#,
        #"{"x":["a\nb"],"ids":"not id","id":"exact"}"#,
        "",
    ]

    /// Not JSON under RFC 8259, though Foundation's parser lets it pass: refused here.
    static let strictlyRefused: Set<String> = [#"{"id":"1",}"#]

    @Test(arguments: inputs)
    func agreesWithJSONSerialization(_ input: String) {
        let data = Data(input.utf8)
        let keys: Set<String> = ["id", "url", "uri"]
        let read = TopLevelJSONStrings.read(data, keys: TopLevelJSONStrings.Keys(keys))
        let reference = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        guard let reference, !Self.strictlyRefused.contains(input) else {
            #expect(read == nil, "accepted what JSONSerialization refuses: \(input)")
            return
        }
        let expected = reference.filter { keys.contains($0.key) }.compactMapValues { $0 as? String }
        #expect(read == expected, "\(input)")
    }

    /// Skipped strings are checked too: bytes that are not UTF-8 anywhere make it not JSON.
    @Test func invalidUTF8InASkippedStringIsRefused() {
        var data = Data(#"{"x":"a"#.utf8)
        data.append(contentsOf: [0xFF, 0xFE])
        data.append(contentsOf: Data(#"b","id":"1"}"#.utf8))
        #expect((try? JSONSerialization.jsonObject(with: data)) == nil)
        #expect(TopLevelJSONStrings.read(data, keys: TopLevelJSONStrings.Keys(["id"])) == nil)
    }
}
