import Foundation
import Reporting
import Stochastics

/// sweep.json, sweep.csv, sweep.md and sweep.html from the cell files of one or more folders
/// (one folder for a plain run; several for `fairground merge`). Output depends only on the
/// cells' contents, never on which folder or shard produced them.
public enum SweepOutputs {
    public struct Recommendation: Sendable, Codable {
        public var index: Int
        public var overrides: [String: String]
        public var objective: Estimate
        /// Whether each constraint holds by its mean, and also by the whole 95% interval.
        public var constraints: [ConstraintCheck]
    }

    public struct ConstraintCheck: Sendable, Codable {
        public var constraint: String
        public var estimate: Estimate
        public var satisfied: Bool
        public var satisfiedByInterval: Bool
    }

    public struct Document: Sendable, Codable {
        public var name: String
        public var policy: String
        public var keys: [String]
        public var objective: String
        public var constraints: [String]
        /// Metric on the frontier's other axis, and whether higher is better there.
        public var frontierMetric: String
        public var frontierHigherIsBetter: Bool
        public var frontier: [Int]
        public var recommendation: Recommendation?
        public var cells: [SweepCellResult]
    }

    public enum Failure: Error, CustomStringConvertible {
        case noPlan(String), differentPlans(String), missing([Int])
        public var description: String {
            switch self {
            case .noPlan(let d): return "\(d): no sweep-plan.json (not a sweep output folder)"
            case .differentPlans(let d): return "\(d): its sweep-plan.json belongs to a different sweep"
            case .missing(let cells): return "cells \(cells.map(String.init).joined(separator: ", ")) are not finished in any folder"
            }
        }
    }

    /// Combines the folders' cells and writes the sweep's outputs into `out`.
    public static func write(directories: [String], to out: String) throws {
        var plan: SweepPlan?
        for d in directories {
            guard let text = try? String(contentsOfFile: (d as NSString).appendingPathComponent("sweep-plan.json"), encoding: .utf8),
                  let p = try? MetricsJSON.decode(SweepPlan.self, from: text) else { throw Failure.noPlan(d) }
            if let plan, plan != p { throw Failure.differentPlans(d) }
            plan = p
        }
        guard let plan else { throw Failure.noPlan(out) }
        var results: [SweepCellResult] = []
        var missing: [Int] = []
        for cell in plan.cells {
            if let r = directories.lazy.compactMap({ SweepRunner.finished(cell.hash, in: $0) }).first { results.append(r) } else { missing.append(cell.index) }
        }
        guard missing.isEmpty else { throw Failure.missing(missing) }
        let document = build(plan, results.sorted { $0.index < $1.index })
        let writer = OutputWriter(directory: out)
        try writer.prepare()
        try writer.write("sweep-plan.json", try MetricsJSON.encode(plan))
        try writer.write("sweep.csv", csv(document))
        let report = SweepReport.render(document)
        try writer.write("sweep.md", report.markdown)
        try writer.write("sweep.html", report.html)
        try writer.write("frontier.svg", report.frontier)
        try writer.write("sweep.json", try MetricsJSON.encode(document))
    }

    static func build(_ plan: SweepPlan, _ cells: [SweepCellResult]) -> Document {
        // The frontier's other axis: the first constraint's metric, else the tier disparity.
        let axis: (String, Bool)
        if let c = plan.constraints.first, let metric = c.split(separator: " ").first {
            axis = (String(metric), c.contains(">="))
        } else {
            axis = ("fairness.disparity", false)
        }
        func value(_ c: SweepCellResult, _ m: String) -> Double { c.metric(m)?.mean ?? .nan }
        // Pareto frontier: no other cell is at least as good on both axes and better on one.
        let frontier = cells.filter { a in
            !cells.contains { b in
                let bo = value(b, plan.objective), ao = value(a, plan.objective)
                let bx = axis.1 ? value(b, axis.0) : -value(b, axis.0), ax = axis.1 ? value(a, axis.0) : -value(a, axis.0)
                return bo >= ao && bx >= ax && (bo > ao || bx > ax)
            }
        }.map(\.index)
        // Recommendation: the best objective among cells meeting every constraint by its mean.
        let parsed: [(String, String, Double)] = plan.constraints.flatMap { text in
            text.components(separatedBy: " and ").compactMap { part in
                let p = part.split(separator: " ").map(String.init)
                return p.count == 3 ? (p[0], p[1], Double(p[2]) ?? 0) : nil
            }
        }
        func checks(_ c: SweepCellResult) -> [ConstraintCheck] {
            parsed.map { metric, op, bound in
                let e = c.metric(metric) ?? Estimate(mean: .nan, lower: .nan, upper: .nan, count: 0)
                let ok = op == ">=" ? e.mean >= bound : e.mean <= bound
                let strict = op == ">=" ? e.lower >= bound : e.upper <= bound
                return ConstraintCheck(constraint: "\(metric) \(op) \(Format.number(bound))", estimate: e, satisfied: ok, satisfiedByInterval: strict)
            }
        }
        let best = cells.filter { checks($0).allSatisfy(\.satisfied) }
            .max { value($0, plan.objective) < value($1, plan.objective) || (value($0, plan.objective) == value($1, plan.objective) && $0.index > $1.index) }
        let recommendation = best.map { c in
            Recommendation(index: c.index, overrides: c.overrides, objective: c.metric(plan.objective)!, constraints: checks(c))
        }
        return Document(name: plan.name, policy: plan.policy, keys: plan.keys, objective: plan.objective, constraints: plan.constraints,
                        frontierMetric: axis.0, frontierHigherIsBetter: axis.1, frontier: frontier, recommendation: recommendation, cells: cells)
    }

    /// One row per cell: index, the overrides, then mean and interval of the headline metrics.
    static func csv(_ d: Document) -> String {
        let tiers = d.cells.first.map { $0.policy.tiers.keys.sorted() } ?? []
        var metrics = [d.objective, d.frontierMetric, "revenue", "advertiserWelfare", "fairness.disparity", "fairness.exposureGini", "exploration.hitsFound"]
        metrics += tiers.flatMap { ["tiers.\($0).spendDelivery", "tiers.\($0).exposureShare"] }
        var seen = Set<String>()
        metrics = metrics.filter { seen.insert($0).inserted }
        var out = "cell," + d.keys.map { "\"\($0)\"" }.joined(separator: ",") + ","
        out += metrics.flatMap { ["\($0)", "\($0).lo", "\($0).hi"] }.joined(separator: ",") + ",frontier,recommended\n"
        for c in d.cells {
            var row = [String(c.index)] + d.keys.map { c.overrides[$0] ?? "" }
            for m in metrics {
                let e = c.metric(m)
                row += [e.map { Format.number($0.mean) } ?? "", e.map { Format.number($0.lower) } ?? "", e.map { Format.number($0.upper) } ?? ""]
            }
            row += [d.frontier.contains(c.index) ? "true" : "false", d.recommendation?.index == c.index ? "true" : "false"]
            out += row.joined(separator: ",") + "\n"
        }
        return out
    }
}
