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

    /// Secrets obtained at run time (a session token), shared by every copy of these
    /// credentials and of their redactor: an adapter that learns one protects every message
    /// written after.
    private let learned = LearnedSecrets()

    /// Every secret value, for redaction.
    public var redactor: SecretRedactor {
        SecretRedactor(secrets: tables.values.flatMap(\.values), learned: learned)
    }

    /// Adds a secret obtained at run time to what `redactor` scrubs.
    public func learn(_ secret: String) { learned.add(secret) }

    /// Every value a destination has (its table of the file and its variables).
    public func values(for destination: String) -> [String: String] { tables[destination] ?? [:] }

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
        // A variable belongs to the destination with the longest matching prefix, so that
        // `SYNDICATE_MASTODON_WORK_…` is `mastodon-work`'s alone, not also `mastodon`'s
        // `work_…`. Names whose own variables would still meet are refused by the config.
        let prefixes = destinations.map { ("SYNDICATE_" + environmentName($0.name) + "_", $0.name) }.sorted { $0.0.count > $1.0.count }
        for (variable, value) in environment where !value.isEmpty {
            guard let (prefix, name) = prefixes.first(where: { variable.hasPrefix($0.0) }) else { continue }
            tables[name, default: [:]][String(variable.dropFirst(prefix.count)).lowercased()] = value
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
    private let forms: [String]
    private let learned: LearnedSecrets?

    public init(secrets: [String]) { self.init(secrets: secrets, learned: nil) }

    init(secrets: [String], learned: LearnedSecrets?) {
        forms = Self.forms(of: secrets)
        self.learned = learned
    }

    /// Every form in which `secrets` may travel, longest first (so a secret containing
    /// another is replaced whole). Very short values would redact ordinary words and protect
    /// nothing.
    static func forms(of secrets: [String]) -> [String] {
        var all: [String] = []
        for secret in secrets {
            all.append(secret)
            // What a Basic or token header carries.
            all.append(Data(secret.utf8).base64EncodedString())
            guard let url = URL(string: secret), url.scheme != nil else { continue }
            // A URL's userinfo becomes `Authorization: Basic base64(user:password)`, and
            // servers quote either part back.
            if let password = url.password(percentEncoded: false) {
                let pair = (url.user(percentEncoded: false) ?? "") + ":" + password
                all += [password, url.password(percentEncoded: true) ?? password, pair, Data(pair.utf8).base64EncodedString()]
            }
            // A secret URL (a webhook's) leaks through its parts too: error messages quote paths.
            guard !url.path.isEmpty, url.path != "/" else { continue }
            all.append(url.path)
            all += url.pathComponents.filter { $0.count >= 8 }
            if let query = url.query, query.count >= 8 { all.append(query) }
        }
        // Each also percent- or form-encoded, as in a URL or a body.
        all += all.compactMap { $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) }
        return Set(all.filter { $0.count >= 4 }).sorted { $0.count > $1.count }
    }

    public func redact(_ text: String) -> String {
        var text = text
        let learnedForms = learned?.forms ?? []
        let all = learnedForms.isEmpty ? forms : (forms + learnedForms).sorted { $0.count > $1.count }
        for form in all where text.contains(form) {
            text = text.replacingOccurrences(of: form, with: "[redacted]")
        }
        return text
    }
}

/// The secrets learned at run time, behind a lock: adapters learn them while others redact.
/// (`@unchecked`: both values are only touched under `lock`; `Mutex` needs macOS 15.)
final class LearnedSecrets: @unchecked Sendable {
    private let lock = NSLock()
    private var secrets: Set<String> = []
    private var cachedForms: [String] = []

    func add(_ secret: String) {
        lock.withLock {
            guard secrets.insert(secret).inserted else { return }
            cachedForms = SecretRedactor.forms(of: Array(secrets))
        }
    }

    var forms: [String] { lock.withLock { cachedForms } }
}
