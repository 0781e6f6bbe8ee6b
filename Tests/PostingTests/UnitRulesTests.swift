import Foundation
import HTTP
import Posting
import Reviews
import Testing

@Suite("Retry rules")
struct RetryRulesTests {
    let now = Date(timeIntervalSince1970: 1_764_000_000)

    @Test(arguments: [(1, 30.0), (2, 60), (3, 120), (5, 480), (12, 3600)])
    func backoffCeilingDoublesUpToTheCap(_ attempts: Int, _ ceiling: Double) {
        let policy = RetryPolicy(base: 30, max: 3600, maxAttempts: 20)
        let highest = policy.nextAttempt(after: attempts, now: now, notBefore: nil, random: { $0.upperBound })!
        let lowest = policy.nextAttempt(after: attempts, now: now, notBefore: nil, random: { $0.lowerBound })!
        #expect(highest == now.addingTimeInterval(ceiling))
        #expect(lowest == now, "full jitter starts at zero")
    }

    @Test func serverWaitWinsOverJitter() {
        let policy = RetryPolicy(base: 30, max: 3600, maxAttempts: 8)
        let notBefore = now.addingTimeInterval(900)
        #expect(policy.nextAttempt(after: 1, now: now, notBefore: notBefore) == notBefore)
    }

    @Test func attemptsRunOut() {
        #expect(RetryPolicy(base: 30, max: 3600, maxAttempts: 3).nextAttempt(after: 3, now: now, notBefore: nil) == nil)
    }

    @Test(arguments: [
        ("120", 1_764_000_120.0),
        ("0", 1_764_000_000),
        ("Wed, 26 Nov 2025 00:00:00 GMT", 1_764_115_200),
        ("Wednesday, 26-Nov-25 00:00:00 GMT", 1_764_115_200),
        ("Wed Nov 26 00:00:00 2025", 1_764_115_200),
    ])
    func retryAfterBothForms(_ header: String, _ epoch: Double) {
        #expect(RetryAfter.date(header, now: now) == Date(timeIntervalSince1970: epoch))
    }

    /// Found by the http-headers fuzzer: Foundation's DateFormatter stops the program
    /// ("Incorrect range CFRange") on some non-ASCII text, and a server chooses its headers.
    @Test func aRetryAfterThatIsNotASCIIIsNoDate() {
        let bytes: [UInt8] = Array("Sun".utf8) + [0xDC, 0xB1, 0x90, 0x89, 0xDF, 0xDF, 0xC9, 0xDF] + Array("08:49:37 1994".utf8)
        #expect(RetryAfter.date(String(decoding: bytes, as: UTF8.self), now: now) == nil)
        #expect(RetryAfter.date(String(decoding: bytes, as: Unicode.ASCII.self), now: now) == nil)
        #expect(RetryAfter.date(String(bytes.map { Character(Unicode.Scalar($0)) }), now: now) == nil)
        #expect(HTTPDate.iso8601("2025-11-26T00:00:00Z\u{301}") == nil)
    }

    @Test func rateLimitResetHeaders() {
        #expect(HTTPDate.iso8601("2025-11-26T00:00:00.000Z") == Date(timeIntervalSince1970: 1_764_115_200))
        #expect(HTTPDate.epochSeconds("1764115200") == Date(timeIntervalSince1970: 1_764_115_200))
        #expect(RetryAfter.date("soon", now: now) == nil)
    }

    /// docs/SPEC.md §6's classification, row by row.
    @Test(arguments: [
        (200, "posted"), (201, "posted"), (204, "posted"),
        (408, "retryable"), (425, "retryable"), (429, "retryable"), (500, "retryable"), (502, "retryable"), (503, "retryable"), (504, "retryable"),
        (400, "permanent"), (401, "permanent"), (403, "permanent"), (404, "permanent"), (409, "permanent"), (410, "permanent"), (413, "permanent"),
        (422, "permanent"), (501, "permanent"),
    ])
    func statusClassification(_ status: Int, _ expected: String) {
        let response = HTTPResponse(status: status, body: Data("{\"error\":\"why\"}".utf8))
        let result = response.isSuccess ? SendResult.posted(remoteID: nil, remoteURL: nil, httpStatus: status)
            : ResponseClassifier.classifyFailure(response, now: now)
        switch (result, expected) {
        case (.posted, "posted"), (.retryable, "retryable"), (.permanent, "permanent"): break
        default: Issue.record("\(status) gave \(result), expected \(expected)")
        }
    }

    @Test func transportFailures() {
        #expect(ResponseClassifier.classify(.notSent("refused")) == .retryable(message: "refused", httpStatus: nil, notBefore: nil, errorClass: "not_sent"))
        #expect(ResponseClassifier.classify(.noAnswer("timeout")) == .unknown(message: "timeout", httpStatus: nil))
    }

    @Test func serverMessages() {
        let cases: [(String, String)] = [
            ("{\"error\":\"Validation failed: Text can't be blank\"}", "Validation failed: Text can't be blank"),
            ("{\"error\":\"invalid_grant\",\"error_description\":\"bad password\"}", "invalid_grant: bad password"),
            ("{\"errors\":[{\"message\":\"duplicate content\"}]}", "duplicate content"),
            ("plain words", "plain words"),
            ("", "bad request"),
        ]
        for (body, message) in cases {
            #expect(ResponseClassifier.serverMessage(HTTPResponse(status: 400, body: Data(body.utf8))) == message)
        }
    }
}

@Suite("Composition")
struct ComposerTests {
    private func review(summary: String, headline: String? = "A headline", genres: [String] = ["Crime", "Science Fiction"]) -> (Review, Site) {
        var review = Review(source: "reviews/x.md", title: "Last Take", date: Date(timeIntervalSince1970: 0), slug: "last-take", summary: summary)
        review.headline = headline
        review.year = 2025
        review.rating = 3.5
        review.genres = genres
        let site = Site(directory: URL(fileURLWithPath: "/tmp"), config: SiteConfig(site: SiteSettings(title: "T", url: "https://r.test")), reviews: [])
        return (review, site)
    }

    @Test func defaultTemplateReadsWell() throws {
        let (review, site) = review(summary: "A moving tribute.")
        let text = try Composer(template: DefaultTemplates.post, rule: .unlimited).compose(TemplateVariables(review: review, site: site)).text
        #expect(text == "A headline\nLast Take (2025) ★★★½\n\nA moving tribute.\n\nhttps://r.test/reviews/last-take/\n\n#Crime #ScienceFiction")
    }

    @Test func missingFactsLeaveNoGaps() throws {
        var (review, site) = review(summary: "S.", headline: nil, genres: [])
        review.year = nil
        review.rating = nil
        let text = try Composer(template: DefaultTemplates.post, rule: .unlimited).compose(TemplateVariables(review: review, site: site)).text
        #expect(text == "Last Take\n\nS.\n\nhttps://r.test/reviews/last-take/")
    }

    @Test func summaryIsCutAtAWordBoundary() throws {
        let (review, site) = review(summary: "one two three four five six seven eight nine ten")
        let full = try Composer(template: "{{summary}} {{url}}", rule: .unlimited).compose(TemplateVariables(review: review, site: site))
        let rule = CountingRule.graphemes(limit: full.count - 10)
        let cut = try Composer(template: "{{summary}} {{url}}", rule: rule).compose(TemplateVariables(review: review, site: site))
        #expect(cut.text == "one two three four five six seven…  https://r.test/reviews/last-take/".replacingOccurrences(of: "…  ", with: "… "))
        #expect(cut.shortened)
        #expect(cut.count <= rule.limit!)
    }

    @Test func hashtagsThenHeadlineGoWhenTheSummaryIsNotEnough() throws {
        let (review, site) = review(summary: "word")
        let template = "{{headline}} {{summary}} {{url}} {{hashtags}}"
        let url = "https://r.test/reviews/last-take/"
        let withoutTags = try Composer(template: template, rule: .graphemes(limit: "A headline  \(url)".count))
            .compose(TemplateVariables(review: review, site: site))
        #expect(withoutTags.text == "A headline  \(url)")
        let bare = try Composer(template: template, rule: .graphemes(limit: url.count + 2)).compose(TemplateVariables(review: review, site: site))
        #expect(bare.text == url)
        #expect(throws: CompositionError.self) {
            try Composer(template: template, rule: .graphemes(limit: 10)).compose(TemplateVariables(review: review, site: site))
        }
    }

    @Test func hashtags() {
        #expect(Hashtag.make("Science Fiction") == "#ScienceFiction")
        #expect(Hashtag.make("Film-Noir") == "#FilmNoir")
        #expect(Hashtag.make("Comédie") == "#Comédie")
    }

    @Test func redactorCatchesEncodedFormsAndURLParts() {
        let redactor = SecretRedactor(secrets: ["https://hooks.test/services/T000/B000/XXXXsecretXXXX", "p@ss word!"])
        #expect(redactor.redact("POST /services/T000/B000/XXXXsecretXXXX failed") == "POST [redacted] failed")
        #expect(redactor.redact("token=p%40ss%20word%21") == "token=[redacted]")
        #expect(redactor.redact("nothing here") == "nothing here")
    }

    /// Every form a secret travels in: as given, URL-encoded, base64, a URL's userinfo (and
    /// the `Authorization: Basic` it becomes).
    @Test(arguments: [
        ("Basic aG9va3VzZXI6cHctc2VjcmV0LTc3", "Basic [redacted]"),
        ("denied for hookuser%3Apw-secret-77", "denied for hookuser%3A[redacted]"),
        ("password pw-secret-77 refused", "password [redacted] refused"),
        ("secret-token is cGxhaW4tc2VjcmV0LXRva2Vu", "secret-token is [redacted]"),
    ])
    func redactorCatchesUserinfoAndBase64(_ text: String, _ expected: String) {
        let redactor = SecretRedactor(secrets: ["https://hookuser:pw-secret-77@hooks.test/in", "plain-secret-token"])
        #expect(redactor.redact(text) == expected)
    }

    /// A secret obtained at run time (a session token) is redacted once learned, by every
    /// copy of the credentials' redactor.
    @Test func redactorLearnsRunTimeSecrets() {
        let credentials = Credentials(tables: [:])
        let redactor = credentials.redactor
        #expect(redactor.redact("token eyJ.runtime.jwt") == "token eyJ.runtime.jwt")
        credentials.learn("eyJ.runtime.jwt")
        #expect(redactor.redact("token eyJ.runtime.jwt") == "token [redacted]")
        #expect(redactor.redact("token eyJ.runtime.jwt".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!) == "token%20[redacted]")
    }
}
