import Simulation
import Stochastics

/// summary.md: the same findings, charts (as SVG files beside it) and tables as report.html,
/// for wikis and pull requests.
public enum SummaryMarkdown {
    public static func render(_ d: ReportData, sections: [ReportSection]) -> String {
        let s = d.summary
        var md = "# Fairground report — \(s.scenario.name)\n\n\(ReportText.scenarioLine(s))\n\n## Key findings\n\n"
        md += ReportText.findings(s).map { "- \($0)\n" }.joined()
        for section in sections {
            md += "\n## \(section.title)\n\n\(section.lead)\n\n"
            for f in section.figures { md += "![\(f.title)](charts/\(f.file).svg)\n" }
            if !section.figures.isEmpty { md += "\n" }
            for t in section.tables { md += table(t) + "\n" }
        }
        md += "## How to read this\n\n" + ReportText.howToRead.map { "- \($0)\n" }.joined()
        return md
    }

    /// A Markdown table.
    public static func table(_ t: ReportTable) -> String {
        var md = "| " + t.header.joined(separator: " | ") + " |\n|" + t.header.map { _ in "---|" }.joined() + "\n"
        for row in t.rows { md += "| " + row.joined(separator: " | ") + " |\n" }
        return md
    }
}

/// Plain-language findings from a summary: only differences whose interval excludes zero.
public enum Findings {
    public static func list(_ s: RunSummary) -> [String] {
        guard let base = s.policies.first else { return [] }
        let groups = s.scenario.tiers + [RunSummary.newGroup]
        var out: [String] = []
        for p in s.policies.dropFirst() {
            guard let cmp = p.vsBaseline else { continue }
            for g in groups {
                guard let d = cmp.tiers[g]?.spendDelivery, d.excludesZero,
                      let from = base.tiers[g]?.spendDelivery.mean, let to = p.tiers[g]?.spendDelivery.mean else { continue }
                let verb = d.mean > 0 ? "raised" : "lowered"
                let who = g == RunSummary.newGroup ? "new-advertiser" : "\(g)-tier"
                out.append("**\(p.name)** \(verb) \(who) spend delivery from \(Format.percent(from)) to \(Format.percent(to)) (\(Format.pointsEstimate(d))) compared with \(base.name).")
            }
            for (name, c) in cmp.cohorts.sorted(by: { $0.key < $1.key }) where cmp.cohorts.count > 1 {
                let objective = p.cohorts[name]?.objective ?? "clicks"
                let (what, e) = objective == "order-value" ? ("order value", c.orderValueRelative)
                    : objective == "conversions" ? ("conversions", c.conversionsRelative) : ("clicks", c.clicksRelative)
                guard e.excludesZero else { continue }
                out.append("**\(p.name)** \(e.mean > 0 ? "raised" : "lowered") the \(name) cohort's \(what) by \(String(format: "%.1f%%", abs(e.mean) * 100)) (\(Format.relativeEstimate(e))) compared with \(base.name).")
            }
            if let gained = p.exploration.hitsGained, let baseline = p.exploration.costBaseline, gained.excludesZero {
                out.append("**\(p.name)** found \(String(format: "%.1f", abs(gained.mean))) \(gained.mean > 0 ? "more" : "fewer") new hits per run (\(String(format: "%+.1f to %+.1f", gained.lower, gained.upper))) than \(baseline): new ads of top-quartile quality that reached regular traffic.")
            }
            if let rc = p.rankerComparison {
                for g in groups {
                    guard let d = rc.tiers[g]?.logloss, d.excludesZero else { continue }
                    let who = g == RunSummary.newGroup ? "new advertisers'" : "the \(g) tier's"
                    out.append("**\(p.name)** predicted \(who) clicks \(d.mean < 0 ? "better" : "worse") than \(rc.baseline): log-loss \(Format.signedEstimate(d)), paired per replicate.")
                }
            }
            out.append(revenueSentence(policy: p.name, baseline: base.name, r: cmp.revenueRelative, replicates: s.scenario.replicates))
        }
        return out
    }

    /// The revenue finding: a change when the interval excludes zero, else "inconclusive" with the
    /// replicates that would resolve a change of the observed size (`Estimate.replicatesToResolve`).
    /// `replicates` is the run's count (an estimate read back from metrics.json does not carry it);
    /// the replicates the estimate dropped are taken off.
    public static func revenueSentence(policy: String, baseline: String, r: Estimate, replicates: Int) -> String {
        var r = r
        r.count = replicates - r.dropped
        if r.excludesZero {
            return "**\(policy)** \(r.mean > 0 ? "earned" : "cost") \(String(format: "%.1f%%", abs(r.mean) * 100)) \(r.mean > 0 ? "more" : "of") revenue (\(Format.relativeEstimate(r))) compared with \(baseline)."
        }
        let start = "**\(policy)**: revenue change against \(baseline) inconclusive, \(Format.relativeEstimate(r)) over \(r.count) replicates"
        guard let n = r.replicatesToResolve() else {
            return start + (r.mean == 0 || r.count < 2 ? "." : "; a change this small would take more than 100,000 replicates to tell from zero.")
        }
        return start + "; if the change is \(String(format: "%+.1f%%", r.mean * 100)), about \(n) replicates would tell it from zero."
    }
}
