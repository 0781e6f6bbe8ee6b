import Foundation
import SyndicateTesting
import Testing

enum RealWordPress {
    /// Debian's packages are installed and /etc/wordpress is writable.
    static var available: Bool {
        let files = FileManager.default
        return ["/usr/share/wordpress/wp-load.php", "/usr/sbin/mariadbd", "/usr/bin/php"].allSatisfy { files.fileExists(atPath: $0) }
            && files.isWritableFile(atPath: "/etc/wordpress")
    }
}

/// The real thing: WordPress 6 from Debian's packages (MariaDB on a socket in a temporary
/// folder, PHP's built-in server on 127.0.0.1; `scripts/wordpress-server`), posts made with
/// `wp_insert_post`, and the real binary's `build` on `[source] kind = "wordpress"`. Then an
/// edit, read through `modified_after`, and a host move: nothing new, links moved.
///
/// It needs `wordpress mariadb-server php-cli php-mysql` (scripts/install-deps installs them,
/// so `.ci/run` always runs it) and write access to /etc/wordpress; elsewhere it is skipped.
@Suite("a real WordPress, end to end", .enabled(if: RealWordPress.available), .timeLimit(.minutes(2)))
struct RealWordPressTests {
    let binary = syndicateBinary()
    let script = repositoryRoot().appendingPathComponent("scripts/wordpress-server")

    /// A review in the shape real ones have (a kicker, the film's title, a separator, facts as
    /// bold `<br>` lines, the review, a photo credit), in our own words.
    static let review = """
        <p>MOVIE REVIEW</p>
        <h2>Cold Set: The Story of a Camera Crew</h2>
        <p>–</p>
        <p><strong>Genre:</strong> Crime, Documentary<br>
        <strong>Year Released:</strong> 2025<br>
        <strong>Runtime:</strong> 1h 31m<br>
        <strong>Director(s):</strong> Mara Quinlan<br>
        <strong>Where To Watch:</strong> streaming from March 11, 2025<br>
        <strong>Rating:</strong> 3.5/5</p>
        <p>RAVING REVIEW: COLD SET is a documentary that left me more torn than I expected, honouring a crew while judging a set.</p>
        <p>Its archive footage is the strongest thing in it, and the interviews are close enough to hurt.</p>
        <p>[photo courtesy of the studio]</p>
        """

    func php(_ directory: URL, host: String, _ code: String) throws -> String {
        let file = directory.appendingPathComponent("step-\(UUID().uuidString).php")
        try ("<?php\n" + code).write(to: file, atomically: true, encoding: .utf8)
        let result = try run(URL(fileURLWithPath: "/usr/bin/php"), [directory.appendingPathComponent("wp.php").path, file.path, host])
        guard result.status == 0 else { throw Failure(message: "php failed: \(result.stdout) \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    @Test func buildReadsARealWordPressThenAnEditAndAHostMoveAddNothing() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("syndicate-wp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let server = directory.appendingPathComponent("wp")
        defer {
            _ = try? run(URL(fileURLWithPath: "/bin/bash"), [script.path, "stop", server.path])
            try? FileManager.default.removeItem(at: directory)
        }
        let started = try run(URL(fileURLWithPath: "/bin/bash"), [script.path, "start", server.path])
        try #require(started.status == 0, "\(started.stderr)")
        let url = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let host = String(url.dropFirst("http://".count))

        let id = try php(server, host: host, """
            update_option('permalink_structure', '/%year%/%monthnum%/%day%/%postname%/');
            flush_rewrite_rules();
            $category = wp_insert_term('Movie Reviews', 'category')['term_id'];
            $post = wp_insert_post(['post_title' => 'Unmasking the People Behind a Cold Set', 'post_status' => 'publish',
                'post_date' => '2025-03-11 09:00:00', 'post_category' => [$category],
                'post_content' => <<<'HTML'
            \(Self.review)
            HTML], true);
            wp_set_post_tags($post, ['Hulu', 'Documentaries']);
            $image = wp_insert_attachment(['post_mime_type' => 'image/jpeg', 'post_title' => 'Still',
                'post_excerpt' => 'Photo courtesy of the studio', 'post_status' => 'inherit'], '2025/03/cold-set.jpg', $post);
            update_post_meta($image, '_wp_attachment_image_alt', 'A camera on an empty set');
            set_post_thumbnail($post, $image);
            wp_insert_post(['post_title' => 'Salt Roads', 'post_status' => 'publish', 'post_date' => '2025-02-01 09:00:00',
                'post_category' => [$category], 'post_content' => '<p>A road movie without facts, reviewed in one plain paragraph of prose.</p>']);
            wp_insert_post(['post_title' => 'Drafted', 'post_status' => 'draft', 'post_category' => [$category], 'post_content' => '<p>Not yet.</p>']);
            echo $post;
            """)

        let site = try TemporarySite(config: TemporarySite.config(extra: """
            [source]
            kind = "wordpress"
            url = "\(url)/"
            only = ["Movie Reviews"]
            """))
        let environment = ["NO_COLOR": "1"]
        let first = try run(binary, ["build", "--site", site.directory.path], environment: environment)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("with 2 reviews"), "\(first.stderr)")
        let rss = try #require(site.read("feeds/feed.xml"))
        #expect(rss.contains("<title>Cold Set: The Story of a Camera Crew</title>"))
        #expect(rss.contains("Unmasking the People Behind a Cold Set"))
        #expect(rss.contains("Crime, Documentary · 2025 · 1h 31m · Directed by Mara Quinlan"), "\(rss)")
        #expect(rss.contains("Rating: ★★★½"))
        #expect(rss.contains("\(url)/2025/03/11/unmasking-the-people-behind-a-cold-set/"))
        #expect(rss.contains("\(url)/wp-content/uploads/2025/03/cold-set.jpg"))
        #expect(rss.contains("<title>Salt Roads</title>") && !rss.contains("Hello world") && !rss.contains("Drafted"))
        #expect(rss.contains("RAVING REVIEW: COLD SET is a documentary"))
        let json = try #require(site.read("feeds/feed.json"))
        #expect(json.contains("Photo courtesy of the studio"))

        // An edit, read through modified_after.
        _ = try php(server, host: host, "wp_update_post(['ID' => \(id), 'post_content' => str_replace('close enough to hurt', 'close enough to sting', get_post(\(id))->post_content)]);")
        let edited = try run(binary, ["build", "--site", site.directory.path], environment: environment)
        #expect(edited.status == 0, "\(edited.stderr)")
        #expect(site.read("feeds/feed.xml")?.contains("close enough to sting") == true)

        // The site moves to another host; the user points `url` at it.
        let moved = url.replacingOccurrences(of: "127.0.0.1", with: "localhost")
        _ = try php(server, host: host, "update_option('home', '\(moved)'); update_option('siteurl', '\(moved)');")
        let config = try #require(site.read("syndicate.toml"))
        try site.write("syndicate.toml", config.replacingOccurrences(of: "url = \"\(url)/\"", with: "url = \"\(moved)/\""))
        let after = try run(binary, ["build", "--site", site.directory.path], environment: environment)
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stderr.contains("with 2 reviews"), "\(after.stderr)")
        let movedFeed = try #require(site.read("feeds/feed.xml"))
        #expect(movedFeed.contains("\(moved)/2025/03/11/unmasking-the-people-behind-a-cold-set/"))
        #expect(!movedFeed.contains(url + "/2025"))
        let copy = try #require(site.read(".syndicate/cache/source/wordpress.json"))
        let ids = Set(copy.matches(of: /"id":"(wordpress:\d+)"/).map { String($0.output.1) })
        #expect(ids.count == 3, "the two reviews and Hello world, each once: \(ids)")
        #expect(ids.contains("wordpress:\(id)"))
    }
}
