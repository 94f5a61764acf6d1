import ArgumentParser
import Scenario

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a scenario or sweep file and list every problem (exit 0 valid, 65 invalid, 66 unreadable).")

    @Argument(help: "Scenario file (YAML).")
    var scenario: String

    @OptionGroup var memory: MemoryOptions

    func run() throws {
        if SweepLoader.isSweep(path: scenario) {
            do {
                let sweep = try SweepLoader.load(path: scenario)
                try memory.check(sweep, file: scenario, jobs: 1)
                print("\(scenario): valid sweep — \(sweep.cells.count) cells over \(sweep.keys.joined(separator: ", ")); reports policy '\(sweep.policy)'")
                return
            } catch let error as ScenarioError {
                Terminal.error(error.description)
                throw ExitCode(error.exitCode)
            }
        }
        let s = try ScenarioFiles.load(scenario)
        // One worker is the least a run can need: a scenario that does not fit even so is invalid.
        try memory.check(s, file: scenario, jobs: 1)
        let advertisers = s.tiers.reduce(0) { $0 + $1.count }
        func n(_ count: Int, _ one: String, _ many: String? = nil) -> String { "\(count) \(count == 1 ? one : many ?? one + "s")" }
        print("\(scenario): valid — \(n(s.policies.count, "policy", "policies")), \(n(s.tiers.count, "tier")), \(n(advertisers, "advertiser")), \(n(s.cohorts.count, "cohort")), \(n(s.replicates, "replicate"))")
        if let share = s.newAdvertisers.requestedShare {
            print("  newAdvertisers.share \(share): \(String(format: "%.3g", s.newAdvertisers.perDay)) entrants per day over \(s.horizon.days) days (\(String(format: "%.3g", s.newAdvertisers.perDay * s.horizon.days)) in all, beside \(advertisers) at the start)")
        }
    }
}
