// CYaml is the libyaml that Yams itself is built on (a target of the Yams package, not one of
// its products): its scanner is the only public way to see anchors before Yams composes.
import CYaml
import Foundation

/// Finds the first anchor (`&name`) or alias (`*name`) in YAML text with libyaml's scanner
/// (the one Yams parses with), before anything is composed.
///
/// Front matter refuses both: Yams expands every alias into the anchored node, so 578 bytes
/// of nested aliases ("billion laughs") make 10^9 nodes for whoever walks the tree, and an
/// alias used as a mapping key is hashed whole by Yams' duplicate-key check. Scanning tokens
/// costs no more than the text, and stops at the first one.
enum YAMLAnchors {
    /// The 1-based line of the first anchor or alias, or nil when there is none (or the text
    /// does not scan: the parser then reports that with its own message).
    static func firstLine(in text: String) -> Int? {
        // Neither can be written without its sigil; most front matter has neither character.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "*") }) else { return nil }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer -> Int? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var token = yaml_token_t()
            while yaml_parser_scan(&parser, &token) == 1 {
                defer { yaml_token_delete(&token) }
                switch token.type {
                case YAML_ANCHOR_TOKEN, YAML_ALIAS_TOKEN: return Int(token.start_mark.line) + 1
                case YAML_STREAM_END_TOKEN: return nil
                default: continue
                }
            }
            return nil
        }
    }
}
