import ArgumentParser
import Foundation
import Scenario
import Simulation

/// `--max-memory`: the memory a run may need, checked against `MemoryEstimate` before any world
/// is generated.
struct MemoryOptions: ParsableArguments {
    @Option(name: .customLong("max-memory"), help: "Refuse scenarios estimated to need more than this many GiB (default: this machine's physical memory).")
    var maxMemory: Double?

    func validate() throws {
        if let maxMemory, !(maxMemory > 0 && maxMemory.isFinite) {
            throw ValidationError("--max-memory must be a positive number of GiB, got \(maxMemory)")
        }
    }

    var limitBytes: Double { maxMemory.map { $0 * 1_073_741_824 } ?? Double(ProcessInfo.processInfo.physicalMemory) }

    /// Exits 65 with the estimate when `scenario` run on `jobs` workers needs more than the limit.
    func check(_ scenario: Scenario, file: String, jobs: Int) throws {
        let needed = MemoryEstimate.bytes(scenario, jobs: jobs)
        guard needed > limitBytes else { return }
        let advice = jobs > 1 ? "; fewer --jobs, fewer or smaller tiers, or less history lower it" : "; fewer or smaller tiers, or less history lower it"
        Terminal.error("\(file): 1 problem\n  tiers: the run needs ~\(MemoryEstimate.gibibytes(needed)) of memory (\(jobs) worker\(jobs == 1 ? "" : "s")); limit \(MemoryEstimate.gibibytes(limitBytes)) (--max-memory)\(advice)")
        throw ExitCode(65)
    }

    /// Exits 65 when a sweep's largest cell, times the cells running at once, needs more than the
    /// limit (a sweep runs `jobs` cells in parallel, each cell's replicates on one thread).
    func check(_ sweep: Sweep, file: String, jobs: Int) throws {
        guard let largest = sweep.cells.map({ MemoryEstimate.bytes($0.scenario, jobs: 1) }).max() else { return }
        let concurrent = min(max(jobs, 1), sweep.cells.count)
        let needed = Double(concurrent) * largest
        guard needed > limitBytes else { return }
        Terminal.error("\(file): 1 problem\n  grid: the sweep needs ~\(MemoryEstimate.gibibytes(needed)) of memory (\(concurrent) cell\(concurrent == 1 ? "" : "s") at once, the largest ~\(MemoryEstimate.gibibytes(largest))); limit \(MemoryEstimate.gibibytes(limitBytes)) (--max-memory); fewer --jobs or smaller cells lower it")
        throw ExitCode(65)
    }
}
