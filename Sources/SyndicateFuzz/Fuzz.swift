import Destinations
import Dispatch
import Foundation
@testable import HTTP
import Posting
import Synchronization
import Reviews
import ReviewSources
import SyndicateTesting

// libFuzzer targets for every parser of hostile text (issue 12, README "Fuzzing").
//
// One executable serves every target, so that `scripts/fuzz` builds once: `--target=NAME`
// picks the parser, and libFuzzer, which ignores flags that start with `--`, gets the rest
// (`-max_total_time`, `-jobs`, corpus folders). It is built only with
// `-sanitize=fuzzer,address`, in a build that sets SYNDICATE_FUZZ=1 (Package.swift). It has a
// `main` of its own, which hands over to libFuzzer's driver, because SwiftPM links every
// executable's entry point as `main` on Linux and would not take libFuzzer's. `@testable
// import HTTP` reaches the header-line reader the curl client uses, which is internal.

/// The parsers, by the name `--target=` and `Tests/FuzzCorpus/<name>/` use.
let targets: [String: @Sendable (Data) -> Void] = [
    "front-matter": fuzzFrontMatter,
    "config": fuzzConfig,
    "markdown": fuzzMarkdown,
    "http-headers": fuzzHTTPHeaders,
    "answers": fuzzAnswers,
    "remote-html": fuzzRemoteHTML,
]

/// The target named on the command line, found once.
let selected: @Sendable (Data) -> Void = {
    let names = CommandLine.arguments.compactMap { $0.hasPrefix("--target=") ? String($0.dropFirst(9)) : nil }
    guard let name = names.last, let target = targets[name] else {
        FileHandle.standardError.write(Data("usage: SyndicateFuzz --target=NAME [libFuzzer flags] (one of: \(targets.keys.sorted().joined(separator: ", ")))\n".utf8))
        exit(2)
    }
    return target
}()

/// libFuzzer's callback: one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    selected(data)
    return 0
}

/// libFuzzer's driver (compiler-rt's FuzzerInterface.h), which parses its flags and runs.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@main
enum SyndicateFuzz {
    static func main() {
        _ = selected
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOne))
    }
}

// MARK: - The site's own files

/// A review file, as `build` and `post` read each one.
@Sendable func fuzzFrontMatter(_ data: Data) {
    let parser = FrontMatterParser(timeZone: TimeZone(identifier: "America/New_York")!)
    switch parser.parse(data, path: "reviews/fuzz.md") {
    case .success: break
    case .failure(let problems): _ = String(describing: problems)
    }
}

/// `syndicate.toml` (the loader rejects text that is not UTF-8 before parsing), with every
/// destination checked against its kind, and the diagnostics worded as `check` shows them.
@Sendable func fuzzConfig(_ data: Data) {
    guard let text = String(data: data, encoding: .utf8) else { return }
    do {
        _ = try DestinationKinds.parseConfig(text)
    } catch {
        _ = String(describing: error)
    }
}

/// A review's body, rendered for the feeds and measured for posts.
@Sendable func fuzzMarkdown(_ data: Data) {
    let text = String(decoding: data, as: UTF8.self)
    _ = Markdown.html(text, base: URL(string: "https://reviews.test/reviews/fuzz/")!)
    _ = Markdown.firstParagraphText(text)
    _ = Markdown.plainText(text)
}

/// A remote item's HTML (a WordPress post's `content.rendered` and excerpt, a feed item's
/// content): the HTML parser, the facts reader, the sanitiser and the mapping, and the plain
/// text Letterboxd takes.
@Sendable func fuzzRemoteHTML(_ data: Data) {
    let html = String(decoding: data, as: UTF8.self)
    let item = RemoteItem(id: "wordpress:1", link: "https://blog.example/2025/03/post/", title: String(html.prefix(200)),
                          published: Date(timeIntervalSince1970: 1_741_680_000), html: html,
                          excerptHTML: data.count.isMultiple(of: 2) ? html : nil, categories: ["Reviews"],
                          image: String(html.prefix(100)), imageCredit: html)
    _ = item.review(site: remoteSite, only: ["Reviews"], firstSeen: nil)
    _ = HTMLText.paragraphs(html)
}

let remoteSite = SiteConfig(site: SiteSettings(title: "Fuzz", url: "https://reviews.test"))

// MARK: - Services' answers

/// Header lines as the curl client receives them, and every reading of a header value.
@Sendable func fuzzHTTPHeaders(_ data: Data) {
    let now = Date(timeIntervalSince1970: 1_780_000_000)
    var headers = HTTPHeaders()
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
        headers.addReceived(line: String(line) + "\n")
    }
    for field in headers {
        _ = RetryAfter.date(field.value, now: now)
        _ = HTTPDate.parse(field.value)
        _ = HTTPDate.iso8601(field.value)
        _ = HTTPDate.epochSeconds(field.value)
    }
    _ = ResponseClassifier.classifyFailure(HTTPResponse(status: 429, headers: headers), now: now)
}

/// One exchange with one destination, every answer written by the fuzzer.
///
/// The input is text: a first line naming a destination of `AnswersSite` and what to do
/// (`NAME send` prepares, composes and sends a review; `NAME verify` checks credentials),
/// then the answers to the adapter's requests in order, separated by `--next--` lines. An
/// answer is a status line (`HTTP/1.1 429 …`; `NOT-SENT` or `NO-ANSWER` for the transport
/// failures), header lines, a blank line and the body. The last answer repeats.
@Sendable func fuzzAnswers(_ data: Data) {
    let text = String(decoding: data, as: UTF8.self)
    guard let firstLine = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first else { return }
    let words = firstLine.split(separator: " ")
    guard words.count == 2, let site = AnswersSite.shared else { return }
    let answers = text.dropFirst(firstLine.count + 1).components(separatedBy: "\n--next--\n").map(FuzzedHTTPClient.answer)
    site.http.queue(answers)
    site.forgetState()
    // `composers()` builds fresh adapters of the configured kinds; the WebSub ping is of no
    // kind and keeps nothing, so the session's own one serves.
    let adapters = site.session.composers() + site.session.destinations.filter { $0.kind == WebSubKind.name }
    guard let destination = adapters.first(where: { $0.name == words[0] }) else { return }
    let review = site.review, reviewSite = site.site
    blocking {
        switch words[1] {
        case "send":
            await destination.prepare()
            guard let post = try? destination.compose(review, site: reviewSite) else { return }
            _ = await destination.send(OutgoingDelivery(review: review.slug, idempotencyKey: "fuzz-key", payload: post.payload,
                                                        attempt: 1, createdAt: Date(timeIntervalSince1970: 1_780_000_000)))
        case "verify":
            _ = await destination.verify()
        default:
            return
        }
    }
}

/// A site with one destination of every kind that talks to a service (a `command` runs a
/// program and reads no answer), each with its credentials, all sharing one fake client.
final class AnswersSite: Sendable {
    static let shared = try? AnswersSite()

    let temporary: TemporarySite
    let http = FuzzedHTTPClient()
    let session: PostingSession
    let site: Site
    let review: Review

    /// Removes what adapters keep between runs (cached limits, sessions, tokens, links made),
    /// so that each input starts afresh and a crash replays from its input alone.
    func forgetState() {
        let state = temporary.directory.appendingPathComponent(".syndicate")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: state.path)) ?? [] where !name.hasPrefix("ledger") {
            try? FileManager.default.removeItem(at: state.appendingPathComponent(name))
        }
    }

    init() throws {
        temporary = try TemporarySite.posting(reviews: 1, destinations: """
        [[destination]]
        name = "mastodon"
        kind = "mastodon"
        base_url = "https://mastodon.test"

        [[destination]]
        name = "bluesky"
        kind = "bluesky"

        [[destination]]
        name = "x"
        kind = "x"

        [[destination]]
        name = "letterboxd"
        kind = "letterboxd"

        [[destination]]
        name = "linkhub"
        kind = "linkhub"
        base_url = "https://links.test"

        [[destination]]
        name = "micropub"
        kind = "micropub"
        me = "https://me.test/"

        [[destination]]
        name = "webhook"
        kind = "webhook"

        [[destination]]
        name = "instagram"
        kind = "instagram"

        [[destination]]
        name = "threads"
        kind = "threads"
        """, credentials: """
        [mastodon]
        access_token = "t"
        [bluesky]
        identifier = "critic.test"
        app_password = "p"
        [x]
        consumer_key = "ck"
        consumer_secret = "cs"
        access_token = "at"
        access_token_secret = "ats"
        [letterboxd]
        username = "u"
        password = "p"
        client_id = "ci"
        client_secret = "cs"
        [linkhub]
        token = "t"
        [micropub]
        token = "t"
        [webhook]
        url = "https://hook.test/post"
        [instagram]
        user_id = "1784"
        access_token = "t"
        [threads]
        user_id = "2600"
        access_token = "t"
        """, hub: "https://hub.test/")
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        session = try PostingSession.open(siteDirectory: temporary.directory, clock: { now }, http: http)
        site = try Site.load(temporary.directory)
        guard let review = site.reviews.first else { throw CocoaError(.fileReadCorruptFile) }
        self.review = review
    }
}

/// Answers every request with the next of the answers it was given, the last one again
/// once they run out.
final class FuzzedHTTPClient: HTTPClient {
    private let answers = Mutex<[Result<HTTPResponse, HTTPFailure>]>([])

    func queue(_ answers: [Result<HTTPResponse, HTTPFailure>]) {
        self.answers.withLock { $0 = answers }
    }

    func send(_ request: HTTPRequest) async throws(HTTPFailure) -> HTTPResponse {
        let answer = answers.withLock { answers in
            answers.count > 1 ? answers.removeFirst() : answers.first ?? .failure(.notSent("no answer given"))
        }
        return try answer.get()
    }

    /// An answer in the input's text form. The status is the three digits curl would report
    /// (anything else reads as 200, the way a body-only answer is taken); header lines go
    /// through the client's own reader.
    static func answer(_ text: String) -> Result<HTTPResponse, HTTPFailure> {
        let parts = text.components(separatedBy: "\n\n")
        var lines = parts[0].split(separator: "\n", omittingEmptySubsequences: false)
        let statusLine = lines.isEmpty ? "" : lines.removeFirst()
        if statusLine == "NOT-SENT" { return .failure(.notSent("fuzzed")) }
        if statusLine == "NO-ANSWER" { return .failure(.noAnswer("fuzzed")) }
        let code = statusLine.split(separator: " ").dropFirst().first.flatMap { $0.count == 3 ? Int($0) : nil } ?? 200
        var headers = HTTPHeaders()
        for line in lines { headers.addReceived(line: String(line) + "\r\n") }
        let body = parts.dropFirst().joined(separator: "\n\n")
        return .success(HTTPResponse(status: code, headers: headers, body: Data(body.utf8)))
    }
}

/// Runs async adapter code to its end from libFuzzer's synchronous callback.
func blocking(_ body: @escaping @Sendable () async -> Void) {
    let done = DispatchSemaphore(value: 0)
    Task {
        await body()
        done.signal()
    }
    done.wait()
}
