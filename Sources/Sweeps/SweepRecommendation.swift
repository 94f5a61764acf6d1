import Reporting
import Stochastics

/// A constraint as the plan states it: `metric >= bound` or `metric <= bound`.
public struct ConstraintSpec: Sendable, Equatable {
    public var metric: String
    public var atLeast: Bool
    public var bound: Double

    /// The constraints of a plan's strings ("a >= 0.3", "b <= 2 and b >= 1"); unreadable parts are skipped.
    public static func parse(_ texts: [String]) -> [ConstraintSpec] {
        texts.flatMap { text in
            text.components(separatedBy: " and ").compactMap { part in
                let p = part.split(separator: " ").map(String.init)
                guard p.count == 3, p[1] == ">=" || p[1] == "<=", let bound = Double(p[2]) else { return nil }
                return ConstraintSpec(metric: p[0], atLeast: p[1] == ">=", bound: bound)
            }
        }
    }

    /// Whether an estimate meets the constraint by its mean, and by its whole 95% interval.
    public func check(_ cell: SweepCellResult) -> SweepOutputs.ConstraintCheck {
        let e = cell.metric(metric) ?? Estimate(mean: .nan, lower: .nan, upper: .nan, count: 0)
        let byMean = atLeast ? e.mean >= bound : e.mean <= bound
        let byInterval = atLeast ? e.lower >= bound : e.upper <= bound
        return SweepOutputs.ConstraintCheck(constraint: "\(metric) \(atLeast ? ">=" : "<=") \(Format.number(bound))",
                                            estimate: e, satisfied: byMean, satisfiedByInterval: byInterval)
    }
}

/// Picking the recommended cell honestly: feasible means every constraint holds over the whole
/// 95% interval (falling back to the mean, said so, when no cell manages that); the best is the
/// feasible cell with the highest mean objective; and the answer names every feasible cell that a
/// paired comparison cannot tell from the best, and warns when the best sits at the edge of what
/// was searched.
public enum SweepRecommendation {
    /// The recommendation over `cells`, or nil when no cell meets the constraints even by its mean.
    /// `ranges`: each key's searched range (the grid's smallest and largest value, or the tuner's
    /// range), for the edge warnings; keys with non-numeric values have none.
    public static func recommend(_ cells: [SweepCellResult], objective: String, constraints: [String],
                                 ranges: [String: ClosedRange<Double>]) -> SweepOutputs.Recommendation? {
        let specs = ConstraintSpec.parse(constraints)
        func checks(_ c: SweepCellResult) -> [SweepOutputs.ConstraintCheck] { specs.map { $0.check(c) } }
        let byInterval = cells.filter { checks($0).allSatisfy(\.satisfiedByInterval) }
        let byMean = cells.filter { checks($0).allSatisfy(\.satisfied) }
        let pool = byInterval.isEmpty ? byMean : byInterval
        func value(_ c: SweepCellResult) -> Double { c.metric(objective)?.mean ?? -.infinity }
        guard let best = pool.max(by: { value($0) < value($1) || (value($0) == value($1) && $0.index > $1.index) }),
              let estimate = best.metric(objective) else { return nil }
        let tied = pool.filter { PairedDifference.indistinguishable(best, $0, objective) }.map(\.index)
        let feasible = Set(byInterval.map(\.index))
        return SweepOutputs.Recommendation(
            condition: [:], index: best.index, overrides: best.overrides, objective: estimate, constraints: checks(best),
            basis: byInterval.isEmpty ? "mean" : "interval", indistinguishable: tied,
            meanOnly: byMean.map(\.index).filter { !feasible.contains($0) },
            edges: edges(best, ranges: ranges))
    }

    /// "policies[0].explorer.rate = 0.2 is the top of the range searched: the optimum may lie beyond it".
    /// The bottom of a range that starts at 0 with no negative values is not warned about (rates,
    /// reserves and weights cannot go lower).
    static func edges(_ best: SweepCellResult, ranges: [String: ClosedRange<Double>]) -> [String] {
        ranges.keys.sorted().compactMap { key in
            guard let range = ranges[key], range.lowerBound < range.upperBound,
                  let text = best.overrides[key], let v = Double(text) else { return nil }
            if v >= range.upperBound { return "\(key) = \(text) is the top of the range searched: the optimum may lie beyond it" }
            if v <= range.lowerBound && range.lowerBound != 0 {
                return "\(key) = \(text) is the bottom of the range searched: the optimum may lie below it"
            }
            return nil
        }
    }

    /// Each numeric key's smallest and largest grid value.
    public static func ranges(values: [String: [String]]) -> [String: ClosedRange<Double>] {
        values.compactMapValues { texts in
            let xs = texts.compactMap(Double.init)
            guard xs.count == texts.count, let lo = xs.min(), let hi = xs.max() else { return nil }
            return lo...hi
        }
    }
}
