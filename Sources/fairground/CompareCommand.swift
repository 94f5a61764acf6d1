import ArgumentParser
import Foundation
import Reporting

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two finished runs side by side: comparison.html, comparison.md and comparison.json.",
        discussion: """
            Every policy both runs list is compared on the headline values each run recorded per replicate \
            (replicates.csv): revenue, welfare, spend delivery and exposure share per group, new ads with a click, \
            hours to first click. Two runs of the same world and traffic (the same scenario and seed apart from the \
            policies, e.g. before and after a policy change) are paired by replicate; others are compared as \
            independent samples (Welch's interval). The report says which.
            """)

    @Argument(help: "The first run's output folder (A).")
    var runA: String

    @Argument(help: "The second run's output folder (B); differences are B − A.")
    var runB: String

    @Option(help: "Output folder. Default: reports/compare-<A's folder>-vs-<B's folder>. Replaced whole.")
    var out: String?

    func validate() throws {
        if let out, out.isEmpty { throw ValidationError("--out must not be empty") }
    }

    func run() throws {
        let comparison: RunComparison
        do {
            comparison = try RunComparison.load(runA, runB)
        } catch let error as ReportInputError {
            Terminal.error(error.description)
            throw ExitCode(error.exitCode)
        }
        func base(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.lastPathComponent }
        let folder = out ?? "reports/compare-\(base(runA))-vs-\(base(runB))"
        let output: RunFolder
        do { output = try RunFolder(path: folder) } catch {
            Terminal.error(error.description)
            throw ExitCode(73)
        }
        do {
            try ComparisonReport.write(comparison, to: output.staging.path)
            try output.commit()
        } catch {
            output.abandon()
            Terminal.error("cannot write the comparison to \(folder): \(RunCommand.reason(error)); the folder is as it was")
            throw ExitCode(73)
        }
        print("Fairground — \(comparison.nameA) (A) vs \(comparison.nameB) (B): \(comparison.paired ? "paired by replicate" : "unpaired (Welch)")")
        for row in comparison.rows where ComparisonReport.changed(row.difference) {
            print("  \(row.policy) · \(ComparisonReport.label(row.metric)): \(ComparisonReport.change(row.metric, row.difference))")
        }
        let identical = comparison.rows.filter { ComparisonReport.verdict($0.difference) == "identical" }.count
        let open = comparison.rows.filter { !ComparisonReport.changed($0.difference) }.count - identical
        if identical > 0 { print("  \(identical) metric\(identical == 1 ? "" : "s") identical in every replicate") }
        if open > 0 { print("  \(open) other metric\(open == 1 ? "" : "s") inconclusive (no interval, or it spans zero)") }
        print("Comparison: \(folder)/comparison.html   Summary: \(folder)/comparison.md")
    }
}
