import Marketplace
import Scenario
import Stochastics

/// Which implementation of the hot stages a cell runs on (`Kernel`): the tuned one, or the
/// reference pipeline it is held to. Outputs are byte-identical either way.
public enum KernelChoice: String, Sendable, CaseIterable {
    case tuned, reference
}

/// One (policy, replicate) cell to run: its scenario, the replicate's world and the kernel.
struct Cell {
    let scenario: Scenario
    let world: World
    let policy: Int
    let replicate: Int
    let kernel: KernelChoice
    /// The last-level cache the tuned kernel's memory plan assumes (tests shrink it to reach the
    /// plan's large-world paths in a small world).
    var cacheBytes = MemoryPlan.lastLevelCacheBytes
    /// Records the traffic the cell sees (tests of common random numbers); nil in runs.
    var trace: TrafficTrace? = nil
    /// Records every impression with its propensity (`--log-impressions`); nil otherwise.
    var log: ImpressionLog? = nil

    var settings: Policy { scenario.policies[policy] }

    /// The seed of the cell's random stream `name` (`deriveSeed`).
    func seed(_ name: String) -> UInt64 { deriveSeed(scenario.seed, replicate: replicate, stream: name) }
}

/// Builds a cell's stages from its policy and runs it: one line per kind of each stage, so the
/// loop is specialised for the policy's types (`MarketSimulation<R, X, F, K>`).
///
/// Adding a ranker kind: a line in `run(_:ready:)` constructing it.
enum CellFactory {
    /// Runs `policy` on replicate `replicate`'s `world`; `ready` is called once the stages are
    /// built (models trained on the history), before the event loop starts.
    static func run(_ scenario: Scenario, world: World, policy: Int, replicate: Int, kernel: KernelChoice,
                    ready: () -> Void = {}) -> CellResult {
        run(Cell(scenario: scenario, world: world, policy: policy, replicate: replicate, kernel: kernel), ready: ready)
    }

    static func run(_ cell: Cell, ready: () -> Void = {}) -> CellResult {
        let settings = cell.settings.ranker, world = cell.world
        switch settings.kind {
        case .oracle: return run(cell, ranker: OracleRanker(world: world), ready: ready)
        case .global: return run(cell, ranker: GlobalRanker(world: world, settings: settings, cohorts: cell.scenario.cohorts.count, seed: cell.seed("learning")), ready: ready)
        case .meta, .finetune:
            return run(cell, ranker: PersonalBlockRanker(world: world, settings: settings, cohorts: cell.scenario.cohorts.count,
                                                         seed: cell.seed("learning"), tuned: cell.kernel == .tuned), ready: ready)
        }
    }

    /// Runs the cell with the given ranker (its explorer and fairness control from the policy).
    static func run<R: Ranker>(_ cell: Cell, ranker: R, ready: () -> Void = {}) -> CellResult {
        guard let settings = cell.settings.explorer else { return run(cell, ranker: ranker, explorer: NoExplorer(), ready: ready) }
        let explorer = BanditExplorer(settings: settings, world: cell.world, scenario: cell.scenario, seed: cell.seed("explorer"))
        return run(cell, ranker: ranker, explorer: explorer, ready: ready)
    }

    static func run<R: Ranker, X: Explorer>(_ cell: Cell, ranker: R, explorer: X, ready: () -> Void) -> CellResult {
        let tiers = cell.world.tierNames.count
        switch cell.settings.fairness {
        case nil:
            return run(cell, ranker: ranker, explorer: explorer, fairness: NoFairnessControl(), ready: ready)
        case .fairco(let lambda, let merit)?:
            return run(cell, ranker: ranker, explorer: explorer,
                       fairness: FairCoControl(lambda: lambda, estimatedMerit: merit == .estimated, tiers: tiers), ready: ready)
        case .exposureFloor(let group, let share, let window)?:
            return run(cell, ranker: ranker, explorer: explorer,
                       fairness: ExposureFloorControl(group: group, share: share, windowHours: window, world: cell.world), ready: ready)
        case .tierCalibrated(let prior)?:
            return run(cell, ranker: ranker, explorer: explorer, fairness: TierCalibrationControl(priorClicks: prior, tiers: tiers), ready: ready)
        }
    }

    static func run<R: Ranker, X: Explorer, F: FairnessStage>(_ cell: Cell, ranker: R, explorer: X, fairness: F,
                                                              ready: () -> Void) -> CellResult {
        switch cell.kernel {
        case .tuned: return simulate(MarketSimulation<R, X, F, TunedKernel>.self, cell, ranker, explorer, fairness, ready)
        case .reference: return simulate(MarketSimulation<R, X, F, ReferenceKernel>.self, cell, ranker, explorer, fairness, ready)
        }
    }

    private static func simulate<R, X, F, K>(_ type: MarketSimulation<R, X, F, K>.Type, _ cell: Cell, _ ranker: R, _ explorer: X,
                                             _ fairness: F, _ ready: () -> Void) -> CellResult {
        var simulation = MarketSimulation<R, X, F, K>(scenario: cell.scenario, world: cell.world, policyIndex: cell.policy,
                                                      replicate: cell.replicate, ranker: ranker, explorer: explorer, fairness: fairness,
                                                      cacheBytes: cell.cacheBytes)
        simulation.trace = cell.trace
        if let log = cell.log {
            simulation.impressionLog = log
            simulation.propensityStream = RandomStream(seed: deriveSeed(cell.scenario.seed, replicate: cell.replicate, stream: "propensity-\(cell.policy)"))
        }
        ready()
        return simulation.run()
    }
}
