import Foundation
import Reporting
import Scenario
import Simulation
import Stochastics

/// Running one sweep cell: the base scenario with the cell's overrides, all its replicates on
/// the calling thread, reduced to the reported policy's summary and per-replicate metrics.
public enum CellEvaluation {
    /// The cell's result, or nil when the scenario has no policy named `policy`.
    public static func evaluate(_ cell: SweepCell, policy policyName: String) -> SweepCellResult? {
        let scenario = cell.scenario
        let cells = Runner.run(scenario, jobs: 1)
        let summary = RunSummary.build(scenario, cells: cells, version: "sweep")
        guard let policy = summary.policies.first(where: { $0.name == policyName }) else { return nil }
        // One summary per replicate (every policy's cell of that replicate, so comparisons with
        // the oracle or a baseline still resolve): its means are that replicate's values.
        var single = scenario
        single.replicates = 1
        let perReplicate: [PolicySummary] = (0..<scenario.replicates).compactMap { r in
            let mine = cells.enumerated().filter { $0.offset % scenario.replicates == r }.map(\.element)
            return RunSummary.build(single, cells: mine, version: "sweep").policies.first { $0.name == policyName }
        }
        var replicates: [String: [Double]] = [:]
        for path in SweepLoader.metricPaths(tiers: scenario.tiers.map(\.name)) where SweepCellResult.metric(path, of: policy) != nil {
            replicates[path] = perReplicate.map { SweepCellResult.metric(path, of: $0)?.mean ?? .nan }
        }
        return SweepCellResult(index: cell.index, hash: cell.hash,
                               overrides: Dictionary(uniqueKeysWithValues: cell.overrides.map { ($0.path, $0.value) }),
                               policy: policy, replicates: replicates)
    }
}
