import Foundation
import Stochastics

/// comparison.md, comparison.html and comparison.json for `fairground compare`.
public enum ComparisonReport {
    /// Writes the three files into `directory` (a `RunFolder`'s staging folder).
    public static func write(_ c: RunComparison, to directory: String) throws {
        let writer = OutputWriter(directory: directory)
        try writer.prepare()
        try writer.write("comparison.json", json(c))
        try writer.write("comparison.md", markdown(c))
        try writer.write("comparison.html", html(c))
    }

    /// "small: spend delivery" for "spendDelivery_small".
    public static func label(_ metric: String) -> String {
        for (prefix, what) in [("spendDelivery_", "spend delivery"), ("exposureShare_", "exposure share")] where metric.hasPrefix(prefix) {
            return "\(metric.dropFirst(prefix.count)): \(what)"
        }
        return ["revenue": "revenue", "advertiserWelfare": "advertiser welfare", "clicks": "clicks", "conversions": "conversions",
                "newAdsWithClick": "new ads with a click", "hoursToFirstClick": "hours to first click"][metric] ?? metric
    }

    static func isShare(_ metric: String) -> Bool {
        metric.hasPrefix("spendDelivery_") || metric.hasPrefix("exposureShare_") || metric == "newAdsWithClick"
    }

    static func value(_ metric: String, _ x: Double) -> String {
        guard x.isFinite else { return "–" }
        if isShare(metric) { return Format.percent(x) }
        if metric == "hoursToFirstClick" { return String(format: "%.1f h", x) }
        return Format.money(x)
    }

    public static func change(_ metric: String, _ d: Estimate) -> String {
        guard d.mean.isFinite else { return "–" }
        if isShare(metric) { return Format.pointsEstimate(d) }
        if metric == "hoursToFirstClick" { return String(format: "%+.1f h (%+.1f to %+.1f)", d.mean, d.lower, d.upper) }
        func signed(_ x: Double) -> String { (x >= 0 ? "+" : "") + Format.money(x) }
        return "\(signed(d.mean)) (\(signed(d.lower)) to \(signed(d.upper)))"
    }

    /// "changed" when the interval excludes zero, else "inconclusive".
    /// "higher in B"/"lower in B" when the interval excludes zero; "identical" when every replicate
    /// agrees exactly; "no interval" from fewer than two replicates; else "inconclusive".
    public static func verdict(_ d: Estimate) -> String {
        if d.count < 2 { return d.mean == 0 ? "identical" : "no interval (one replicate)" }
        if d.mean == 0 && d.lower == 0 && d.upper == 0 { return "identical" }
        return d.excludesZero ? (d.mean > 0 ? "higher in B" : "lower in B") : "inconclusive"
    }

    /// Whether a row can be called a change.
    public static func changed(_ d: Estimate) -> Bool { d.count >= 2 && d.excludesZero }

    static func table(_ c: RunComparison) -> ReportTable {
        ReportTable(header: ["policy", "metric", "A: \(c.nameA)", "B: \(c.nameB)", "B − A (95% CI)", "verdict"],
                    rows: c.rows.map { r in
            [r.policy, label(r.metric), value(r.metric, r.a.mean), value(r.metric, r.b.mean), change(r.metric, r.difference), verdict(r.difference)]
        })
    }

    static func lead(_ c: RunComparison) -> [String] {
        func count(_ n: Int) -> String { n == 1 ? "1 replicate" : "\(n) replicates" }
        var lines = ["A: `\(c.folderA)` (scenario \(c.nameA), \(count(c.replicatesA))); B: `\(c.folderB)` (scenario \(c.nameB), \(count(c.replicatesB))).",
                     c.why]
        if c.paired && (c.sharedReplicates < c.replicatesA || c.sharedReplicates < c.replicatesB) {
            lines.append("The pairs use the \(count(c.sharedReplicates)) both runs have; the others are left out of the differences (each run's own means use all of its replicates).")
        }
        if c.folderA == c.folderB { lines.append("A and B are the same folder: every difference is zero.") }
        if min(c.paired ? c.sharedReplicates : min(c.replicatesA, c.replicatesB), 99) < 2 {
            lines.append("With one replicate there is no interval: no difference can be called a change. Rerun with `--replicates 2` or more.")
        }
        if !c.onlyInA.isEmpty { lines.append("Only in A (not compared): \(c.onlyInA.joined(separator: ", ")).") }
        if !c.onlyInB.isEmpty { lines.append("Only in B (not compared): \(c.onlyInB.joined(separator: ", ")).") }
        if c.rows.isEmpty { lines.append("The runs share no policy name, so nothing is compared.") }
        return lines
    }

    static let note = "A change is called only when its 95% interval excludes zero; otherwise it is inconclusive. Many metrics are compared at once: about one in twenty that did not change is flagged by chance, so read a lone flag among many with care. Money in the runs' units, totals over each run."

    public static func markdown(_ c: RunComparison) -> String {
        "# Fairground comparison — \(c.nameA) vs \(c.nameB)\n\n" + lead(c).map { $0 + "\n\n" }.joined()
            + SummaryMarkdown.table(table(c))
            + "\n\(note)\n"
    }

    public static func html(_ c: RunComparison) -> String {
        var h = HTMLReport.pageStart(title: "Fairground comparison — \(c.nameA) vs \(c.nameB)") + """
            <h1>Fairground comparison — \(HTMLReport.esc(c.nameA)) vs \(HTMLReport.esc(c.nameB))</h1>

            """
        for line in lead(c) { h += "<p class=\"meta\">\(HTMLReport.inline(line))</p>\n" }
        h += HTMLReport.table(table(c))
        h += "<p class=\"note\">\(HTMLReport.esc(note))</p>\n</main>\n</body>\n</html>\n"
        return h
    }

    static func json(_ c: RunComparison) throws -> String {
        struct Out: Encodable {
            var a: String, b: String, paired: Bool, why: String, replicatesA: Int, replicatesB: Int, sharedReplicates: Int
            var onlyInA: [String], onlyInB: [String]
            var rows: [Row]
            struct Row: Encodable { var policy: String, metric: String, a: Estimate, b: Estimate, difference: Estimate }
        }
        let out = Out(a: c.folderA, b: c.folderB, paired: c.paired, why: c.why, replicatesA: c.replicatesA, replicatesB: c.replicatesB, sharedReplicates: c.sharedReplicates,
                      onlyInA: c.onlyInA, onlyInB: c.onlyInB,
                      rows: c.rows.map { Out.Row(policy: $0.policy, metric: $0.metric, a: $0.a, b: $0.b, difference: $0.difference) })
        return try MetricsJSON.encode(out)
    }
}
