import Foundation
import Stochastics

/// Number formatting shared by the CSV and Markdown writers (locale-independent, deterministic).
public enum Format {
    /// Up to 10 significant digits, no locale.
    public static func number(_ x: Double) -> String {
        guard x.isFinite else { return "" }
        return String(format: "%.10g", x)
    }

    /// Whole numbers for large values ("53090"), three significant digits for small ones ("0.431").
    public static func compact(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        return abs(x) >= 100 ? String(format: "%.0f", x) : String(format: "%.3g", x)
    }

    /// "0.431 (0.267–0.595)" with `compact` numbers.
    public static func compactEstimate(_ e: Estimate) -> String { "\(compact(e.mean)) (\(compact(e.lower))–\(compact(e.upper)))" }

    public static func percent(_ x: Double, digits: Int = 1) -> String { String(format: "%.\(digits)f%%", x * 100) }

    public static func money(_ x: Double) -> String {
        abs(x) >= 1000 ? String(format: "%.0f", x) : String(format: "%.2f", x)
    }

    /// "58.1% (55.2–61.0)".
    public static func percentEstimate(_ e: Estimate) -> String {
        "\(percent(e.mean)) (\(String(format: "%.1f", e.lower * 100))–\(String(format: "%.1f", e.upper * 100)))"
    }

    /// "1234 (1200–1268)".
    public static func moneyEstimate(_ e: Estimate) -> String { "\(money(e.mean)) (\(money(e.lower))–\(money(e.upper)))" }

    /// "0.412 (0.398–0.426)".
    public static func plainEstimate(_ e: Estimate, digits: Int = 3) -> String {
        let f = "%.\(digits)f"
        return "\(String(format: f, e.mean)) (\(String(format: f, e.lower))–\(String(format: f, e.upper)))"
    }

    /// A signed difference: "+0.0021 (−0.0004 to +0.0046)".
    public static func signedEstimate(_ e: Estimate, digits: Int = 4) -> String {
        let f = "%+.\(digits)f"
        return "\(String(format: f, e.mean)) (\(String(format: f, e.lower)) to \(String(format: f, e.upper)))"
    }

    /// "+27.0 pp (24.0 to 30.0)".
    public static func pointsEstimate(_ e: Estimate) -> String {
        String(format: "%+.1f pp (%+.1f to %+.1f)", e.mean * 100, e.lower * 100, e.upper * 100)
    }

    /// "+1.2% (+0.8% to +1.6%)".
    public static func relativeEstimate(_ e: Estimate) -> String {
        String(format: "%+.1f%% (%+.1f%% to %+.1f%%)", e.mean * 100, e.lower * 100, e.upper * 100)
    }
}
