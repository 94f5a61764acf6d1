import Foundation
import Scenario
import Simulation

/// Writes every output of a run into a folder, and (re-)renders the human-readable report.
public enum RunReport {
    /// Data files first, then the report rendered from those same texts, metrics.json last.
    /// `directory` is a `RunFolder`'s staging folder: the run appears in its output folder only
    /// when the folder is committed.
    public static func write(_ scenario: Scenario, cells: [CellResult], summary: RunSummary, to directory: String) throws {
        let writer = OutputWriter(directory: directory)
        try writer.prepare()
        let metrics = try MetricsJSON.encode(summary)
        let files = [
            ("advertisers.csv", CSVTables.advertisers(scenario, cells: cells)),
            ("timeseries.csv", CSVTables.timeseries(scenario, cells: cells)),
            ("ramp.csv", CSVTables.ramp(scenario, cells: cells)),
            ("calibration.csv", CSVTables.calibration(scenario, cells: cells)),
            ("replicates.csv", CSVTables.replicates(scenario, cells: cells)),
        ]
        for (name, text) in files { try writer.write(name, text) }
        let data = try ReportData(metrics: metrics, timeseries: files[1].1, advertisers: files[0].1, ramp: files[2].1, calibration: files[3].1)
        try render(data, to: writer)
        try writer.write("metrics.json", metrics)
    }

    /// `fairground report DIR`: re-renders report.html, summary.md and charts/ from saved results,
    /// holding the folder's lock; charts the new report no longer has, and temporaries an
    /// interrupted writer left, are removed.
    /// - Throws: `ReportInputError` (exit 65/66) for unreadable or damaged inputs,
    ///   `OutputFolderError` or a file error (exit 73) when writing fails.
    public static func rerender(directory: String) throws {
        let url = URL(fileURLWithPath: directory).standardizedFileURL.resolvingSymlinksInPath()
        let data = try ReportData.load(directory: url.path)
        let lock = try FolderLock(folder: url)
        defer { lock.release() }
        let written = try render(data, to: OutputWriter(directory: url.path))
        removeStale(in: url, keeping: [], isStale: { RunFolder.isPartial($0) })
        removeStale(in: url.appendingPathComponent("charts"), keeping: written,
                    isStale: { $0.hasSuffix(".svg") || RunFolder.isPartial($0) })
    }

    /// Writes the charts, summary.md and report.html; returns the chart file names.
    @discardableResult
    static func render(_ data: ReportData, to writer: OutputWriter) throws -> Set<String> {
        let sections = ReportSections.build(data)
        let charts = OutputWriter(directory: writer.directory.appendingPathComponent("charts").path)
        try charts.prepare()
        var written: Set<String> = []
        for figure in sections.flatMap(\.figures) {
            try charts.write("\(figure.file).svg", figure.svg)
            written.insert("\(figure.file).svg")
        }
        try writer.write("summary.md", SummaryMarkdown.render(data, sections: sections))
        try writer.write("report.html", HTMLReport.render(data, sections: sections))
        return written
    }

    private static func removeStale(in folder: URL, keeping: Set<String>, isStale: (String) -> Bool) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for entry in entries where !keeping.contains(entry) && isStale(entry) {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(entry))
        }
    }
}
