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
    /// Results are sorted by policy, then replicate. `kernel`: the hot stages' implementation
    /// (the reference pipeline gives the same bytes, slower).
    public static func run(_ scenario: Scenario, jobs: Int, kernel: KernelChoice = .tuned,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) -> [CellResult] {
        let policies = scenario.policies.count
        let cells = parallelMap(count: policies * scenario.replicates, jobs: jobs, progress: progress) { index in
            runCell(scenario, policy: index / scenario.replicates, replicate: index % scenario.replicates, kernel: kernel)
        }
        return cells
    }

    /// `run`, handing each cell's impression log to `logged(policy, replicate, log)` on the worker
    /// that ran it, as soon as the cell ends (so a run's logs need not all be held in memory).
    public static func run(_ scenario: Scenario, jobs: Int, kernel: KernelChoice = .tuned,
                           progress: (@Sendable (Int, Int) -> Void)? = nil,
                           logged: @escaping @Sendable (Int, Int, ImpressionLog) throws -> Void) throws -> [CellResult] {
        let policies = scenario.policies.count
        let outcomes = parallelMap(count: policies * scenario.replicates, jobs: jobs, progress: progress) { index -> Result<CellResult, any Error> in
            let policy = index / scenario.replicates, replicate = index % scenario.replicates
            let log = ImpressionLog(dimension: scenario.truth.latentDimension)
            let result = runCell(scenario, policy: policy, replicate: replicate, kernel: kernel, log: log)
            do { try logged(policy, replicate, log) } catch { return .failure(error) }
            return .success(result)
        }
        return try outcomes.map { try $0.get() }
    }

    /// Runs one cell and times its parts: world generation plus model set-up, then the event loop.
    public static func timedCell(_ scenario: Scenario, policy: Int, replicate: Int,
                                 kernel: KernelChoice = .tuned) -> (result: CellResult, setup: Double, loop: Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let world = WorldGenerator.generate(scenario, replicate: replicate)
        var ready: UInt64 = 0
        let result = CellFactory.run(scenario, world: world, policy: policy, replicate: replicate, kernel: kernel) {
            ready = DispatchTime.now().uptimeNanoseconds
        }
        let end = DispatchTime.now().uptimeNanoseconds
        return (result, Double(ready - start) / 1e9, Double(end - ready) / 1e9)
    }

    /// Runs one cell on the calling thread, recording its impressions into `log` when given.
    public static func runCell(_ scenario: Scenario, policy: Int, replicate: Int, kernel: KernelChoice = .tuned,
                               log: ImpressionLog? = nil) -> CellResult {
        var cell = Cell(scenario: scenario, world: WorldGenerator.generate(scenario, replicate: replicate), policy: policy,
                        replicate: replicate, kernel: kernel)
        cell.log = log
        var result = CellFactory.run(cell)
        if let dynamics = scenario.advertiserDynamics, dynamics.counterfactual, result.metrics.dynamics != nil {
            result.metrics.dynamics!.revenueWithoutChurn = counterfactualRevenue(cell)
        }
        return result
    }

    /// The revenue up to each snapshot day of `cell`'s policy and replicate run without churn: the
    /// same world and random numbers, advertisers reviewing and moving budgets but never leaving.
    static func counterfactualRevenue(_ cell: Cell) -> [Double] {
        var scenario = cell.scenario
        scenario.advertiserDynamics?.churns = false
        let stay = CellFactory.run(Cell(scenario: scenario, world: cell.world, policy: cell.policy, replicate: cell.replicate, kernel: cell.kernel))
        return stay.metrics.dynamics?.revenue ?? []
    }
}
