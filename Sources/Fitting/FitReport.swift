import Foundation
import Reporting
import Stochastics

/// The goodness-of-fit report (`fit --report DIR`): fit.html, fit.md and the charts, beside the
/// fitted scenario.
public enum FitReport {
    public static func write(_ fit: ScenarioFit, _ g: GoodnessOfFit, scenarioYAML: String, to directory: String) throws {
        let writer = OutputWriter(directory: directory)
        try writer.prepare()
        let (tables, figures) = content(fit, g)
        let charts = OutputWriter(directory: (directory as NSString).appendingPathComponent("charts"))
        try charts.prepare()
        for f in figures { try charts.write("\(f.file).svg", f.svg) }
        try writer.write("fitted.yaml", scenarioYAML)
        try writer.write("fit.md", markdown(fit, g, tables: tables, figures: figures))
        try writer.write("fit.html", html(fit, g, tables: tables, figures: figures))
    }

    static func lead(_ fit: ScenarioFit, _ g: GoodnessOfFit) -> [String] {
        var lines = [
            "Log: `\(fit.source)`, \(Format.grouped(Double(fit.rows))) impressions, \(fit.tiers.reduce(0) { $0 + $1.advertisers }) advertisers, \(fit.position.ratios.count) slots.",
            "Position bias: \(fit.position.method.rawValue). Click rates: beta-binomial by empirical Bayes, Beta(\(FitYAML.number(fit.clickRates.alpha)), \(FitYAML.number(fit.clickRates.beta))).",
            "Simulated: the fitted scenario's first policy (a global ranker), \(g.replicates) replicates at \(Format.grouped(g.simulatedRequestsPerDay)) requests per day over \(FitYAML.number(fit.days)) days.",
        ]
        for w in fit.warnings { lines.append("Caution: \(w).") }
        if g.scaledDown { lines.append("The log is larger than the simulation is allowed to be here, so the simulated world serves fewer requests than the log: volume-dependent statistics (Gini, the top 10%'s share) are compared at different volumes.") }
        lines.append("Log intervals: delete-one-block jackknife over 10 blocks of rows; simulated intervals: over replicates. A difference is flagged when the two intervals do not overlap.")
        return lines
    }

    static func content(_ fit: ScenarioFit, _ g: GoodnessOfFit) -> ([ReportTable], [ReportFigure]) {
        func cell(_ e: Estimate, percent: Bool) -> String {
            guard e.mean.isFinite else { return "–" }
            func f(_ x: Double) -> String { percent ? String(format: "%.3f%%", x * 100) : String(format: "%.3f", x) }
            // Rates and shares cannot be negative: a normal-approximation bound below 0 shows as 0.
            let lower = percent ? max(0, e.lower) : e.lower
            return e.lower.isFinite ? "\(f(e.mean)) (\(f(lower))–\(f(e.upper)))" : f(e.mean)
        }
        let rows = g.rows.map { r -> [String] in
            let percent = r.statistic.contains("click rate") || r.statistic.contains("share")
            let overlap = !(r.log.lower.isFinite && r.simulated.count > 1) || (r.log.upper >= r.simulated.lower && r.simulated.upper >= r.log.lower)
            let difference = r.simulated.mean - r.log.mean
            return [r.statistic, cell(r.log, percent: percent), cell(r.simulated, percent: percent),
                    difference.isFinite ? (percent ? String(format: "%+.3f pp", difference * 100) : String(format: "%+.3f", difference)) : "–",
                    overlap ? "intervals overlap" : "differs"]
        }
        let comparison = ReportTable(header: ["statistic", "log", "simulated", "simulated − log", "verdict"], rows: rows)
        let examination = ReportTable(header: ["slot", "examination ÷ top slot", "95% interval"], rows: fit.position.ratios.indices.map { k in
            ["\(k + 1)", FitYAML.number(fit.position.ratios[k]), "\(FitYAML.number(fit.position.lower[k]))–\(FitYAML.number(fit.position.upper[k]))"]
        })
        let tiers = ReportTable(header: ["tier", "advertisers", "ads per advertiser", "impressions", "history (per ad)", "quality shift"], rows: fit.tiers.map { t in
            [t.name, "\(t.advertisers)", "\(t.adsPerAdvertiser)", Format.grouped(t.impressions), t.history?.yaml ?? "–", FitYAML.number(t.qualityShift)]
        })
        let grid = GoodnessOfFit.grid
        let lorenz = Chart.line(title: "Impressions across ads: log and simulated", x: AxisSpec("share of ads (least shown first)", format: .percent, fixed: 0...1),
                                y: AxisSpec("share of impressions", format: .percent, fixed: 0...1),
                                series: [LineSeries(name: "log", color: Palette.color(0), points: zip(grid, g.logLorenz).map { LinePoint(x: $0, y: $1) }),
                                         LineSeries(name: "simulated", color: Palette.color(1), points: zip(grid, g.simulatedLorenz).map { LinePoint(x: $0, y: $1) }, dash: "7 3")],
                                reference: [LinePoint(x: 0, y: 0), LinePoint(x: 1, y: 1)], note: "dashed grey: equal impressions")
        let slots = fit.position.ratios.count
        let ctr = Chart.bars(title: "Click rate by slot", categories: (1...slots).map { "slot \($0)" }, y: AxisSpec("click rate", format: .percent),
                             series: [("log", Palette.color(0), g.rows.prefix(slots).map { Optional($0.log) }),
                                      ("simulated", Palette.color(1), g.rows.prefix(slots).map { Optional($0.simulated) })])
        return ([comparison, examination, tiers], [ReportFigure(file: "ctr-by-slot", title: "Click rate by slot", svg: ctr),
                                                   ReportFigure(file: "lorenz", title: "Impressions across ads", svg: lorenz)])
    }

    static func markdown(_ fit: ScenarioFit, _ g: GoodnessOfFit, tables: [ReportTable], figures: [ReportFigure]) -> String {
        var md = "# Goodness of fit — \(fit.source)\n\n" + lead(fit, g).map { $0 + "\n\n" }.joined()
        for f in figures { md += "![\(f.title)](charts/\(f.file).svg)\n" }
        md += "\n## The log and the fitted world\n\n" + SummaryMarkdown.table(tables[0])
        md += "\n## Position bias\n\n" + SummaryMarkdown.table(tables[1])
        md += "\n## Tiers\n\n" + SummaryMarkdown.table(tables[2])
        md += "\nThe fitted scenario is `fitted.yaml` beside this file: `fairground run fitted.yaml`.\n"
        return md
    }

    static func html(_ fit: ScenarioFit, _ g: GoodnessOfFit, tables: [ReportTable], figures: [ReportFigure]) -> String {
        var h = HTMLReport.pageStart(title: "Goodness of fit — \(fit.source)") + """
            <h1>Goodness of fit — \(HTMLReport.esc((fit.source as NSString).lastPathComponent))</h1>

            """
        for line in lead(fit, g) { h += "<p class=\"meta\">\(HTMLReport.inline(line))</p>\n" }
        h += "<section><h2>The log and the fitted world</h2>\n<div class=\"figures\">\n"
        for f in figures { h += "<figure>\n\(f.svg)</figure>\n" }
        h += "</div>\n" + HTMLReport.table(tables[0]) + "</section>\n"
        h += "<section><h2>Position bias</h2>\n" + HTMLReport.table(tables[1]) + "</section>\n"
        h += "<section><h2>Tiers</h2>\n" + HTMLReport.table(tables[2]) + "</section>\n"
        h += "<footer>The fitted scenario is fitted.yaml beside this file: <code>fairground run fitted.yaml</code>.</footer>\n</main>\n</body>\n</html>\n"
        return h
    }
}
