import ArgumentParser
import Foundation
import Reporting
import Scenario
import Sweeps

struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Find the best value of one continuous key of a sweep file under its objective and constraints, in far fewer cells than a grid.",
        discussion: """
            The objective and constraints are the sweep file's `objective` block; the sweep's other grid keys take \
            their first value unless fixed with --fix PATH=VALUE. Zoom search: five values over the range, then the \
            midpoints around the best value so far, until --budget cells have run. Cells are cached in OUT/cells/ \
            like a sweep's (a rerun resumes). Writes OUT/tune.json and OUT/tune.md.
            """)

    @Argument(help: "Sweep file (YAML).")
    var sweep: String

    @Option(help: "The key to tune, a dotted path such as policies[0].explorer.rate.")
    var key: String

    @Option(help: "The range to search, LO:HI.")
    var range: String

    @Option(help: "Cells to evaluate at most (at least 5).")
    var budget = 11

    @Option(help: "Fix another grid key: PATH=VALUE (repeatable).")
    var fix: [String] = []

    @Option(help: "Output folder. Default: reports/<sweep name>-tune.")
    var out: String?

    @OptionGroup var execution: ExecutionOptions

    @OptionGroup var memory: MemoryOptions

    func parsedRange() throws -> ClosedRange<Double> {
        let parts = range.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let lo = Double(parts[0]), let hi = Double(parts[1]), lo.isFinite, hi.isFinite, lo < hi else {
            throw ValidationError("--range must be LO:HI with finite numbers LO < HI, got '\(range)'")
        }
        return lo...hi
    }

    func parsedFix() throws -> [String: String] {
        var out: [String: String] = [:]
        for f in fix {
            guard let eq = f.firstIndex(of: "="), eq != f.startIndex, f.index(after: eq) != f.endIndex else {
                throw ValidationError("--fix must be PATH=VALUE, got '\(f)'")
            }
            out[String(f[..<eq])] = String(f[f.index(after: eq)...])
        }
        return out
    }

    func validate() throws {
        _ = try parsedRange()
        _ = try parsedFix()
        guard budget >= 5, budget <= 1000 else { throw ValidationError("--budget must be between 5 and 1000, got \(budget)") }
    }

    func run() throws {
        let loaded = try ScenarioFiles.loadSweep(sweep)
        let folder = out ?? "reports/\(loaded.name)-tune"
        try memory.check(loaded, file: sweep, jobs: execution.workers)
        let document: TuneRunner.Document
        do {
            document = try TuneRunner.run(loaded, key: key, range: try parsedRange(), budget: budget, fix: try parsedFix(), out: folder,
                                          jobs: execution.workers, progress: Terminal.progress("cells", quiet: execution.quiet))
        } catch let error as ScenarioError {
            Terminal.error(error.description)
            throw ExitCode(error.exitCode)
        } catch let error as OutputFolderError {
            Terminal.error(error.description)
            throw ExitCode(73)
        } catch let failure as TuneRunner.Failure {
            Terminal.error(failure.description)
            throw ExitCode(73)
        } catch {
            Terminal.error("cannot write the tuning run to \(folder): \(error)")
            throw ExitCode(73)
        }
        guard !execution.quiet else { return }
        print("Fairground tune — \(loaded.name): \(key)")
        for line in TuneRunner.answer(document) { print("  " + line) }
        print("Report: \(folder)/tune.md   Data: \(folder)/tune.json")
    }
}
