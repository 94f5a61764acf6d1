import Scenario
import Simulation

/// Writes every output of a finished run into a folder (metrics.json last).
public enum RunReport {
    public static func write(_ scenario: Scenario, cells: [CellResult], summary: RunSummary, to directory: String) throws {
        let writer = OutputWriter(directory: directory)
        try writer.prepare()
        try writer.write("advertisers.csv", CSVTables.advertisers(scenario, cells: cells))
        try writer.write("timeseries.csv", CSVTables.timeseries(scenario, cells: cells))
        try writer.write("summary.md", SummaryMarkdown.render(summary))
        try writer.write("metrics.json", try MetricsJSON.encode(summary))
    }
}
