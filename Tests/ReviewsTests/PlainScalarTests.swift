@testable import Reviews
import Testing
import Yams

/// `PlainScalar.plainDecimal` types the commonest numbers without Yams' regular
/// expressions: it must answer exactly what Yams' own rules answer, or leave the scalar to them.
@Suite("Plain scalars typed as Yams types them")
struct PlainScalarTests {
    /// Decimals in the wild, and every near miss where YAML 1.1 differs from `Int()` or
    /// `Double()` (octal, underscores, signs, sexagesimal, exponents, points at either end).
    static let texts = [
        "0", "7", "10", "2023", "1999", "0123", "00", "08", "+5", "-3", "1_000", "3.5", "4.0", "0.5", "03.5",
        "10.", ".5", "5.5.5", "1e3", "1.5e3", "12:30", "1:20:30.5", "0x1F", "0o17", "0b101", "123456789012345",
        "1234567890123456", "99999999999999999999", "3.14159265358979", "3.141592653589793238", "2025-01-02",
        "", "~", "null", "true", "no", "٣", "１２", "12a", "a12", " 12", "12 ", ".inf", ".nan", "1,000",
    ]
    static let resolvers: [(String, Resolver)] = [
        ("default", .default), ("ints", .ints), ("numbers", .numbers), ("bools", .bools), ("nulls", .nulls),
        ("floats only", Resolver.basic.appending(.float)), ("basic", .basic),
    ]

    @Test(arguments: texts)
    func sameAsYams(_ text: String) {
        for (name, rules) in Self.resolvers {
            let typed = PlainScalar(text, plain: true, rules: rules)
            let yams = PlainScalar(resolving: text, rules: rules)
            #expect(Self.describe(typed) == Self.describe(yams), "\(text) with the \(name) rules")
        }
    }

    @Test func theFastPathTakesTheCommonNumbers() {
        #expect(Self.describe(PlainScalar.plainDecimal("2023", rules: .ints)) == "int 2023")
        #expect(Self.describe(PlainScalar.plainDecimal("3.5", rules: .numbers)) == "float 3.5")
        #expect(Self.describe(PlainScalar.plainDecimal("4", rules: .numbers)) == "int 4")
        #expect(PlainScalar.plainDecimal("0123", rules: .ints) == nil)
        #expect(PlainScalar.plainDecimal("2023", rules: .bools) == nil)
    }

    static func describe(_ scalar: PlainScalar?) -> String {
        switch scalar {
        case nil: return "nil"
        case .null?: return "null"
        case .bool(let value)?: return "bool \(value)"
        case .int(let value)?: return "int \(value)"
        case .float(let value)?: return "float \(value)"
        case .string?: return "string"
        }
    }
}
