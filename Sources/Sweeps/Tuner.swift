import Foundation
import Stochastics

/// A one-key search for the best value under the constraints, in far fewer cells than a grid.
///
/// Zoom search: five equally spaced values over the range, then, round after round, the
/// midpoints between the current best value (feasible over its whole interval; see
/// `SweepRecommendation`) and its two evaluated neighbours — so the bracket around the best
/// halves each round. It assumes the objective, over the values meeting the constraints, has one
/// peak (or plateau); on a flat or multi-peaked objective it still returns the best value it
/// saw and names every evaluated value that paired comparisons cannot tell from it. When no
/// value is feasible it zooms towards the value closest to meeting the constraints.
public enum Tuner {
    /// One evaluated value, in evaluation order.
    public struct Step: Sendable, Codable {
        public var round: Int
        public var value: Double
        public var cell: Int
        public var hash: String
    }

    public struct Search: Sendable {
        public var steps: [Step]
        public var results: [SweepCellResult]
        public var recommendation: SweepOutputs.Recommendation?
        /// Distance from the recommended value to its nearest evaluated neighbour.
        public var resolution: Double
        /// Cells a grid over the range at that resolution would have cost.
        public var gridCells: Int
    }

    /// The values of the first round: five, equally spaced, ends included.
    public static func firstRound(_ range: ClosedRange<Double>) -> [Double] {
        (0...4).map { range.lowerBound + (range.upperBound - range.lowerBound) * Double($0) / 4 }
    }

    /// Runs the search. `evaluate` gets a batch of (cell index, value) and returns each cell's
    /// result in the same order (the caller runs them in parallel and caches them); the key's
    /// value must be in each result's overrides under `key` as `Format.number` writes it.
    public static func search(key: String, range: ClosedRange<Double>, budget: Int, objective: String, constraints: [String],
                              evaluate: ([(index: Int, value: Double)]) throws -> [SweepCellResult]) rethrows -> Search {
        var steps: [Step] = []
        var results: [SweepCellResult] = []
        var round = 0
        func run(_ values: [Double]) throws {
            let fresh = values.filter { v in !steps.contains { $0.value == v } }.prefix(max(0, budget - steps.count))
            guard !fresh.isEmpty else { return }
            let batch = fresh.enumerated().map { (index: steps.count + $0.offset, value: $0.element) }
            let out = try evaluate(batch)
            for (b, var r) in zip(batch, out) {
                r.index = b.index
                steps.append(Step(round: round, value: b.value, cell: b.index, hash: r.hash))
                results.append(r)
            }
        }
        let ranges = [key: range]
        func recommend() -> SweepOutputs.Recommendation? {
            SweepRecommendation.recommend(results, objective: objective, constraints: constraints, ranges: ranges)
        }
        try run(firstRound(range))
        let finest = (range.upperBound - range.lowerBound) / 1024
        while steps.count < budget {
            round += 1
            let center = recommend().map { r in steps[r.index].value } ?? closestToFeasible(steps, results, constraints)
            let sorted = steps.map(\.value).sorted()
            let left = sorted.last { $0 < center }, right = sorted.first { $0 > center }
            let next = [left.map { ($0 + center) / 2 }, right.map { (center + $0) / 2 }].compactMap { $0 }
                .filter { v in abs(v - center) >= finest && !steps.contains { $0.value == v } }
            guard !next.isEmpty else { break }
            try run(next)
        }
        let recommendation = recommend()
        let best = recommendation.map { steps[$0.index].value }
        let resolution = best.map { b in steps.map { abs($0.value - b) }.filter { $0 > 0 }.min() ?? (range.upperBound - range.lowerBound) }
            ?? (range.upperBound - range.lowerBound) / 4
        let grid = Int(((range.upperBound - range.lowerBound) / resolution).rounded()) + 1
        return Search(steps: steps, results: results, recommendation: recommendation, resolution: resolution, gridCells: grid)
    }

    /// The value whose worst constraint is nearest to being met (relative slack of the mean).
    static func closestToFeasible(_ steps: [Step], _ results: [SweepCellResult], _ constraints: [String]) -> Double {
        let specs = ConstraintSpec.parse(constraints)
        func slack(_ r: SweepCellResult) -> Double {
            specs.map { s in
                let m = r.metric(s.metric)?.mean ?? -.infinity
                let scale = max(abs(s.bound), 1e-12)
                return (s.atLeast ? m - s.bound : s.bound - m) / scale
            }.min() ?? 0
        }
        let i = results.indices.max { slack(results[$0]) < slack(results[$1]) } ?? 0
        return steps[i].value
    }
}
