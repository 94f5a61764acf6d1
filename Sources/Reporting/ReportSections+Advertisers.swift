import Foundation
import Simulation
import Stochastics

extension ReportSections {
    /// Autobidders per tier: realised CPA and ROAS against target, AuctionNet's score and the bid
    /// landscape (nil when every advertiser bids a fixed price per click).
    static func autobidding(_ d: ReportData) -> ReportSection? {
        let policies = d.summary.policies.filter { $0.autobidding != nil }
        guard !policies.isEmpty else { return nil }
        let tiers = d.summary.scenario.tiers.filter { t in policies.contains { $0.autobidding?[t] != nil } }
        var rows: [[String]] = []
        for p in policies {
            for t in tiers {
                guard let a = p.autobidding?[t] else { continue }
                let target = a.target.map { a.strategy == "target-roas" ? "ROAS \(Format.number($0))" : "CPA \(Format.money($0))" } ?? "budget"
                rows.append([p.name, t, a.strategy, target, Format.moneyEstimate(a.realisedCPA), Format.plainEstimate(a.realisedROAS, digits: 2),
                             Format.percentEstimate(a.withinTarget), Format.compactEstimate(a.auctionNetScore),
                             Format.plainEstimate(a.bidPerClick), Format.plainEstimate(a.costPerClick), Format.percentEstimate(a.winRate),
                             Format.moneyEstimate(a.bidPerConversion)])
            }
        }
        let title = "Autobidders meeting their goal"
        let svg = Chart.bars(title: title, categories: tiers, y: AxisSpec("share within ±10% of target", format: .percent),
                             series: policies.map { p in (p.name, color(d, policy: p.name), tiers.map { p.autobidding?[$0]?.withinTarget }) },
                             note: "target-CPA/ROAS: cost per conversion within 10% of target; max-conversions: ≥ 90% of budget spent")
        return ReportSection(
            id: "autobidding", title: "How did the autobidders do?",
            lead: "Autobidders bid the platform's predicted conversion rate times a bid per conversion that a controller moves every pacing interval: target-CPA and target-ROAS steer their recent cost per conversion to the target, max-conversions spends its budget evenly by dual descent. Realised CPA is the tier's spend ÷ its conversions (\(d.currency)); ROAS its conversions' value ÷ spend. AuctionNet's score counts conversions, discounted by (target ÷ realised CPA)² when the CPA overshoots. The bid landscape: mean bid and price per click, impressions per candidacy (win rate), and the median bid per conversion at the end.",
            figures: [ReportFigure(file: "autobidding", title: title, svg: svg)],
            tables: [ReportTable(header: ["policy", "tier", "strategy", "goal", "realised CPA", "realised ROAS", "within ±10% of goal",
                                          "AuctionNet score", "bid per click", "price per click", "win rate", "bid per conversion at the end"],
                                 rows: rows)])
    }

    /// Retention per tier, the market's budget and the revenue lost to churn (nil without
    /// `advertiserDynamics`).
    static func advertiserDynamics(_ d: ReportData) -> ReportSection? {
        let policies = d.summary.policies.filter { $0.dynamics != nil }
        guard !policies.isEmpty else { return nil }
        let tiers = d.summary.scenario.tiers
        var figures: [ReportFigure] = []
        func points(_ days: [Double], _ values: [Estimate]) -> [LinePoint] {
            zip(days, values).map { LinePoint(x: $0, y: $1.mean, lower: $1.lower, upper: $1.upper) }
        }
        for (i, t) in tiers.enumerated() {
            let title = "Retention: \(t) advertisers still in the market"
            let series = policies.enumerated().map { k, p in
                LineSeries(name: p.name, color: color(d, policy: p.name), points: points(p.dynamics!.days, p.dynamics!.retention[t] ?? []),
                           dash: dashes[k % dashes.count])
            }
            figures.append(ReportFigure(file: "retention-\(i)", title: title,
                                        svg: Chart.line(title: title, x: AxisSpec("day", fixed: horizon(d)), y: AxisSpec("share of the tier's advertisers at the start", format: .percent, fixed: 0...1),
                                                        series: series, note: "bands: 95% CI; entrants are not counted")))
        }
        let budgetTitle = "Daily budget in the market"
        figures.append(ReportFigure(file: "market-budget", title: budgetTitle, svg: Chart.line(
            title: budgetTitle, x: AxisSpec("day", fixed: horizon(d)), y: AxisSpec("Σ daily budgets (\(d.currency))"),
            series: policies.enumerated().map { k, p in
                LineSeries(name: p.name, color: color(d, policy: p.name), points: points(p.dynamics!.days, p.dynamics!.marketBudget), dash: dashes[k % dashes.count])
            }, note: "bands: 95% CI; advertisers in the market, incumbents and entrants")))
        let lost = policies.compactMap { p in p.dynamics!.revenueLostToChurn.map { (name: p.name, color: color(d, policy: p.name), value: $0) } }
        if !lost.isEmpty {
            let title = "Revenue lost to churn"
            figures.append(ReportFigure(file: "revenue-lost-to-churn", title: title, svg: Chart.intervals(
                title: title, x: AxisSpec("share of the revenue without churn", format: .percent), groups: [("lost to churn", lost)],
                note: "paired per replicate: the same policy, world and traffic with advertisers who never leave")))
        }
        let base = d.summary.policies.first?.name ?? "baseline"
        let rows = policies.map { p -> [String] in
            let dy = p.dynamics!
            return [p.name] + tiers.map { t in dy.retention[t]?.last.map(Format.percentEstimate) ?? "–" }
                + tiers.map { t in dy.churned[t].map { Format.plainEstimate($0, digits: 1) } ?? "–" }
                + [Format.moneyEstimate(p.revenue),
                   dy.cumulativeRevenueWithoutChurn?.last.map(Format.moneyEstimate) ?? "–",
                   dy.revenueLostToChurn.map(Format.percentEstimate) ?? "–",
                   Format.moneyEstimate(dy.finalPeriodRevenue),
                   dy.finalPeriodRevenueVsBaseline.map(Format.relativeEstimate) ?? "baseline"]
        }
        let header = ["policy"] + tiers.map { "\($0): retained at the end" } + tiers.map { "\($0): advertisers who left" }
            + ["revenue (\(period(d)))", "revenue without churn", "lost to churn", "revenue of the last review period", "last period vs \(base)"]
        let counterfactual = policies.contains { $0.dynamics!.revenueLostToChurn != nil }
        return ReportSection(
            id: "advertiser-dynamics", title: "Which advertisers stay, and what does churn cost?",
            lead: "Every review period each advertiser compares the share of its budget it spent and its return on spend with its tier's expectations and may leave (a logistic rule, docs/advertiser-dynamics.md); survivors that spent their budget at a good return raise it, those below their expected return cut it. Retention counts the advertisers present at the start. \(counterfactual ? "Revenue lost to churn compares each policy with itself on the same replicates when nobody leaves (budgets still move)." : "The run without churn was switched off (advertiserDynamics.counterfactual: false), so the revenue lost to churn is not measured.") The last review period's revenue is the market's long-run rate, paired against \(base).",
            figures: figures, tables: [ReportTable(header: header, rows: rows)])
    }
}
