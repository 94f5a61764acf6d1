import Simulation
import Stochastics

/// summary.md: the same findings, charts (as SVG files beside it) and tables as report.html,
/// for wikis and pull requests.
public enum SummaryMarkdown {
    public static func render(_ d: ReportData, sections: [ReportSection]) -> String {
        let s = d.summary
        var md = "# Fairground report — \(s.scenario.name)\n\n\(ReportText.scenarioLine(s))\n\n## The answer\n\n"
        let verdicts = Verdict.build(s)
        if verdicts.isEmpty { md += ReportText.noVerdict(s) + "\n" }
        for v in verdicts { md += v.headline + "\n\n" + v.lines.map { "- \($0.text)\n" }.joined() + "\n" }
        let findings = ReportText.findings(s)
        md += "\n## Key findings\n\n" + findings.top.map { "- \($0)\n" }.joined()
        if !findings.more.isEmpty {
            md += "\n<details><summary>\(findings.more.count) more finding\(findings.more.count == 1 ? "" : "s")</summary>\n\n"
                + findings.more.map { "- \($0)\n" }.joined() + "\n</details>\n"
        }
        if !findings.reference.isEmpty {
            md += "\n## Reference (not deployable)\n\nThe oracle ranker knows the true click and conversion rates and order values: the best a ranker could do, not a policy to ship.\n\n"
                + findings.reference.map { "- \($0)\n" }.joined()
        }
        for section in sections {
            md += "\n## \(section.title)\n\n\(section.lead)\n\n"
            for f in section.figures { md += "![\(f.title)](charts/\(f.file).svg)\n" }
            if !section.figures.isEmpty { md += "\n" }
            for t in section.tables { md += table(t) + "\n" }
        }
        md += "## Glossary\n\n" + Glossary.entries(for: s, currency: d.currency).map { "- **\($0.term)**: \($0.definition)\n" }.joined()
        md += "\n## How to read this\n\n" + ReportText.howToRead.map { "- \($0)\n" }.joined()
        return md
    }

    /// A Markdown table.
    public static func table(_ t: ReportTable) -> String {
        var md = "| " + t.header.joined(separator: " | ") + " |\n|" + t.header.map { _ in "---|" }.joined() + "\n"
        for row in t.rows { md += "| " + row.joined(separator: " | ") + " |\n" }
        return md
    }
}

