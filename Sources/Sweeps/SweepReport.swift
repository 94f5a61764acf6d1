import Foundation
import Reporting
import Stochastics

/// The sweep report: the frontier chart, the recommendation with its interval, and every cell.
enum SweepReport {
    static func render(_ d: SweepOutputs.Document) -> (markdown: String, html: String, frontier: String) {
        func label(_ c: SweepCellResult) -> String { d.keys.map { "\($0) = \(c.overrides[$0] ?? "")" }.joined(separator: ", ") }
        func point(_ c: SweepCellResult) -> LinePoint? {
            guard let x = c.metric(d.frontierMetric), let y = c.metric(d.objective) else { return nil }
            return LinePoint(x: x.mean, y: y.mean, lower: y.lower, upper: y.upper)
        }
        let frontierCells = d.cells.filter { d.frontier.contains($0.index) }.sorted { (point($0)?.x ?? 0) < (point($1)?.x ?? 0) }
        var series = [
            LineSeries(name: "cells", color: "#999999", points: d.cells.filter { !d.frontier.contains($0.index) }.compactMap(point), markers: true),
            LineSeries(name: "frontier", color: Palette.color(0), points: frontierCells.compactMap(point)),
            LineSeries(name: "frontier cells", color: Palette.color(0), points: frontierCells.compactMap(point), markers: true),
        ]
        if let r = d.recommendation, let c = d.cells.first(where: { $0.index == r.index }), let p = point(c) {
            series.append(LineSeries(name: "recommended", color: Palette.color(1), points: [p], markers: true))
        }
        let title = "\(d.objective) against \(d.frontierMetric)"
        let svg = Chart.line(title: title, x: AxisSpec(d.frontierMetric + (d.frontierHigherIsBetter ? " (higher is better)" : " (lower is better)")),
                             y: AxisSpec(d.objective), series: series, note: "whiskers: 95% CI of \(d.objective)")
        let recommendation: String
        if let r = d.recommendation {
            let overrides = d.keys.map { "`\($0)` = \(r.overrides[$0] ?? "")" }.joined(separator: ", ")
            let checks = r.constraints.map { c in
                "\(c.constraint): \(Format.compactEstimate(c.estimate))"
                    + (c.satisfiedByInterval ? ", met by the whole interval" : ", met by the mean only — the interval reaches below the bound")
            }
            recommendation = "**Recommended: cell \(r.index)** — \(overrides). \(d.objective) "
                + "\(Format.compact(r.objective.mean)) (95% CI \(Format.compact(r.objective.lower))–\(Format.compact(r.objective.upper))). "
                + (checks.isEmpty ? "" : "Constraints: " + checks.joined(separator: "; ") + ".")
        } else {
            recommendation = "**No cell meets every constraint** (\(d.constraints.joined(separator: "; "))); widen the grid or relax the constraint."
        }
        let table = ReportTable(header: ["cell"] + d.keys + [d.objective, d.frontierMetric, "frontier"], rows: d.cells.map { c in
            [String(c.index)] + d.keys.map { c.overrides[$0] ?? "" }
                + [d.objective, d.frontierMetric].map { m in c.metric(m).map(Format.compactEstimate) ?? "–" }
                + [d.frontier.contains(c.index) ? "yes" : ""]
        })
        let lead = "Policy `\(d.policy)` in each cell of the grid; every figure is a mean over replicates with its 95% interval. "
            + "Maximising \(d.objective)" + (d.constraints.isEmpty ? "." : " subject to " + d.constraints.joined(separator: " and ") + ".")
        var md = "# Fairground sweep — \(d.name)\n\n\(lead)\n\n\(recommendation)\n\n![\(title)](frontier.svg)\n\n"
        md += SummaryMarkdown.table(table)
        let esc = HTMLReport.esc, inline = HTMLReport.inline
        var html = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Fairground sweep — \(esc(d.name))</title>\n"
        html += "<style>\(HTMLReport.css)</style>\n"
        html += "</head>\n<body>\n<main>\n<h1>Fairground sweep — \(esc(d.name))</h1>\n<p>\(inline(lead))</p>\n<p>\(inline(recommendation))</p>\n<figure>\n\(svg)</figure>\n"
        html += HTMLReport.table(table) + "</main>\n</body>\n</html>\n"
        return (md, html, svg)
    }
}
