import Foundation
import Reporting
import Stochastics

/// The sweep report: the answer first (recommendation, its constraint check, the cells that
/// cannot be told from it, edge warnings), then the frontier chart and every cell with its
/// paired difference from the reference cell.
public enum SweepReport {
    static func render(_ d: SweepOutputs.Document) -> (markdown: String, html: String, frontier: String) {
        let svg = frontier(d)
        let groups = Self.answerGroups(d)
        let objective = MetricNames.plain(d.objective)
        let constraintMetrics = ConstraintSpec.parse(d.constraints).map(\.metric)
        let referenceText = d.reference.keys.sorted().map { "\($0) = \(d.reference[$0]!)" }.joined(separator: ", ")
        let header = ["cell"] + d.keys + [objective, "\(objective) vs reference (paired)"]
            + constraintMetrics.map(MetricNames.plain) + ["verdict"]
        let table = ReportTable(header: header, rows: d.cells.map { c in
            let keyValues: [String] = d.keys.map { c.overrides[$0] ?? "" }
            let own: String = c.metric(d.objective).map { MetricNames.estimate(d.objective, $0) } ?? "–"
            let constrained: [String] = constraintMetrics.map { m in c.metric(m).map { MetricNames.estimate(m, $0) } ?? "–" }
            return [String(c.index)] + keyValues + [own, delta(c, d)] + constrained + [verdict(c, d)]
        })
        let goal = "maximise \(objective)" + (d.constraints.isEmpty ? "" : " while " + d.constraints.map(plainConstraint).joined(separator: " and "))
        let lead = "Policy `\(d.policy)` in each of the \(d.cells.count) cells of the grid; every figure is a mean over replicates with its "
            + "95% interval. Goal: \(goal). Every cell runs the same seeds (the same traffic), so cells are compared in pairs, "
            + "replicate by replicate; the reference cell is the one with \(referenceText.isEmpty ? "the grid's first values" : referenceText)."
        var md = "# Fairground sweep — \(d.name)\n\n\(lead)\n\n"
        md += groups.map { g in "- **\(g[0])**\n" + g.dropFirst().map { "  - \($0)\n" }.joined() }.joined() + "\n"
        md += "![\(objective) against \(MetricNames.plain(d.frontierMetric))](frontier.svg)\n\n"
        md += SummaryMarkdown.table(table)
        let esc = HTMLReport.esc, inline = HTMLReport.inline
        var html = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<title>Fairground sweep — \(esc(d.name))</title>\n<style>\(HTMLReport.css)</style>\n</head>\n<body>\n<main>\n"
        html += "<h1>Fairground sweep — \(esc(d.name))</h1>\n<p>\(inline(lead))</p>\n<h2>The answer</h2>\n<ul>\n"
        html += groups.map { g in
            "<li><strong>\(inline(g[0]))</strong>" + (g.count > 1 ? "\n<ul>\n" + g.dropFirst().map { "<li>\(inline($0))</li>\n" }.joined() + "</ul>" : "") + "</li>\n"
        }.joined() + "</ul>\n<figure>\n\(svg)</figure>\n<h2>Every cell</h2>\n"
        html += HTMLReport.table(table) + "</main>\n</body>\n</html>\n"
        return (md, html, svg)
    }

    /// "new advertisers' spend delivery ≥ 30%".
    static func plainConstraint(_ text: String) -> String {
        ConstraintSpec.parse([text]).map { c in
            "\(MetricNames.plain(c.metric)) \(c.atLeast ? "≥" : "≤") \(MetricNames.value(c.metric, c.bound))"
        }.joined(separator: " and ")
    }

    /// "Constraint new advertisers' spend delivery ≥ 30.0%: 58.3% (41.5–75.2) — met over the whole 95% interval."
    static func constraintLine(_ c: SweepOutputs.ConstraintCheck) -> String {
        let spec = ConstraintSpec.parse([c.constraint]).first
        let value = spec.map { MetricNames.estimate($0.metric, c.estimate) } ?? Format.compactEstimate(c.estimate)
        return "Constraint \(plainConstraint(c.constraint)): \(value) — "
            + (c.satisfiedByInterval ? "met over the whole 95% interval." : "met by the mean only; the interval crosses the bound.")
    }

    static func values(_ c: SweepCellResult, _ keys: [String]) -> String {
        keys.map { "\($0) = \(c.overrides[$0] ?? "")" }.joined(separator: ", ")
    }

    /// The answer in plain sentences, one group per condition (its recommendation first, then
    /// the checks behind it), most important first.
    public static func answerGroups(_ d: SweepOutputs.Document) -> [[String]] {
        let decisions = d.keys.filter { d.reference[$0] != nil }
        var groups: [[String]] = []
        for r in d.recommendations {
            let group = d.cells.filter { c in r.condition.allSatisfy { c.overrides[$0.key] == $0.value } }
            groups.append(answer(d, r, group, decisions: decisions.isEmpty ? d.keys : decisions))
        }
        for condition in d.infeasibleConditions {
            groups.append([prefix(condition) + "No cell meets " + d.constraints.map(plainConstraint).joined(separator: " and ")
                           + ", not even by its mean: relax the constraint or widen the grid."])
        }
        return groups
    }

    /// The answer as the terminal prints it: each group's first line, then its checks indented.
    public static func answer(_ d: SweepOutputs.Document) -> [String] {
        answerGroups(d).flatMap { g in g.prefix(1) + g.dropFirst().map { "  " + $0 } }
    }

    static func prefix(_ condition: [String: String]) -> String {
        condition.isEmpty ? "" : "With " + condition.keys.sorted().map { "\($0) = \(condition[$0]!)" }.joined(separator: ", ") + ": "
    }

    static func answer(_ d: SweepOutputs.Document, _ r: SweepOutputs.Recommendation, _ group: [SweepCellResult], decisions: [String]) -> [String] {
        let objective = MetricNames.plain(d.objective)
        guard let best = group.first(where: { $0.index == r.index }) else { return [] }
        var lines = [prefix(r.condition) + "recommended \(values(best, decisions)) (cell \(r.index)) — \(objective) \(MetricNames.estimate(d.objective, r.objective))."]
        lines[0] = lines[0].prefix(1).uppercased() + lines[0].dropFirst()
        lines += r.constraints.map(constraintLine)
        if r.basis == "mean" {
            lines.append("No cell meets the constraints over its whole interval, so this is the best of the cells meeting them by the mean: "
                         + "treat it as uncertain (more replicates, or a grid reaching further, would settle it).")
        }
        let specs = ConstraintSpec.parse(d.constraints)
        let poolSize = r.basis == "mean" ? r.meanOnly.count
            : group.filter { c in specs.allSatisfy { $0.check(c).satisfiedByInterval } }.count
        let others = r.indistinguishable.filter { $0 != r.index }
        if others.isEmpty {
            lines.append(poolSize > 1 ? "It beats every other cell that meets the constraints on \(objective), in paired comparisons (same traffic, replicate by replicate)."
                                      : "It is the only cell here that meets the constraints over its whole interval.")
        } else if r.indistinguishable.count == poolSize {
            lines.append("\(objective.prefix(1).uppercased() + objective.dropFirst()) is flat: none of the \(poolSize) cells meeting the constraints "
                         + "can be told apart from the best in paired comparisons, so the choice among them (cells "
                         + r.indistinguishable.map(String.init).joined(separator: ", ") + ") can rest on other metrics.")
        } else {
            let named = others.compactMap { i in group.first { $0.index == i } }.map { "cell \($0.index) (\(values($0, decisions)))" }
            lines.append("As good as far as the replicates can tell (paired 95% interval of the difference includes zero): " + named.joined(separator: "; ") + ".")
        }
        if r.basis == "interval" && !r.meanOnly.isEmpty {
            let many = r.meanOnly.count > 1
            lines.append((many ? "Cells " : "Cell ") + r.meanOnly.map(String.init).joined(separator: ", ")
                         + (many ? " meet" : " meets") + " the constraints by the mean only (not over the interval) and "
                         + (many ? "were" : "was") + " not considered.")
        }
        lines += r.edges.map { "Edge of the grid: \($0)." }
        return lines
    }

    /// The paired difference from the reference cell, absolute and relative.
    static func delta(_ c: SweepCellResult, _ d: SweepOutputs.Document) -> String {
        guard let cmp = d.comparisons.first(where: { $0.index == c.index }) else { return "–" }
        if cmp.reference == c.index { return "reference" }
        guard let diff = cmp.objective else { return "–" }
        let relative = cmp.objectiveRelative.map { "; " + Format.relativeEstimate($0) } ?? ""
        return MetricNames.difference(d.objective, diff) + relative
    }

    static func verdict(_ c: SweepCellResult, _ d: SweepOutputs.Document) -> String {
        let specs = ConstraintSpec.parse(d.constraints)
        if !specs.allSatisfy({ $0.check(c).satisfied }) { return "fails the constraint" }
        guard let r = d.recommendations.first(where: { r in r.condition.allSatisfy { c.overrides[$0.key] == $0.value } }) else { return "" }
        if c.index == r.index { return "recommended" }
        if r.indistinguishable.contains(c.index) { return "as good (paired)" }
        if r.meanOnly.contains(c.index) { return "meets it by the mean only" }
        return "worse (paired)"
    }

    /// The objective against the frontier's other metric, every cell labelled with its values,
    /// the constraint's bound drawn when that metric is constrained.
    static func frontier(_ d: SweepOutputs.Document) -> String {
        let decisions = d.keys.filter { d.reference[$0] != nil }
        let labelKeys = decisions.isEmpty ? d.keys : decisions
        func point(_ c: SweepCellResult) -> LinePoint? {
            guard let x = c.metric(d.frontierMetric), let y = c.metric(d.objective) else { return nil }
            return LinePoint(x: x.mean, y: y.mean, lower: y.lower, upper: y.upper, label: labelKeys.map { c.overrides[$0] ?? "" }.joined(separator: ", "))
        }
        let frontierCells = d.cells.filter { d.frontier.contains($0.index) }.sorted { (point($0)?.x ?? 0) < (point($1)?.x ?? 0) }
        var series = [
            LineSeries(name: "cells", color: "#999999", points: d.cells.filter { !d.frontier.contains($0.index) }.compactMap(point), markers: true),
            LineSeries(name: "frontier", color: Palette.color(0), points: frontierCells.compactMap(point).map { var p = $0; p.label = nil; return p }),
            LineSeries(name: "frontier cells", color: Palette.color(0), points: frontierCells.compactMap(point), markers: true),
        ]
        let recommended = d.recommendations.compactMap { r in d.cells.first { $0.index == r.index } }.compactMap(point).map { var p = $0; p.label = nil; return p }
        if !recommended.isEmpty {
            series.append(LineSeries(name: "recommended", color: Palette.color(1), points: recommended, markers: true))
        }
        let rule = ConstraintSpec.parse(d.constraints).first { $0.metric == d.frontierMetric }.map {
            VerticalRule(x: $0.bound, label: "constraint \($0.atLeast ? "≥" : "≤") \(MetricNames.value($0.metric, $0.bound))")
        }
        let x = MetricNames.plain(d.frontierMetric)
        return Chart.line(title: "\(MetricNames.plain(d.objective)) against \(x)",
                          x: AxisSpec(x + (d.frontierHigherIsBetter ? " (higher is better)" : " (lower is better)")),
                          y: AxisSpec(MetricNames.plain(d.objective)), series: series, rule: rule,
                          note: "whiskers: 95% CI; labels: " + labelKeys.joined(separator: ", "))
    }
}
