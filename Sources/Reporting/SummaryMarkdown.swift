import Simulation
import Stochastics

/// summary.md: the comparison a product manager reads — findings first, then the tables.
public enum SummaryMarkdown {
    public static func render(_ s: RunSummary) -> String {
        let groups = s.scenario.tiers + [RunSummary.newGroup]
        let sc = s.scenario
        var md = "# Fairground report — \(sc.name)\n\n"
        md += "\(sc.replicates) replicates × \(Format.number(sc.days)) days × \(Format.number(sc.requestsPerDay)) requests/day; "
        md += "\(sc.slots) slots, \(sc.mechanism) auction, \(sc.pacing) pacing; seed \(sc.seed). "
        md += "Every figure is a mean over replicates with its 95% confidence interval in brackets.\n\n"

        md += "## Key findings\n\n"
        let findings = Findings.list(s)
        md += findings.isEmpty ? "- No policy differs from the baseline by more than the noise of the replicates.\n"
            : findings.map { "- \($0)\n" }.joined()

        md += "\n## Revenue and fairness\n\n"
        md += "| policy | ranker | revenue | change vs \(s.policies.first?.name ?? "baseline") | advertiser welfare | exposure Gini | Jain index |\n"
        md += "|---|---|---|---|---|---|---|\n"
        for p in s.policies {
            let change = p.vsBaseline.map { Format.relativeEstimate($0.revenueRelative) } ?? "baseline"
            md += "| \(p.name) | \(p.ranker) | \(Format.moneyEstimate(p.revenue)) | \(change) | \(Format.moneyEstimate(p.advertiserWelfare)) "
            md += "| \(Format.plainEstimate(p.fairness.exposureGini)) | \(Format.plainEstimate(p.fairness.jain)) |\n"
        }
        md += table("Spend delivery by tier (spend ÷ budget)", s, groups) { Format.percentEstimate($0.spendDelivery) }
        md += table("Exposure share by tier (share of position-weighted impressions)", s, groups) { Format.percentEstimate($0.exposureShare) }
        md += table("Ranker calibration by tier (predicted ÷ observed clicks; below 1 = under-scored)", s, groups) {
            $0.calibration.map { Format.plainEstimate($0, digits: 2) } ?? "–"
        }
        md += table("Ranker AUC on each tier's impressions", s, groups) { $0.auc.map { Format.plainEstimate($0) } ?? "–" }
        md += table("Ranker log-loss on each tier's impressions", s, groups) { $0.logloss.map { Format.plainEstimate($0, digits: 4) } ?? "–" }

        md += cohortTable(s)
        md += "\n## How to read this\n\n"
        md += "- *Spend delivery*: the share of their budgets advertisers managed to spend. Low delivery for a tier means it bought traffic it did not get.\n"
        md += "- *Exposure share*: a tier's share of all impressions, each weighted by how often its slot is looked at. The tiers (without `new`) add up to 100%; `new` counts advertisers that entered during the run, whatever their tier.\n"
        md += "- Changes are paired against the first policy on the same simulated traffic and are only called changes when their interval excludes zero.\n"
        md += "- Data: `metrics.json` (all figures), `advertisers.csv`, `timeseries.csv`.\n"
        return md
    }

    /// Conversions and order value per cohort (shown when the scenario has more than one cohort).
    private static func cohortTable(_ s: RunSummary) -> String {
        guard let names = s.policies.first?.cohorts.keys.sorted(), names.count > 1 else { return "" }
        var md = "\n## Outcomes by user cohort (conversions · order value; ranked for)\n\n| policy | "
        md += names.joined(separator: " | ") + " |\n|---|" + names.map { _ in "---|" }.joined() + "\n"
        for p in s.policies {
            md += "| \(p.name) | " + names.map { n in
                guard let c = p.cohorts[n] else { return "–" }
                return "\(Format.moneyEstimate(c.conversions)) · \(Format.moneyEstimate(c.orderValue)); \(c.objective)"
            }.joined(separator: " | ") + " |\n"
        }
        return md
    }

    private static func table(_ title: String, _ s: RunSummary, _ groups: [String], _ cell: (TierSummary) -> String) -> String {
        var md = "\n## \(title)\n\n| policy | " + groups.joined(separator: " | ") + " |\n|---|" + groups.map { _ in "---|" }.joined() + "\n"
        for p in s.policies {
            md += "| \(p.name) | " + groups.map { g in p.tiers[g].map(cell) ?? "–" }.joined(separator: " | ") + " |\n"
        }
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
            let r = cmp.revenueRelative
            if r.excludesZero {
                out.append("**\(p.name)** \(r.mean > 0 ? "earned" : "cost") \(String(format: "%.1f%%", abs(r.mean) * 100)) \(r.mean > 0 ? "more" : "of") revenue (\(Format.relativeEstimate(r))) compared with \(base.name).")
            } else {
                out.append("**\(p.name)**: no revenue difference from \(base.name) that the replicates can distinguish (\(Format.relativeEstimate(r))).")
            }
        }
        return out
    }
}
