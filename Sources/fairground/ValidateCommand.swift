import ArgumentParser
import Scenario

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a scenario file and list every problem (exit 0 valid, 65 invalid, 66 unreadable).")

    @Argument(help: "Scenario file (YAML).")
    var scenario: String

    func run() throws {
        let s = try ScenarioFiles.load(scenario)
        let advertisers = s.tiers.reduce(0) { $0 + $1.count }
        print("\(scenario): valid — \(s.policies.count) policies, \(s.tiers.count) tiers, \(advertisers) advertisers, \(s.cohorts.count) cohorts, \(s.replicates) replicates")
    }
}
