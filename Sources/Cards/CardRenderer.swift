import Foundation

/// The review card (docs/SPEC.md §10): a 1080×1350 (4:5) JPEG, the image fitted whole in the
/// middle and the rest filled with a blurred, darkened copy of it, no text.
package enum CardRenderer {
    package static let width = 1080
    package static let height = 1350
    /// Instagram's and Mastodon's limit for an image.
    package static let maximumBytes = 8_000_000
    /// Names the recipe below: cards made by another recipe are made again.
    package static let recipe = "card-1"

    /// The card of the image at `path`.
    /// - Throws: `VipsError` when the file is no image libvips can read.
    package static func render(_ path: String) throws -> Data {
        // The foreground is decoded once, shrunk on load where the format allows (a JPEG
        // poster of 2000×3000 is read at a quarter of its size): little memory and CPU.
        // It is read twice (background and foreground) from a file opened for one pass, so it
        // is kept in memory: 4 MB at most.
        let front = try VImage.fitted(path, width: width, height: height).srgb().inMemory()
        // The background is made at a tenth of the size (kept in memory: 44 KB, read by every
        // strip of the card) and enlarged: a blur that large costs a hundredth of one at full
        // size, and the enlargement smooths it further.
        let small = try front.covering(width: width / 10, height: height / 10).inMemory()
        let back = try small.blurred(sigma: 3).scaled(by: 0.45)
            .resized(horizontally: Double(width) / Double(small.width), vertically: Double(height) / Double(small.height))
        let card = try back.placing(front, x: (width - front.width) / 2, y: (height - front.height) / 2)
        return try encode(card, under: maximumBytes)
    }

    /// The image at `path` as a JPEG of at most `limit` bytes: its own size, then smaller
    /// qualities, then halved sizes until it fits (Bluesky's thumbnails: 1,000,000 bytes).
    package static func reencode(_ path: String, under limit: Int) throws -> Data {
        var image = try VImage.open(path).srgb()
        while true {
            if let data = try? encode(image, under: limit) { return data }
            guard image.width > 64, image.height > 64 else { throw VipsError(description: "cannot make it small enough") }
            image = try image.resized(horizontally: 0.5, vertically: 0.5)
        }
    }

    /// `image` as a JPEG under `limit` bytes, at quality 85 or, if that is too large, lower.
    private static func encode(_ image: VImage, under limit: Int) throws -> Data {
        for quality in [85, 75, 60, 45] {
            let data = try image.jpeg(quality: quality)
            if data.count <= limit { return data }
        }
        throw VipsError(description: "the JPEG stays over \(limit) bytes")
    }
}
