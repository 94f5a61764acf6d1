import ArgumentParser
import Fitting
import Foundation
import Reporting
import Scenario

struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a scenario to a real impression log (CSV), and check the fit against the log.",
        discussion: """
            The log needs the columns ad, position (1 = the top slot) and click; timestamp, advertiser, cost, \
            conversion, value, propensity, conversionDelay and cohort are used when present, other columns (user_*) \
            are ignored. --column NAME=THEIRS maps a schema column to the log's name for it (repeatable). The file \
            is streamed: memory grows with ads, not rows. Fits: position bias (directly when every row has the same \
            propensity — randomised positions — otherwise the position-based click model by EM, with jackknife \
            intervals), per-ad click rates (empirical-Bayes beta-binomial), tiers by advertiser size with their \
            history, budget and bid distributions (lognormal or Pareto by maximum likelihood, the lower AIC), \
            conversion rate, delay and order value, and traffic per hour. docs/impression-log.md has the schema \
            and every method.
            """)

    @Argument(help: "The impression log (CSV).")
    var log: String

    @Option(help: "Where to write the fitted scenario. Default: scenarios/fitted-<log name>.yaml.")
    var out: String?

    @Option(help: "Also write a goodness-of-fit report (fit.html, fit.md, charts, fitted.yaml) into this folder: the log against the fitted world's simulated log.")
    var report: String?

    @Option(help: "Advertiser tiers, cut by impressions (equal-count groups, largest first).")
    var tiers: Int = 2

    @Option(help: "What advertiser size the tiers are cut by: impressions, or spend (needs a cost column).")
    var tierBy: TierBy = .impressions

    enum TierBy: String, ExpressibleByArgument { case impressions, spend }

    @Option(help: "The log's length in days when it has no timestamps.")
    var days: Double = 1

    @Option(name: .customLong("column"), help: "NAME=THEIRS: read schema column NAME from the log's column THEIRS (e.g. ad=item_id).")
    var columns: [String] = []

    @Option(name: .customLong("where"), help: "COLUMN=VALUE: fit only the rows whose column holds VALUE (repeatable), e.g. policy=global for one policy of a Fairground impression log.")
    var filters: [String] = []

    @OptionGroup var execution: ExecutionOptions

    func validate() throws {
        guard (1...20).contains(tiers) else { throw ValidationError("--tiers must be 1 … 20, got \(tiers)") }
        guard days > 0, days.isFinite else { throw ValidationError("--days must be positive, got \(days)") }
        for c in columns {
            let parts = c.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else { throw ValidationError("--column expects NAME=THEIRS, got '\(c)'") }
            let known = LogTally.required + LogTally.optional
            guard known.contains(parts[0]) else {
                let hint = Suggestion.closest(to: parts[0], in: known).map { "; did you mean '\($0)'?" } ?? ""
                throw ValidationError("--column: '\(parts[0])' is not a column of the log schema (\(known.joined(separator: ", ")))\(hint)")
            }
        }
        for f in filters where f.split(separator: "=", maxSplits: 1).count != 2 {
            throw ValidationError("--where expects COLUMN=VALUE, got '\(f)'")
        }
        if let out, out.isEmpty { throw ValidationError("--out must not be empty") }
    }

    func run() throws {
        let mapping = Dictionary(columns.map { c -> (String, String) in
            let parts = c.split(separator: "=", maxSplits: 1).map(String.init)
            return (parts[0], parts[1])
        }, uniquingKeysWith: { _, last in last })
        let started = Date()
        let tally: LogTally
        let only = Dictionary(filters.map { f -> (String, String) in
            let parts = f.split(separator: "=", maxSplits: 1).map(String.init)
            return (parts[0], parts[1])
        }, uniquingKeysWith: { _, last in last })
        do { tally = try LogTally.read(path: log, columns: mapping, only: only) } catch let error as LogError {
            Terminal.error(error.description)
            throw ExitCode(error.exitCode)
        }
        let base = URL(fileURLWithPath: log).deletingPathExtension().lastPathComponent
        let name = "fitted-" + String(base.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" }.prefix(80))
        if tierBy == .spend && !tally.hasCost {
            Terminal.error("\(log): --tier-by spend needs a cost column, and the log has none (map one with --column cost=THEIRS)")
            throw ExitCode(65)
        }
        let fit = ScenarioFit.fit(tally, source: log, tiers: tiers, defaultDays: days, bySpend: tierBy == .spend)
        let yaml = fit.yaml(name: name)
        // The fitted scenario must be one `run` accepts: checked before anything is written.
        let scenario: Scenario
        do { scenario = try ScenarioLoader.parse(yaml: yaml, file: "\(name).yaml", defaultName: name) } catch {
            Terminal.error("the fitted scenario is not valid (a bug; please report it with the log's shape): \(error)")
            throw ExitCode(70)
        }
        let path = out ?? "scenarios/\(name).yaml"
        do {
            try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(yaml.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            Terminal.error("cannot write \(path): \(RunCommand.reason(error))")
            throw ExitCode(73)
        }
        if !execution.quiet {
            print("Fitted \(log): \(tally.rows) impressions, \(tally.ads) ads, \(tally.advertisers) advertisers, \(tally.slots) slots in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
            print("  examination ÷ top slot (\(fit.position.method.rawValue)): " + fit.position.ratios.indices.map {
                String(format: "%.3f (%.3f–%.3f)", fit.position.ratios[$0], fit.position.lower[$0], fit.position.upper[$0]) }.joined(separator: ", "))
            print(String(format: "  click rates: Beta(%.3g, %.3g), mean %.4f; tiers: ", fit.clickRates.alpha, fit.clickRates.beta, fit.clickRates.mean)
                  + fit.tiers.map { "\($0.name) \($0.advertisers)" }.joined(separator: ", "))
            for w in fit.warnings { print("  caution: \(w)") }
            print("Scenario: \(path)")
        }
        guard let report else { return }
        let output: RunFolder
        do { output = try RunFolder(path: report) } catch {
            Terminal.error(error.description)
            throw ExitCode(73)
        }
        do {
            let g = try GoodnessOfFit.compare(tally, scenario: scenario, jobs: execution.workers)
            try FitReport.write(fit, g, scenarioYAML: yaml, to: output.staging.path)
            try output.commit()
            if !execution.quiet {
                let differs = g.rows.filter { r in r.log.lower.isFinite && r.simulated.count > 1 && (r.log.upper < r.simulated.lower || r.simulated.upper < r.log.lower) }
                print("Goodness of fit: \(g.rows.count - differs.count) of \(g.rows.count) statistics agree within their intervals"
                      + (differs.isEmpty ? "" : "; differ: " + differs.map(\.statistic).joined(separator: ", ")))
                print("Report: \(report)/fit.html")
            }
        } catch {
            output.abandon()
            Terminal.error("cannot write the goodness-of-fit report to \(report): \(RunCommand.reason(error)); the folder is as it was")
            throw ExitCode(73)
        }
    }
}
