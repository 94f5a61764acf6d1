import Dispatch
import Marketplace
import Scenario
import Stochastics

/// Runs every (policy, replicate) cell of a scenario, in parallel, with deterministic results.
///
/// Each cell is a pure function of (scenario, policy, replicate): it regenerates its replicate's
/// world and runs alone, so the output is byte-identical whatever `jobs` is; results are
/// stored by cell index, never in completion order.
public enum Runner {
    /// Runs all cells on `jobs` worker threads; `progress(done, total)` is called after each cell.
    /// Results are sorted by policy, then replicate.
    public static func run(_ scenario: Scenario, jobs: Int,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) -> [CellResult] {
        let policies = scenario.policies.count
        let cells = parallelMap(count: policies * scenario.replicates, jobs: jobs, progress: progress) { index in
            runCell(scenario, policy: index / scenario.replicates, replicate: index % scenario.replicates)
        }
        return cells
    }

    /// Runs one cell and times its parts: world generation plus model set-up, then the event loop.
    public static func timedCell(_ scenario: Scenario, policy: Int, replicate: Int) -> (result: CellResult, setup: Double, loop: Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let world = WorldGenerator.generate(scenario, replicate: replicate)
        var simulation = MarketSimulation(scenario: scenario, world: world, policyIndex: policy, replicate: replicate)
        let ready = DispatchTime.now().uptimeNanoseconds
        let result = simulation.run()
        let end = DispatchTime.now().uptimeNanoseconds
        return (result, Double(ready - start) / 1e9, Double(end - ready) / 1e9)
    }

    /// Runs one cell on the calling thread.
    public static func runCell(_ scenario: Scenario, policy: Int, replicate: Int) -> CellResult {
        timedCell(scenario, policy: policy, replicate: replicate).result
    }
}
