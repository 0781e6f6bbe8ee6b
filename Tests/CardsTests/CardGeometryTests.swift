@testable import Cards
import Foundation
import Testing

/// The card's geometry, read back with libvips: whatever the image's shape, the card is
/// 1080×1350 and the image is in it whole (its edges inside the card, nothing cropped).
@Suite("Review card geometry")
struct CardGeometryTests {
    struct Shape: Sendable, CustomStringConvertible {
        var name: String
        var width: Int
        var height: Int
        var description: String { "\(name) \(width)×\(height)" }
    }

    static let shapes = [
        Shape(name: "portrait 2:3", width: 720, height: 1080),
        Shape(name: "landscape 16:9", width: 1600, height: 900),
        Shape(name: "square", width: 800, height: 800),
        Shape(name: "tiny", width: 10, height: 10),
        Shape(name: "huge 2:3", width: 6000, height: 9000),
    ]

    /// A solid red image: the card shows it at full brightness inside the fitted rectangle and
    /// as a darkened blur outside it, so the rectangle can be measured.
    @Test(arguments: shapes) func theWholeImageIsFittedInsideTheCard(shape: Shape) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("image.jpg").path
        try VImage.solid(width: shape.width, height: shape.height, red: 255, green: 0, blue: 0).save(source)

        let data = try CardRenderer.render(source)
        #expect(data.count <= CardRenderer.maximumBytes)
        #expect(ImageType.of(data) == "image/jpeg")
        let cardPath = folder.appendingPathComponent("card.jpg").path
        try data.write(to: URL(fileURLWithPath: cardPath))
        let card = try VImage.open(cardPath)
        #expect(card.width == 1080 && card.height == 1350)

        let scale = min(1080 / Double(shape.width), 1350 / Double(shape.height))
        let fittedWidth = Double(shape.width) * scale, fittedHeight = Double(shape.height) * scale
        let left = (1080 - fittedWidth) / 2, top = (1350 - fittedHeight) / 2
        func red(_ x: Double, _ y: Double) throws -> Double { try card.pixel(x: Int(x.rounded()), y: Int(y.rounded()))[0] }

        // The image spans the whole width or the whole height: it touches two opposite edges.
        let inset = 3.0
        for (x, y) in [(left + inset, 675.0), (left + fittedWidth - 1 - inset, 675), (540, top + inset), (540, top + fittedHeight - 1 - inset)] {
            #expect(try red(x, y) > 200, "the image reaches (\(x), \(y))")
        }
        #expect(abs(fittedWidth - 1080) < 1 || abs(fittedHeight - 1350) < 1)
        // Outside it, the darkened background: the image was not enlarged past its rectangle.
        if left > 6 { #expect(try red(left - 5, 675) < 170) }
        if top > 6 { #expect(try red(540, top - 5) < 170) }
        #expect(try red(2, 2) < 170 || (left < 1 && top < 1))
    }

    /// A camera's portrait photo is stored on its side with an EXIF orientation: the card shows
    /// it upright (here stored 3000×2000, shown 2000×3000, so 900×1350 on the card).
    @Test func anExifOrientationIsHonoured() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("sideways.jpg").path
        try VImage.solid(width: 3000, height: 2000, red: 255, green: 0, blue: 0).saveJPEG(source, orientation: 6)
        let cardPath = folder.appendingPathComponent("card.jpg").path
        try CardRenderer.render(source).write(to: URL(fileURLWithPath: cardPath))
        let card = try VImage.open(cardPath)
        #expect(try card.pixel(x: 540, y: 3)[0] > 200, "upright: the image spans the card's height")
        #expect(try card.pixel(x: 93, y: 675)[0] > 200 && card.pixel(x: 85, y: 675)[0] < 170, "and is 900 wide")
    }

    @Test func aFileThatIsNoImageIsAnErrorNotACrash() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("not-an-image-\(UUID().uuidString).jpg").path
        try Data("this is text, not a JPEG".utf8).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        #expect(throws: VipsError.self) { try CardRenderer.render(path) }
    }

    @Test func reencodingFitsUnderTheLimit() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("big.png").path
        // Noise compresses badly: a large PNG of it stands for an image over Bluesky's limit.
        try VImage.noise(width: 1500, height: 1500).save(source)
        let data = try CardRenderer.reencode(source, under: 300_000)
        #expect(data.count <= 300_000)
        #expect(ImageType.of(data) == "image/jpeg")
    }
}
