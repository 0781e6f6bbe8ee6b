// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Syndicate",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "syndicate", targets: ["syndicate"]),
        .library(name: "Reviews", targets: ["Reviews"]),
        .library(name: "Feeds", targets: ["Feeds"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // System libraries, each behind a small shim header.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCMark", pkgConfig: "libcmark-gfm",
                       providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),

        // The site: config, front matter, Markdown, the Review value.
        .target(name: "Reviews", dependencies: [
            "CCMark",
            .product(name: "Yams", package: "Yams"),
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // RSS / Atom / JSON Feed writers and the build.
        .target(name: "Feeds", dependencies: [
            "Reviews", "CLibXML2",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // A small HTTP client protocol and its libcurl implementation.
        .target(name: "HTTP", dependencies: ["CCurl"]),
        // Argument parsing only; every command calls the libraries.
        .executableTarget(name: "syndicate", dependencies: [
            "Reviews", "Feeds",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Fixtures that tests, and only tests, use.
        .target(name: "SyndicateTesting", dependencies: ["Reviews"]),

        .testTarget(name: "ReviewsTests", dependencies: ["Reviews", "SyndicateTesting"]),
        .testTarget(name: "FeedsTests", dependencies: ["Feeds", "Reviews", "SyndicateTesting", "CLibXML2"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "SyndicateTesting"]),
        .testTarget(name: "EndToEndTests", dependencies: ["Reviews", "SyndicateTesting"]),
    ],
    swiftLanguageModes: [.v6]
)
