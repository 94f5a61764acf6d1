import Foundation
import Reporting
import Scenario
import Simulation
import Stochastics

/// Runs a sweep's cells (all, or one shard's), each written atomically as soon as it finishes;
/// cells already present (by hash) are skipped, so a killed sweep resumes where it stopped.
/// The folder is checked first (`SweepFolder`): a run's folder is refused, an old plan's summary removed.
public enum SweepRunner {
    public struct Outcome: Sendable {
        public var ran: Int
        public var skipped: Int
        public var complete: Bool
    }

    /// Which cells belong to shard `index` of `count`: every count-th cell, starting at index.
    public static func inShard(_ cell: Int, index: Int, count: Int) -> Bool { cell % count == index }

    public static func run(_ sweep: Sweep, out directory: String, shard: (index: Int, count: Int), jobs: Int,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Outcome {
        let plan = plan(sweep)
        try SweepFolder.prepare(directory, plan: plan)
        let writer = OutputWriter(directory: directory)
        try writer.prepare()
        let cellsFolder = OutputWriter(directory: (directory as NSString).appendingPathComponent("cells"))
        try cellsFolder.prepare()
        try writer.write("sweep-plan.json", try MetricsJSON.encode(plan))
        let mine = sweep.cells.filter { inShard($0.index, index: shard.index, count: shard.count) }
        let pending = mine.filter { finished($0.hash, in: directory) == nil }
        let policyName = sweep.policy
        // Cells run in parallel; replicates inside a cell run on one thread (no nested pools).
        _ = parallelMap(count: pending.count, jobs: jobs, progress: progress) { i -> Bool in
            let cell = pending[i]
            guard let result = CellEvaluation.evaluate(cell, policy: policyName), let text = try? MetricsJSON.encode(result) else { return false }
            return (try? cellsFolder.write("\(cell.hash).json", text)) != nil
        }
        let complete = sweep.cells.allSatisfy { finished($0.hash, in: directory) != nil }
        if complete { try SweepOutputs.write(directories: [directory], to: directory) }
        return Outcome(ran: pending.count, skipped: mine.count - pending.count, complete: complete)
    }

    static func plan(_ sweep: Sweep) -> SweepPlan {
        SweepPlan(name: sweep.name, policy: sweep.policy, keys: sweep.keys, objective: sweep.objective.maximize,
                  constraints: sweep.objective.constraints.map(describe), reference: sweep.reference,
                  cells: sweep.cells.map { SweepPlan.Cell(index: $0.index, hash: $0.hash,
                                                          overrides: Dictionary(uniqueKeysWithValues: $0.overrides.map { ($0.path, $0.value) })) })
    }

    /// "tiers.small.spendDelivery >= 0.6" and the like, the form constraints take in the plan.
    static func describe(_ c: SweepConstraint) -> String {
        [c.atLeast.map { "\(c.metric) >= \(Format.number($0))" }, c.atMost.map { "\(c.metric) <= \(Format.number($0))" }]
            .compactMap { $0 }.joined(separator: " and ")
    }

    /// The stored result of the cell with `hash` in `directory`, if it is there and readable.
    static func finished(_ hash: String, in directory: String) -> SweepCellResult? {
        let path = (directory as NSString).appendingPathComponent("cells/\(hash).json")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return try? MetricsJSON.decode(SweepCellResult.self, from: text)
    }
}
