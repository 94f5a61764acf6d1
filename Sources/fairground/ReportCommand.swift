import ArgumentParser
import Foundation
import Reporting

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Re-render report.html, summary.md and charts/ from a finished run's folder, without rerunning.")

    @Argument(help: "A run's output folder (holding metrics.json and the CSV files).")
    var directory: String

    func run() throws {
        let missing = ReportData.inputFiles.filter {
            !FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent($0))
        }
        guard missing.isEmpty else {
            Terminal.error("\(directory): not a finished run (missing \(missing.joined(separator: ", ")))")
            throw ExitCode(66)
        }
        do {
            try RunReport.rerender(directory: directory)
        } catch let error as DecodingError {
            Terminal.error("\(directory)/metrics.json: not a Fairground metrics file (\(error))")
            throw ExitCode(65)
        } catch {
            Terminal.error("\(directory): cannot write the report: \(error)")
            throw ExitCode(73)
        }
        print("Report: \(directory)/report.html   Summary: \(directory)/summary.md")
    }
}
