import Foundation
import Simulation

/// metrics.json: the run summary as pretty-printed JSON with sorted keys (stable byte for byte).
public enum MetricsJSON {
    public static func encode(_ summary: RunSummary) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(summary), as: UTF8.self) + "\n"
    }

    public static func decode(_ text: String) throws -> RunSummary {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(RunSummary.self, from: Data(text.utf8))
    }
}
