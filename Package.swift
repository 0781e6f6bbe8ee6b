// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Syndicate",
    platforms: [.macOS(.v15)],  // Synchronization's Mutex
    products: [
        .executable(name: "syndicate", targets: ["syndicate"]),
        .library(name: "Reviews", targets: ["Reviews"]),
        .library(name: "Feeds", targets: ["Feeds"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // System libraries, each behind a small shim header, linked like any other library.
        // libxml2: the feed writers' xmlTextWriter, and the tests that parse what they wrote.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // cmark-gfm and its extensions (tables, strikethrough, autolinks): Debian's
        // libcmark-gfm.pc links both libraries.
        .systemLibrary(name: "CCMarkGFM", pkgConfig: "libcmark-gfm",
                       providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // glibc's posix_spawn extensions, which need _GNU_SOURCE.
        .target(name: "CSpawn"),
        // libpq: the PostgreSQL ledger store (docs/SPEC.md §11). Chosen over postgres-nio: a C
        // client like curl's, no minutes-long extra build, and synchronous calls that fit the
        // dispatch loop's blocking-thread model.
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // libvips (`libvips-dev`): the review cards (fit, blur, darken, compose, JPEG) in little
        // memory, behind plain C functions. A C target rather than a system library: libvips'
        // pkg-config flags carry `-pthread`, which SwiftPM drops with a warning on every build;
        // only cvips.c sees glib's and libvips' headers, so their folders are given to it alone.
        .target(name: "CVips",
                cSettings: [.unsafeFlags(["-I/usr/include/glib-2.0", "-I/usr/lib/x86_64-linux-gnu/glib-2.0/include",
                                          "-I/usr/lib/aarch64-linux-gnu/glib-2.0/include"])],
                linkerSettings: [.linkedLibrary("vips"), .linkedLibrary("gobject-2.0"), .linkedLibrary("glib-2.0"), .linkedLibrary("m")]),

        // The site: config, front matter, Markdown, the Review value.
        .target(name: "Reviews", dependencies: [
            "CCMarkGFM",
            .product(name: "Yams", package: "Yams"),
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        // A small HTTP client protocol and its libcurl implementation.
        .target(name: "HTTP", dependencies: ["CCurl"]),
        // Where the reviews come from: one file per source kind (files, wordpress, feed).
        .target(name: "ReviewSources", dependencies: [
            "Reviews", "HTTP", "CLibXML2",
            // `syndicate init` reads Jekyll's _config.yml and Hugo's hugo.toml.
            .product(name: "Yams", package: "Yams"),
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        // The review cards (docs/SPEC.md §10) and where a review's image is.
        .target(name: "Cards", dependencies: ["Reviews", "HTTP", "CVips"]),
        // RSS / Atom / JSON Feed writers and the build.
        .target(name: "Feeds", dependencies: ["Reviews", "ReviewSources", "HTTP", "Cards", "CLibXML2"]),
        // Composition, credentials, the delivery ledger, retries and the dispatch loop.
        .target(name: "Posting", dependencies: [
            "Reviews", "HTTP",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        // The ledger on PostgreSQL (many sites, many workers) and choosing a site's store.
        .target(name: "PostgresLedger", dependencies: ["Posting", "Reviews", "CPostgres"]),
        // One file per destination kind.
        .target(name: "Destinations", dependencies: ["Posting", "PostgresLedger", "HTTP", "Reviews", "ReviewSources", "Cards", "COpenSSL", "CSpawn"]),
        // Argument parsing only; every command calls the libraries.
        .executableTarget(name: "syndicate", dependencies: [
            "Reviews", "ReviewSources", "Feeds", "HTTP", "Posting", "PostgresLedger", "Destinations", "Cards",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Fixtures that tests, and only tests, use.
        .target(name: "SyndicateTesting", dependencies: ["Reviews", "HTTP", "COpenSSL", "CSpawn", "Cards"]),

        .testTarget(name: "ReviewSourcesTests", dependencies: ["ReviewSources", "Reviews", "HTTP", "SyndicateTesting"]),
        .testTarget(name: "ReviewsTests", dependencies: ["Reviews", "SyndicateTesting"]),
        .testTarget(name: "FeedsTests", dependencies: ["Feeds", "Reviews", "HTTP", "SyndicateTesting", "CLibXML2"]),
        .testTarget(name: "CardsTests", dependencies: ["Cards", "Feeds", "Reviews", "HTTP", "SyndicateTesting"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "SyndicateTesting"]),
        .testTarget(name: "PostingTests", dependencies: [
            "Posting", "PostgresLedger", "Destinations", "HTTP", "Reviews", "ReviewSources", "SyndicateTesting",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "EndToEndTests", dependencies: ["Reviews", "Cards", "SyndicateTesting"]),
    ],
    swiftLanguageModes: [.v6]
)

// The fuzz harness (scripts/fuzz, README "Fuzzing"), declared only when that script builds it:
// it has no `main` of its own (libFuzzer's runtime supplies one under -sanitize=fuzzer), so an
// ordinary `swift build` could not link it.
if Context.environment["SYNDICATE_FUZZ"] == "1" {
    package.products.append(.executable(name: "SyndicateFuzz", targets: ["SyndicateFuzz"]))
    package.targets.append(.executableTarget(name: "SyndicateFuzz", dependencies: [
        "Reviews", "ReviewSources", "HTTP", "Posting", "Destinations", "SyndicateTesting",
    ]))
}
