import Foundation
import Reporting
import Stochastics

/// sweep.json, sweep.csv, sweep.md and sweep.html from the cell files of one or more folders
/// (one folder for a plain run; several for `fairground merge`). Output depends only on the
/// cells' contents, never on which folder or shard produced them.
public enum SweepOutputs {
    public struct Recommendation: Sendable, Codable {
        /// The condition keys' values this recommendation holds for (the grid keys that are not
        /// reference keys describe the world, not the decision); empty when there are none.
        public var condition: [String: String]
        public var index: Int
        public var overrides: [String: String]
        public var objective: Estimate
        /// Whether each constraint holds by its mean, and also by the whole 95% interval.
        public var constraints: [ConstraintCheck]
        /// "interval": the cell meets every constraint over its whole 95% interval; "mean": no cell
        /// does, and this is the best of those meeting them by the mean only.
        public var basis: String
        /// The cells (the recommended one included) whose paired difference from it on the
        /// objective has an interval including zero: as good as far as the replicates can tell.
        public var indistinguishable: [Int]
        /// Cells meeting the constraints by the mean but not over the interval (not recommended).
        public var meanOnly: [Int]
        /// Warnings that the recommended value is at the edge of the range searched.
        public var edges: [String]
    }

    /// A cell against its reference cell (the same values but the reference's for the
    /// reference keys): paired differences over replicates.
    public struct Comparison: Sendable, Codable {
        public var index: Int
        public var reference: Int
        /// Objective: this cell minus the reference, and relative to the reference.
        public var objective: Estimate?
        public var objectiveRelative: Estimate?
        /// Each constraint's metric: this cell minus the reference.
        public var constraints: [String: Estimate]
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
        /// One recommendation per condition (combination of the non-reference keys' values), in
        /// grid order; empty entries are conditions in which no cell meets the constraints.
        public var recommendations: [Recommendation]
        /// Conditions (non-reference keys' values) with no cell meeting the constraints by its mean.
        public var infeasibleConditions: [[String: String]]
        /// The reference cell's values of the reference keys.
        public var reference: [String: String]
        public var comparisons: [Comparison]
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

    /// The document a finished sweep folder's sweep.json holds.
    public static func read(_ directory: String) throws -> Document {
        let text = try String(contentsOfFile: (directory as NSString).appendingPathComponent("sweep.json"), encoding: .utf8)
        return try MetricsJSON.decode(Document.self, from: text)
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
        var values: [String: [String]] = [:]
        for key in plan.keys { values[key] = Array(Set(cells.compactMap { $0.overrides[key] })).sorted() }
        // Decision keys are the reference keys; the others are conditions, each combination of
        // their values getting its own recommendation.
        let conditionKeys = plan.keys.filter { plan.reference[$0] == nil }
        var groups: [([String: String], [SweepCellResult])] = []
        for c in cells {
            let condition = Dictionary(uniqueKeysWithValues: conditionKeys.map { ($0, c.overrides[$0] ?? "") })
            if let g = groups.firstIndex(where: { $0.0 == condition }) { groups[g].1.append(c) } else { groups.append((condition, [c])) }
        }
        var recommendations: [Recommendation] = []
        var infeasible: [[String: String]] = []
        for (condition, group) in groups {
            var values: [String: [String]] = [:]
            for key in plan.keys where plan.reference[key] != nil { values[key] = Array(Set(group.compactMap { $0.overrides[key] })).sorted() }
            if var r = SweepRecommendation.recommend(group, objective: plan.objective, constraints: plan.constraints,
                                                     ranges: SweepRecommendation.ranges(values: values)) {
                r.condition = condition
                recommendations.append(r)
            } else {
                infeasible.append(condition)
            }
        }
        return Document(name: plan.name, policy: plan.policy, keys: plan.keys, objective: plan.objective, constraints: plan.constraints,
                        frontierMetric: axis.0, frontierHigherIsBetter: axis.1, frontier: frontier, recommendations: recommendations,
                        infeasibleConditions: infeasible,
                        reference: plan.reference, comparisons: comparisons(plan, cells), cells: cells)
    }

    /// Every cell against its reference cell (itself for the reference cells).
    static func comparisons(_ plan: SweepPlan, _ cells: [SweepCellResult]) -> [Comparison] {
        let metrics = ConstraintSpec.parse(plan.constraints).map(\.metric)
        return cells.compactMap { c in
            var wanted = c.overrides
            for (k, v) in plan.reference { wanted[k] = v }
            guard let ref = cells.first(where: { $0.overrides == wanted }) else { return nil }
            var constraints: [String: Estimate] = [:]
            for m in metrics { constraints[m] = PairedDifference.absolute(ref, c, m) }
            return Comparison(index: c.index, reference: ref.index, objective: PairedDifference.absolute(ref, c, plan.objective),
                              objectiveRelative: PairedDifference.relative(ref, c, plan.objective), constraints: constraints)
        }
    }

    /// One row per cell: index, the overrides, then mean and interval of the headline metrics.
    static func csv(_ d: Document) -> String {
        let tiers = d.cells.first.map { $0.policy.tiers.keys.sorted() } ?? []
        var metrics = [d.objective, d.frontierMetric, "revenue", "advertiserWelfare", "fairness.disparity", "fairness.exposureGini", "exploration.hitsFound"]
        metrics += tiers.flatMap { ["tiers.\($0).spendDelivery", "tiers.\($0).exposureShare"] }
        var seen = Set<String>()
        metrics = metrics.filter { seen.insert($0).inserted }
        var out = "cell," + d.keys.map { "\"\($0)\"" }.joined(separator: ",") + ","
        out += metrics.flatMap { ["\($0)", "\($0).lo", "\($0).hi"] }.joined(separator: ",")
        out += ",referenceCell,\(d.objective).vsReference,\(d.objective).vsReference.lo,\(d.objective).vsReference.hi"
        out += ",frontier,recommended,indistinguishableFromBest\n"
        for c in d.cells {
            var row = [String(c.index)] + d.keys.map { c.overrides[$0] ?? "" }
            for m in metrics {
                let e = c.metric(m)
                row += [e.map { Format.number($0.mean) } ?? "", e.map { Format.number($0.lower) } ?? "", e.map { Format.number($0.upper) } ?? ""]
            }
            let cmp = d.comparisons.first { $0.index == c.index }
            row += [cmp.map { String($0.reference) } ?? ""] + [cmp?.objective?.mean, cmp?.objective?.lower, cmp?.objective?.upper].map { $0.map(Format.number) ?? "" }
            row += [d.frontier.contains(c.index) ? "true" : "false", d.recommendations.contains { $0.index == c.index } ? "true" : "false",
                    d.recommendations.contains { $0.indistinguishable.contains(c.index) } ? "true" : "false"]
            out += row.joined(separator: ",") + "\n"
        }
        return out
    }
}
