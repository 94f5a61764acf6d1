import ArgumentParser
import Foundation
import Reporting
import Scenario
import Simulation

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario and write metrics.json, advertisers.csv, timeseries.csv and summary.md.")

    @Argument(help: "Scenario file (YAML). Default: scenarios/quickstart.yaml.")
    var scenario: String?

    @Option(help: "Output folder. Default: reports/<scenario name>.")
    var out: String?

    @Option(help: "Override the scenario's seed.")
    var seed: UInt64?

    @Option(help: "Override the scenario's number of replicates.")
    var replicates: Int?

    @Option(help: "The hot stages' implementation: tuned, or reference (the plain specification the tuned kernel is held to: the same outputs, slower).")
    var kernel: KernelChoice = .tuned

    @OptionGroup var execution: ExecutionOptions

    func validate() throws {
        if let replicates, replicates < 1 { throw ValidationError("--replicates must be at least 1, got \(replicates)") }
    }

    func run() throws {
        var loaded = try ScenarioFiles.load(scenario)
        if let seed { loaded.seed = seed }
        if let replicates { loaded.replicates = replicates }
        let folder = out ?? "reports/\(loaded.name)"
        let started = Date()
        let cells = Runner.run(loaded, jobs: execution.workers, kernel: kernel, progress: Terminal.progress("runs", quiet: execution.quiet))
        let summary = RunSummary.build(loaded, cells: cells, version: Fairground.version)
        do {
            try RunReport.write(loaded, cells: cells, summary: summary, to: folder)
        } catch {
            Terminal.error("cannot write the report to \(folder): \(error.localizedDescription)")
            throw ExitCode(73)
        }
        guard !execution.quiet else { return }
        let seconds = Date().timeIntervalSince(started)
        print("Fairground — \(loaded.name): \(loaded.policies.count) policies × \(loaded.replicates) replicates in \(String(format: "%.1f", seconds)) s")
        for finding in Findings.list(summary) { print("  • " + finding.replacingOccurrences(of: "**", with: "")) }
        print("Report: \(folder)/report.html   Summary: \(folder)/summary.md   Data: \(folder)/metrics.json")
    }
}

extension KernelChoice: ExpressibleByArgument {}
