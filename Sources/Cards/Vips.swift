import CVips
import Foundation

/// A libvips failure, with libvips' own reason in one line.
package struct VipsError: Error, CustomStringConvertible, Sendable {
    package var description: String

    /// The reason libvips left in its error buffer (which is then cleared), after `what`.
    static func last(_ what: String) -> VipsError {
        var buffer = [CChar](repeating: 0, count: 512)
        syn_vips_error(&buffer, buffer.count)
        let reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return VipsError(description: "\(what): \(reason.isEmpty ? "failed" : reason)")
    }
}

/// libvips for the whole process: started once (`VIPS_INIT`), with its operation cache off,
/// since a build renders each image once and a cache would only hold every poster in memory.
package enum Vips {
    private static let started: Bool = {
        // One worker per core: the cards are made one after another, each on every core.
        syn_vips_start(Int32(max(1, ProcessInfo.processInfo.activeProcessorCount))) == 0
    }()

    /// Starts libvips if it is not yet.
    /// - Throws: `VipsError` when libvips cannot start.
    package static func start() throws {
        guard started else { throw VipsError(description: "libvips cannot start") }
    }
}

/// One libvips image, released with its last reference. Images are immutable once made;
/// libvips allows them to be used from any thread.
package final class VImage: @unchecked Sendable {
    let pointer: OpaquePointer

    private init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { syn_vips_unref(pointer) }

    /// Runs a libvips operation that makes one image.
    static func make(_ what: String, _ body: (UnsafeMutablePointer<OpaquePointer?>) -> Int32) throws -> VImage {
        try Vips.start()
        var out: OpaquePointer?
        guard body(&out) == 0, let out else { throw VipsError.last(what) }
        return VImage(out)
    }

    package var width: Int { Int(syn_vips_width(pointer)) }
    package var height: Int { Int(syn_vips_height(pointer)) }
    package var bands: Int { Int(syn_vips_bands(pointer)) }

    /// The image at `path`, shrunk or enlarged to fit inside `width` × `height` whole.
    package static func fitted(_ path: String, width: Int, height: Int) throws -> VImage {
        try make("cannot read the image") { syn_vips_thumbnail_fit(path, $0, Int32(width), Int32(height)) }
    }

    /// The whole image at `path` (for reading a card back).
    package static func open(_ path: String) throws -> VImage {
        try Vips.start()
        guard let image = syn_vips_open(path) else { throw VipsError.last("cannot read \(path)") }
        return VImage(image)
    }

    /// A `width` × `height` image of one colour.
    package static func solid(width: Int, height: Int, red: Double, green: Double, blue: Double) throws -> VImage {
        try make("cannot make an image") { syn_vips_solid($0, Int32(width), Int32(height), red, green, blue) }
    }

    /// Noise in three bands, which compresses badly.
    package static func noise(width: Int, height: Int) throws -> VImage {
        try make("cannot make an image") { syn_vips_noise($0, Int32(width), Int32(height)) }
    }

    /// Three 8-bit sRGB bands, whatever came in (grey, CMYK, 16-bit, an alpha channel).
    package func srgb() throws -> VImage {
        var image = self
        if syn_vips_has_alpha(image.pointer) != 0 { image = try Self.make("cannot flatten the image") { syn_vips_flatten(image.pointer, $0) } }
        image = try Self.make("cannot convert the image to sRGB") { syn_vips_srgb(image.pointer, $0) }
        if image.bands > 3 { image = try Self.make("cannot flatten the image") { syn_vips_flatten(image.pointer, $0) } }
        return try Self.make("cannot convert the image") { syn_vips_cast_uchar(image.pointer, $0) }
    }

    /// The image rendered into memory, so that it can be read more than once.
    package func inMemory() throws -> VImage {
        try Self.make("cannot read the image") { syn_vips_copy_memory(pointer, $0) }
    }

    /// Resized (with a linear kernel) to cover `width` × `height`, the overflow cropped around
    /// the centre. Not `vips_thumbnail_image`, which cost 30 ms of a card's CPU for this.
    package func covering(width: Int, height: Int) throws -> VImage {
        let scale = max(Double(width) / Double(self.width), Double(height) / Double(self.height))
        let large = try resized(horizontally: scale, vertically: scale)
        let (cropWidth, cropHeight) = (min(width, large.width), min(height, large.height))
        return try large.extracted(x: (large.width - cropWidth) / 2, y: (large.height - cropHeight) / 2, width: cropWidth, height: cropHeight)
    }

    /// The `width` × `height` area whose top left corner is (`x`, `y`).
    package func extracted(x: Int, y: Int, width: Int, height: Int) throws -> VImage {
        try Self.make("cannot crop the image") { syn_vips_extract(pointer, $0, Int32(x), Int32(y), Int32(width), Int32(height)) }
    }

    /// This image with `other` to its right (`horizontally`) or below it.
    private func joined(_ other: VImage, horizontally: Bool) throws -> VImage {
        try Self.make("cannot compose the card") { syn_vips_join(pointer, other.pointer, $0, horizontally ? 1 : 0) }
    }

    package func blurred(sigma: Double) throws -> VImage {
        try Self.make("cannot blur the image") { syn_vips_gaussblur(pointer, $0, sigma) }
    }

    /// Every band multiplied by `factor` (below 1: darker), as 8-bit.
    package func scaled(by factor: Double) throws -> VImage {
        try Self.make("cannot darken the image") { syn_vips_linear(pointer, $0, factor, 0) }
    }

    package func resized(horizontally: Double, vertically: Double) throws -> VImage {
        try Self.make("cannot resize the image") { syn_vips_resize(pointer, $0, horizontally, vertically) }
    }

    /// `image` placed on this one with its top left corner at (`x`, `y`), wholly inside it.
    /// The result is joined from `image` and the strips of this one around it, so this one is
    /// computed only where it shows: for the card's enlarged blur, the bars beside a poster
    /// (a sixth of the card), not the whole card under it.
    package func placing(_ image: VImage, x: Int, y: Int) throws -> VImage {
        var card = image
        let right = width - x - image.width, bottom = height - y - image.height
        if x > 0 { card = try extracted(x: 0, y: y, width: x, height: image.height).joined(card, horizontally: true) }
        if right > 0 { card = try card.joined(extracted(x: x + image.width, y: y, width: right, height: image.height), horizontally: true) }
        if y > 0 { card = try extracted(x: 0, y: 0, width: width, height: y).joined(card, horizontally: false) }
        if bottom > 0 { card = try card.joined(extracted(x: 0, y: y + image.height, width: width, height: bottom), horizontally: false) }
        return card
    }

    /// The image as a baseline JPEG of this quality (1-100), without metadata.
    package func jpeg(quality: Int) throws -> Data {
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        guard syn_vips_jpegsave_buffer(pointer, &buffer, &length, Int32(quality)) == 0, let buffer else { throw VipsError.last("cannot encode the JPEG") }
        defer { syn_vips_free(buffer) }
        return Data(bytes: buffer, count: length)
    }

    /// Writes the image to `path`, its format chosen by the extension (tests, benchmarks).
    package func save(_ path: String) throws {
        guard syn_vips_save(pointer, path) == 0 else { throw VipsError.last("cannot write \(path)") }
    }

    /// Writes the image as a JPEG whose EXIF orientation (1-8) says how to turn it (tests).
    package func saveJPEG(_ path: String, orientation: Int) throws {
        guard syn_vips_save_oriented_jpeg(pointer, path, Int32(orientation)) == 0 else { throw VipsError.last("cannot write \(path)") }
    }

    /// The bands of the pixel at (`x`, `y`).
    package func pixel(x: Int, y: Int) throws -> [Double] {
        var vector: UnsafeMutablePointer<Double>?
        var count: Int32 = 0
        guard syn_vips_getpoint(pointer, &vector, &count, Int32(x), Int32(y)) == 0, let vector else { throw VipsError.last("cannot read a pixel") }
        defer { syn_vips_free(vector) }
        return Array(UnsafeBufferPointer(start: vector, count: Int(count)))
    }
}
