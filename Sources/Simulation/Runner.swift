import Dispatch
import Foundation
import Marketplace
import Scenario

/// Runs every (policy, replicate) cell of a scenario, in parallel, with deterministic results.
///
/// Each cell is a pure function of (scenario, policy, replicate): it regenerates its replicate's
/// world and runs alone, so the output is byte-identical whatever `jobs` is; results are
/// stored by cell index, never in completion order.
public enum Runner {
    /// Runs all cells on `jobs` worker threads; `progress(done, total)` is called after each cell.
    public static func run(_ scenario: Scenario, jobs: Int,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) -> [CellResult] {
        let total = scenario.policies.count * scenario.replicates
        let pool = CellPool(total: total)
        let group = DispatchGroup()
        for _ in 0..<max(1, min(jobs, total)) {
            group.enter()
            Thread.detachNewThread {
                while let index = pool.take() {
                    let replicate = index / scenario.policies.count, policy = index % scenario.policies.count
                    let result = runCell(scenario, policy: policy, replicate: replicate)
                    let done = pool.store(result, at: index)
                    progress?(done, total)
                }
                group.leave()
            }
        }
        group.wait()
        return pool.results()
    }

    /// Runs one cell on the calling thread.
    public static func runCell(_ scenario: Scenario, policy: Int, replicate: Int) -> CellResult {
        let world = WorldGenerator.generate(scenario, replicate: replicate)
        var simulation = MarketSimulation(scenario: scenario, world: world, policyIndex: policy, replicate: replicate)
        return simulation.run()
    }
}

/// Hands out cell indices and collects results under a lock.
private final class CellPool: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var done = 0
    private var slots: [CellResult?]

    init(total: Int) { slots = Array(repeating: nil, count: total) }

    func take() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < slots.count else { return nil }
        next += 1
        return next - 1
    }

    func store(_ result: CellResult, at index: Int) -> Int {
        lock.lock(); defer { lock.unlock() }
        slots[index] = result
        done += 1
        return done
    }

    func results() -> [CellResult] {
        lock.lock(); defer { lock.unlock() }
        return slots.map { $0! }.sorted { ($0.policy, $0.replicate) < ($1.policy, $1.replicate) }
    }
}
