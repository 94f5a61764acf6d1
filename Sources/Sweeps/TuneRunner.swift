import Foundation
import Reporting
import Scenario
import Stochastics

/// `fairground tune`: the tuner over one key of a sweep file, its cells cached like a sweep's
/// (`OUT/cells/<hash>.json`, so a rerun resumes and a tune into a sweep's folder reuses its cells),
/// and `tune.json` and `tune.md` written when it ends.
public enum TuneRunner {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// What `tune.json` holds.
    public struct Document: Sendable, Codable {
        public var name: String
        public var policy: String
        public var key: String
        public var range: [Double]
        /// The other grid keys' values used in every cell (their first, or as fixed).
        public var fixed: [String: String]
        public var objective: String
        public var constraints: [String]
        public var budget: Int
        public var steps: [Tuner.Step]
        public var recommendation: SweepOutputs.Recommendation?
        public var resolution: Double
        public var gridCells: Int
        public var cells: [SweepCellResult]
    }

    public static func run(_ sweep: Sweep, key: String, range: ClosedRange<Double>, budget: Int, fix: [String: String],
                           out directory: String, jobs: Int, progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Document {
        var fixed: [String: String] = [:]
        for k in sweep.keys where k != key { fixed[k] = sweep.values[k]?.first }
        for (k, v) in fix { fixed[k] = v }
        try SweepFolder.refuseForeign(directory)
        let writer = OutputWriter(directory: directory)
        try writer.prepare()
        let cellsFolder = OutputWriter(directory: (directory as NSString).appendingPathComponent("cells"))
        try cellsFolder.prepare()
        let policy = sweep.policy
        let others = fixed.keys.sorted().map { (path: $0, value: fixed[$0]!) }
        var done = 0
        let search = try Tuner.search(key: key, range: range, budget: budget, objective: sweep.objective.maximize,
                                      constraints: sweep.objective.constraints.map(SweepRunner.describe)) { batch in
            let cells = try batch.map { b in try sweep.cell(index: b.index, overrides: others + [(path: key, value: Format.number(b.value))]) }
            let results = parallelMap(count: cells.count, jobs: jobs) { i -> SweepCellResult? in
                if let cached = SweepRunner.finished(cells[i].hash, in: directory) { return cached }
                guard let r = CellEvaluation.evaluate(cells[i], policy: policy), let text = try? MetricsJSON.encode(r) else { return nil }
                return (try? cellsFolder.write("\(r.hash).json", text)) != nil ? r : nil
            }
            done += cells.count
            progress?(done, budget)
            return try results.enumerated().map { i, r in
                guard var r else { throw Failure(description: "cell \(batch[i].index) (\(key) = \(Format.number(batch[i].value))) could not be run or written") }
                r.index = batch[i].index
                return r
            }
        }
        let document = Document(name: sweep.name, policy: policy, key: key, range: [range.lowerBound, range.upperBound], fixed: fixed,
                                objective: sweep.objective.maximize, constraints: sweep.objective.constraints.map(SweepRunner.describe),
                                budget: budget, steps: search.steps, recommendation: search.recommendation,
                                resolution: search.resolution, gridCells: search.gridCells, cells: search.results)
        try writer.write("tune.md", markdown(document))
        try writer.write("tune.json", try MetricsJSON.encode(document))
        return document
    }

    /// The answer in plain sentences (also printed by the command).
    public static func answer(_ d: Document) -> [String] {
        let objective = MetricNames.plain(d.objective)
        var lines: [String] = []
        if let r = d.recommendation, let best = d.cells.first(where: { $0.index == r.index }) {
            lines.append("Best \(d.key) = \(best.overrides[d.key] ?? "?") (cell \(r.index)) — \(objective) \(MetricNames.estimate(d.objective, r.objective)), "
                         + "resolved to ±\(Format.number(d.resolution)).")
            lines += r.constraints.map(SweepReport.constraintLine)
            let others = r.indistinguishable.filter { $0 != r.index }.compactMap { i in d.steps.first { $0.cell == i } }.sorted { $0.value < $1.value }
                .compactMap { s in d.cells.first { $0.index == s.cell } }
            lines.append(others.isEmpty ? "Every other value tried that meets the constraints is worse in paired comparisons."
                         : "Not distinguishable from it (paired): \(d.key) = " + others.map { $0.overrides[d.key] ?? "?" }.joined(separator: ", ") + ".")
            lines += r.edges.map { "Edge of the range: \($0)." }
        } else {
            lines.append("No value of \(d.key) in [\(Format.number(d.range[0])), \(Format.number(d.range[1]))] meets "
                         + d.constraints.map(SweepReport.plainConstraint).joined(separator: " and ") + ", not even by its mean.")
        }
        lines.append("\(d.steps.count) cells evaluated; a grid at the same resolution would have cost \(d.gridCells).")
        return lines
    }

    static func markdown(_ d: Document) -> String {
        var md = "# Fairground tune — \(d.name): \(d.key)\n\n"
        md += "Policy `\(d.policy)`; \(d.key) searched over [\(Format.number(d.range[0])), \(Format.number(d.range[1]))]"
        md += d.fixed.isEmpty ? "" : " with " + d.fixed.keys.sorted().map { "\($0) = \(d.fixed[$0]!)" }.joined(separator: ", ")
        md += ". Goal: maximise \(MetricNames.plain(d.objective))"
        md += d.constraints.isEmpty ? ".\n\n" : " while " + d.constraints.map(SweepReport.plainConstraint).joined(separator: " and ") + ".\n\n"
        md += answer(d).map { "- \($0)\n" }.joined() + "\n## The path\n\n"
        let metrics = ConstraintSpec.parse(d.constraints).map(\.metric)
        let table = ReportTable(header: ["cell", "round", d.key, MetricNames.plain(d.objective)] + metrics.map(MetricNames.plain), rows: d.steps.map { s in
            let c = d.cells.first { $0.index == s.cell }
            return [String(s.cell), String(s.round), Format.number(s.value), c?.metric(d.objective).map { MetricNames.estimate(d.objective, $0) } ?? "–"]
                + metrics.map { m in c?.metric(m).map { MetricNames.estimate(m, $0) } ?? "–" }
        })
        return md + SummaryMarkdown.table(table)
    }
}
