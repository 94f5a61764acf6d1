import ArgumentParser
import Foundation
import Reporting

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Re-render report.html, summary.md and charts/ from a finished run's folder, without rerunning.")

    @Argument(help: "A run's output folder (holding metrics.json and the CSV files).")
    var directory: String

    /// Exit 66 for a folder or file that cannot be opened, 65 for saved files that are damaged
    /// (named with their line), 73 only when the report itself cannot be written.
    func run() throws {
        let missing = ReportData.inputFiles.filter {
            var info = stat()
            return lstat((directory as NSString).appendingPathComponent($0), &info) != 0
        }
        guard missing.isEmpty else {
            let sweep = FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent("sweep-plan.json"))
            Terminal.error("\(directory): not a finished run (missing \(missing.joined(separator: ", ")))\(sweep ? "; this is a sweep folder (see sweep.html)" : "")")
            throw ExitCode(66)
        }
        do {
            try RunReport.rerender(directory: directory)
        } catch let error as ReportInputError {
            Terminal.error(error.description)
            throw ExitCode(error.exitCode)
        } catch let error as OutputFolderError {
            Terminal.error(error.description)
            throw ExitCode(73)
        } catch {
            Terminal.error("\(directory): cannot write the report: \(RunCommand.reason(error))")
            throw ExitCode(73)
        }
        print("Report: \(directory)/report.html   Summary: \(directory)/summary.md")
    }
}
