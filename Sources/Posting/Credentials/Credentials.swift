import Foundation
import Reviews
import TOMLKit

/// The secrets of every destination: the `credentials` file (TOML, one table per destination
/// name), each key overridable by `SYNDICATE_<NAME>_<KEY>` (upper case; `-` in a name
/// becomes `_`).
///
/// The file must be readable by its owner alone. Values never leave this type except to the
/// adapter that needs them, and `redactor` scrubs them from anything written anywhere.
public struct Credentials: Sendable {
    public static let fileName = "credentials"

    private var tables: [String: [String: String]]

    public init(tables: [String: [String: String]]) { self.tables = tables }

    /// The value of `key` for `destination`, or nil.
    public func value(_ key: String, for destination: String) -> String? {
        tables[destination]?[key]
    }

    /// Every secret value, for redaction.
    public var redactor: SecretRedactor {
        SecretRedactor(secrets: tables.values.flatMap(\.values))
    }

    /// Reads the file (if any) and the environment.
    /// - Throws: `CredentialsError` when the file is unsafe or unreadable.
    public static func load(siteDirectory: URL, destinations: [DestinationConfig],
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws(CredentialsError) -> Credentials {
        let path = siteDirectory.appendingPathComponent(fileName).path
        var tables: [String: [String: String]] = [:]
        var info = stat()
        if stat(path, &info) == 0 {
            if info.st_mode & 0o077 != 0 {
                throw .unsafeMode(path: path, mode: Int(info.st_mode & 0o777))
            }
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw .unreadable(path: path, reason: "cannot read it as UTF-8 text")
            }
            do {
                let root = try TOMLTable(string: text)
                for name in root.keys {
                    guard let table = root[name]?.table else {
                        throw CredentialsError.unreadable(path: path, reason: "`\(name)` must be a table like [\(name)]")
                    }
                    var values: [String: String] = [:]
                    for key in table.keys {
                        guard let value = table[key]?.string else {
                            throw CredentialsError.unreadable(path: path, reason: "[\(name)] \(key) must be a string")
                        }
                        values[key] = value
                    }
                    tables[name] = values
                }
            } catch let error as TOMLParseError {
                // The parser's message may quote the line, and the line may hold a secret.
                throw .unreadable(path: path, reason: "not valid TOML near line \(error.source.begin.line)")
            } catch let error as CredentialsError {
                throw error
            } catch {
                throw .unreadable(path: path, reason: "not valid TOML")
            }
        }
        for destination in destinations {
            let prefix = "SYNDICATE_" + environmentName(destination.name) + "_"
            for (variable, value) in environment where variable.hasPrefix(prefix) && !value.isEmpty {
                let key = String(variable.dropFirst(prefix.count)).lowercased()
                tables[destination.name, default: [:]][key] = value
            }
        }
        return Credentials(tables: tables)
    }

    /// Those of `keys` that `destination` has no value (or an empty one) for.
    public func missing(_ keys: [String], for destination: String) -> [String] {
        keys.filter { (value($0, for: destination) ?? "").isEmpty }
    }

    /// `mastodon-work` → `MASTODON_WORK`.
    public static func environmentName(_ destination: String) -> String {
        destination.uppercased().replacingOccurrences(of: "-", with: "_")
    }
}

public enum CredentialsError: Error, Sendable, CustomStringConvertible {
    case unsafeMode(path: String, mode: Int)
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unsafeMode(let path, let mode):
            return "\(path) is readable by others (mode \(String(mode, radix: 8))): run `chmod 600 \(path)`"
        case .unreadable(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}

/// Replaces every known secret in a text with `[redacted]`: applied to every message before
/// it reaches a log, the terminal or the ledger.
public struct SecretRedactor: Sendable {
    private let secrets: [String]

    public init(secrets: [String]) {
        var all = secrets
        // A secret URL (a webhook's) leaks through its parts too: error messages quote paths.
        for secret in secrets {
            guard let url = URL(string: secret), url.scheme != nil, !url.path.isEmpty, url.path != "/" else { continue }
            all.append(url.path)
            all += url.pathComponents.filter { $0.count >= 8 }
            if let query = url.query, query.count >= 8 { all.append(query) }
        }
        // Longest first, so a secret containing another is replaced whole. Very short values
        // would redact ordinary words and protect nothing.
        self.secrets = Set(all.filter { $0.count >= 4 }).sorted { $0.count > $1.count }
    }

    public func redact(_ text: String) -> String {
        var text = text
        for secret in secrets {
            // A secret may also appear percent- or form-encoded in a URL or body.
            let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics)
            for form in [secret, encoded].compactMap({ $0 }) where text.contains(form) {
                text = text.replacingOccurrences(of: form, with: "[redacted]")
            }
        }
        return text
    }
}
