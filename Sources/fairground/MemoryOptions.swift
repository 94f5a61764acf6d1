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
}
