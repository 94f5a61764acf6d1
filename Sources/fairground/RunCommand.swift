import ArgumentParser
import Foundation
import Reporting
import Scenario
import Simulation

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario, print the verdict and write its report: report.html, summary.md, metrics.json and the CSV tables.",
        discussion: """
            The output folder (default reports/<scenario name>) receives report.html (the report, charts inline), summary.md \
            (the same as Markdown, charts in charts/), metrics.json (every figure with its 95% interval), replicates.csv \
            (each policy's headline values per replicate, which `fairground compare` pairs), advertisers.csv \
            (per advertiser and policy), timeseries.csv (per hour), ramp.csv (new advertisers by hours since entry), \
            calibration.csv (predicted against observed click rates), and with --log-impressions impressions.csv (every impression with its \
            propensity). The folder is replaced whole when the run finishes.
            """)

    @Argument(help: "Scenario file (YAML). Default: scenarios/quickstart.yaml.")
    var scenario: String?

    @Option(help: "Output folder. Default: reports/<scenario name>. Replaced whole when the run finishes.")
    var out: String?

    @Option(parsing: .unconditional, help: "Override the scenario's seed (0 … 2⁶³−1, as in the file).")
    var seed: Int?

    @Option(parsing: .unconditional, help: "Override the scenario's number of replicates (1 … 100000, as in the file).")
    var replicates: Int?

    @Option(help: "The hot stages' implementation: tuned, or reference (the plain specification the tuned kernel is held to: the same outputs, slower).")
    var kernel: KernelChoice = .tuned

    @OptionGroup var execution: ExecutionOptions

    @OptionGroup var memory: MemoryOptions

    @Flag(help: "Replace the output folder even when it holds another scenario's finished run.")
    var replace = false

    @Flag(help: "Also write impressions.csv: every impression of every policy with its propensity, in the schema `fairground fit` reads and Open Bandit Pipeline can load (docs/impression-log.md). Large: about 100 bytes per impression.")
    var logImpressions = false

    func validate() throws {
        if let replicates, let problem = ScenarioLimits.problem("--replicates", replicates, ScenarioLimits.replicates) {
            throw ValidationError(problem)
        }
        if let seed, let problem = ScenarioLimits.problem("--seed", seed, ScenarioLimits.seed) { throw ValidationError(problem) }
        if let out, out.isEmpty { throw ValidationError("--out must not be empty") }
        // `fairground frobnicate`: a word that is neither a file nor a path is a mistyped command.
        if let scenario, !scenario.contains("/"), !scenario.contains("."), !FileManager.default.fileExists(atPath: scenario) {
            let commands = Fairground.configuration.subcommands.compactMap { $0.configuration.commandName }
            let hint = Suggestion.closest(to: scenario, in: commands).map { "; did you mean '\($0)'?" } ?? ""
            throw ValidationError("unknown command '\(scenario)' (and no scenario file of that name)\(hint) — commands: \(commands.joined(separator: ", "))")
        }
    }

    func run() throws {
        var loaded = try ScenarioFiles.load(scenario)
        if let seed { loaded.seed = UInt64(seed) }
        if let replicates { loaded.replicates = replicates }
        try memory.check(loaded, file: scenario ?? ScenarioFiles.defaultScenarioPath(), jobs: execution.workers)
        // The output folder is checked, locked and staged before anything is simulated.
        let folder = out ?? "reports/\(loaded.name)"
        let output: RunFolder
        do { output = try RunFolder(path: folder) } catch {
            Terminal.error(error.description)
            throw ExitCode(73)
        }
        // Another scenario's finished report is replaced only when asked.
        if let previous = output.previousScenarioName, previous != loaded.name, !replace {
            output.abandon()
            Terminal.error("cannot write to \(output.target.path): it holds the finished run of scenario '\(previous)', and this is '\(loaded.name)'; choose another --out, or pass --replace to replace it")
            throw ExitCode(73)
        }
        let started = Date()
        let progress = Terminal.progress("runs", quiet: execution.quiet)
        let cells: [CellResult]
        if logImpressions {
            let staging = output.staging.path, scenario = loaded
            do {
                cells = try Runner.run(loaded, jobs: execution.workers, kernel: kernel, progress: progress) { policy, replicate, log in
                    try ImpressionLogCSV.writePart(log, scenario: scenario, policy: policy, replicate: replicate, directory: staging)
                }
                try ImpressionLogCSV.join(scenario: loaded, directory: staging)
            } catch {
                output.abandon()
                Terminal.error("cannot write the impression log to \(folder): \(Self.reason(error)); the folder is as it was")
                throw ExitCode(73)
            }
        } else {
            cells = Runner.run(loaded, jobs: execution.workers, kernel: kernel, progress: progress)
        }
        let summary = RunSummary.build(loaded, cells: cells, version: Fairground.version)
        do {
            try RunReport.write(loaded, cells: cells, summary: summary, to: output.staging.path)
            try output.commit()
        } catch {
            output.abandon()
            Terminal.error("cannot write the report to \(folder): \(Self.reason(error)); the folder is as it was")
            throw ExitCode(73)
        }
        guard !execution.quiet else { return }
        let seconds = Date().timeIntervalSince(started)
        print("Fairground — \(loaded.name): \(loaded.policies.count) policies × \(loaded.replicates) replicates in \(String(format: "%.1f", seconds)) s")
        let verdicts = Verdict.build(summary)
        if verdicts.isEmpty { print("  " + ReportText.noVerdict(summary)) }
        for line in Verdict.terminal(verdicts) { print("  " + line) }
        let references = Findings.ranked(summary).filter(\.reference)
        if !references.isEmpty {
            print("  Reference (not deployable):")
            for f in references.prefix(3) { print("    " + f.text.replacingOccurrences(of: "**", with: "")) }
        }
        print("Report: \(folder)/report.html   Summary: \(folder)/summary.md   Data: \(folder)/metrics.json")
    }

    /// A file error's POSIX reason when there is one ("No space left on device"), else its text.
    static func reason(_ error: Error) -> String {
        if let folderError = error as? OutputFolderError { return folderError.reason }
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return "\(error)"
    }
}

extension KernelChoice: ExpressibleByArgument {}
