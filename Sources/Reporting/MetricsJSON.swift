import Foundation
import Simulation

/// The JSON Fairground writes: pretty-printed with sorted keys (stable byte for byte), with
/// non-finite numbers as "inf"/"nan" strings. metrics.json and every sweep file use it.
public enum MetricsJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(type, from: Data(text.utf8))
    }

    /// A run summary (metrics.json).
    public static func decode(_ text: String) throws -> RunSummary { try decode(RunSummary.self, from: text) }
}
