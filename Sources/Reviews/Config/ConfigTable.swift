import Foundation

/// A value of `syndicate.toml` as written, with the line it is on.
public struct ConfigValue: Sendable, Equatable {
    /// The TOML value, reduced to what a setting can be.
    public indirect enum Value: Sendable, Equatable {
        case string(String)
        case integer(Int)
        case float(Double)
        case boolean(Bool)
        /// A local date (`since = 2025-01-01`).
        case date(year: Int, month: Int, day: Int)
        case array([Value])
        /// A table, or another TOML type no setting takes (a time), by its TOML type name.
        case other(type: String)

        /// The TOML type's name, as messages show it (`expected a string, found int`).
        public var typeName: String {
            switch self {
            case .string: return "string"
            case .integer: return "int"
            case .float: return "double"
            case .boolean: return "bool"
            case .date: return "date"
            case .array: return "array"
            case .other(let type): return type
            }
        }
    }

    public var value: Value
    public var line: Int

    public init(_ value: Value, line: Int) {
        self.value = value
        self.line = line
    }
}

/// One table of `syndicate.toml` being read: its values as written, each with its line.
///
/// Reading a key through a typed getter checks its value and records the key as known; a
/// problem is collected in `problems` as `syndicate.toml:LINE: TABLE.KEY: message`, never
/// thrown, because a user fixing a config wants the whole list. `rejectUnknown()`, called
/// once every key the table takes has been read, reports the rest: a typo is never ignored.
public struct ConfigTable: Sendable, Equatable {
    /// How messages name the table: `site`, `destination.NAME` (or `destination[INDEX]`
    /// while its name is unknown); empty for the file's top level.
    public var name: String
    /// The line of the table's header (1 for the top level).
    public var line: Int
    /// Every key of the table as written.
    public let values: [String: ConfigValue]
    /// What the getters found wrong, in the order they were read.
    public private(set) var problems: [Diagnostic] = []
    /// The keys read so far: the ones this table takes.
    public private(set) var knownKeys: Set<String> = []

    public init(name: String, line: Int, values: [String: ConfigValue]) {
        self.name = name
        self.line = line
        self.values = values
    }

    /// Records a problem with `key` (at the key's line, else the table's).
    public mutating func report(_ key: String, _ message: String) {
        problems.append(Diagnostic(file: ConfigLoader.fileName, line: values[key]?.line ?? line,
                                   key: name.isEmpty ? key : "\(name).\(key)", message: message))
    }

    /// Reports every key no getter has read, in the order they are written.
    public mutating func rejectUnknown() {
        let known = knownKeys.sorted().joined(separator: ", ")
        for (key, value) in values.sorted(by: { ($0.value.line, $0.key) < ($1.value.line, $1.key) }) where !knownKeys.contains(key) {
            problems.append(Diagnostic(file: ConfigLoader.fileName, line: value.line,
                                       key: name.isEmpty ? key : "\(name).\(key)", message: "unknown key (known here: \(known))"))
        }
    }

    // MARK: Typed getters: nil when the key is absent or its value is wrong (then reported)

    /// The value of `key` unchecked, marking the key as one this table takes.
    public mutating func value(_ key: String) -> ConfigValue.Value? {
        knownKeys.insert(key)
        return values[key]?.value
    }

    public mutating func string(_ key: String, required: Bool = false) -> String? {
        guard let value = value(key) else {
            if required { report(key, "required") }
            return nil
        }
        guard case .string(let string) = value else {
            report(key, "expected a string, found \(value.typeName)")
            return nil
        }
        return string
    }

    /// An array of strings (`only = ["reviews", "film"]`).
    public mutating func stringList(_ key: String) -> [String]? {
        guard let value = value(key) else { return nil }
        guard case .array(let items) = value else {
            report(key, "expected an array of strings, found \(value.typeName)")
            return nil
        }
        var strings: [String] = []
        for item in items {
            guard case .string(let text) = item else {
                report(key, "expected an array of strings, found an array holding \(item.typeName)")
                return nil
            }
            strings.append(text)
        }
        return strings
    }

    public mutating func int(_ key: String, range: ClosedRange<Int>) -> Int? {
        guard let value = value(key) else { return nil }
        guard case .integer(let int) = value else {
            report(key, "expected a whole number, found \(value.typeName)")
            return nil
        }
        guard range.contains(int) else {
            report(key, "\(int) is out of range \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return int
    }

    public mutating func bool(_ key: String) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .boolean(let bool) = value else {
            report(key, "expected true or false, found \(value.typeName)")
            return nil
        }
        return bool
    }

    /// A string that must be one of `choices`.
    public mutating func choice(_ key: String, of choices: [String]) -> String? {
        guard let text = string(key) else { return nil }
        guard choices.contains(text) else {
            report(key, "\"\(text)\" is not one of: \(choices.joined(separator: ", "))")
            return nil
        }
        return text
    }

    /// A duration like `30s`, `5m` or `6h`, in seconds, at most `longest` (written as a
    /// duration, for the message): bounded here, so no later arithmetic on it can overflow.
    public mutating func duration(_ key: String, longest: String) -> Double? {
        guard let text = string(key) else { return nil }
        guard let seconds = DurationParser.seconds(text), seconds > 0 else {
            report(key, "\"\(text)\" is not a duration like \"30s\", \"5m\" or \"6h\"")
            return nil
        }
        guard let bound = DurationParser.seconds(longest), seconds <= bound else {
            report(key, "\"\(text)\" is out of range: at most \(longest)")
            return nil
        }
        return seconds
    }

    /// An absolute http(s) URL, as written.
    public mutating func httpURL(_ key: String, required: Bool = false, allowEmpty: Bool = false) -> String? {
        guard let text = string(key, required: required) else { return nil }
        if allowEmpty, text.isEmpty { return text }
        guard Self.isHTTPURL(text) else {
            report(key, "\"\(text)\" is not an absolute http(s) URL")
            return nil
        }
        return text
    }

    /// Whether `text` is an absolute http(s) URL with a host: what every URL Syndicate
    /// calls or records must be (config, credentials, `resolve --url`).
    public static func isHTTPURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else { return false }
        return (scheme == "http" || scheme == "https") && url.host?.isEmpty == false
    }
}
