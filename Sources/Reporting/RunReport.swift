import Foundation
import Scenario
import Simulation

/// Writes every output of a run into a folder, and (re-)renders the human-readable report.
public enum RunReport {
    /// Data files first, then the report rendered from those same texts, metrics.json last.
    public static func write(_ scenario: Scenario, cells: [CellResult], summary: RunSummary, to directory: String) throws {
        let writer = OutputWriter(directory: directory)
        try writer.prepare()
        let metrics = try MetricsJSON.encode(summary)
        let files = [
            ("advertisers.csv", CSVTables.advertisers(scenario, cells: cells)),
            ("timeseries.csv", CSVTables.timeseries(scenario, cells: cells)),
            ("ramp.csv", CSVTables.ramp(scenario, cells: cells)),
            ("calibration.csv", CSVTables.calibration(scenario, cells: cells)),
        ]
        for (name, text) in files { try writer.write(name, text) }
        let data = try ReportData(metrics: metrics, timeseries: files[1].1, advertisers: files[0].1, ramp: files[2].1, calibration: files[3].1)
        try render(data, to: writer)
        try writer.write("metrics.json", metrics)
    }

    /// `fairground report DIR`: re-renders report.html, summary.md and charts/ from saved results.
    public static func rerender(directory: String) throws {
        try render(try ReportData.load(directory: directory), to: OutputWriter(directory: directory))
    }

    static func render(_ data: ReportData, to writer: OutputWriter) throws {
        let sections = ReportSections.build(data)
        let charts = OutputWriter(directory: writer.directory.appendingPathComponent("charts").path)
        try charts.prepare()
        for figure in sections.flatMap(\.figures) { try charts.write("\(figure.file).svg", figure.svg) }
        try writer.write("summary.md", SummaryMarkdown.render(data, sections: sections))
        try writer.write("report.html", HTMLReport.render(data, sections: sections))
    }
}
