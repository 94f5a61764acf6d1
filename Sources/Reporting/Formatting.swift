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

    /// Money for people: whole units with thousands separators from 1,000 up ("30,991"), cents
    /// below. Never used in CSV or JSON, which keep plain numbers.
    public static func money(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        return abs(x) >= 1000 ? grouped(x) : String(format: "%.2f", x)
    }

    /// A whole number with comma thousands separators: "1,234,567", "-12,000".
    public static func grouped(_ x: Double) -> String {
        let digits = String(format: "%.0f", abs(x))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return (x < 0 && digits != "0" ? "-" : "") + out
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

    /// "+27.0 pp (24.0 to 30.0)"; two decimals when a bound would round to zero ("-0.01"), so an
    /// interval that excludes zero never reads as one that touches it.
    public static func pointsEstimate(_ e: Estimate) -> String {
        let d = digits(e)
        return String(format: "%+.\(d)f pp (%+.\(d)f to %+.\(d)f)", e.mean * 100, e.lower * 100, e.upper * 100)
    }

    /// "+1.2% (+0.8% to +1.6%)"; two decimals when a bound would round to zero.
    public static func relativeEstimate(_ e: Estimate) -> String {
        let d = digits(e)
        return String(format: "%+.\(d)f%% (%+.\(d)f%% to %+.\(d)f%%)", e.mean * 100, e.lower * 100, e.upper * 100)
    }

    /// 1, or 2 when a nonzero bound of the interval (in percent) rounds to 0.0.
    static func digits(_ e: Estimate) -> Int {
        [e.lower, e.upper].contains { $0 != 0 && abs($0 * 100) < 0.05 } ? 2 : 1
    }
}
