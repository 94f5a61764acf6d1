import Foundation
import Scenario
import Simulation
import Stochastics

/// Builds the report's sections — charts and their tables — from a run's saved data.
public enum ReportSections {
    public static func build(_ d: ReportData) -> [ReportSection] {
        [overview(d), spendDelivery(d), exposureOverTime(d), tradeOff(d), exploration(d), fairness(d), lorenz(d), ramp(d), calibration(d)].compactMap { $0 }
    }

    static func color(_ d: ReportData, policy: String) -> String { Palette.color(d.policyNames.firstIndex(of: policy) ?? 0) }
    static func color(_ d: ReportData, group: String) -> String { Palette.color(d.groups.firstIndex(of: group) ?? 0) }

    static func overview(_ d: ReportData) -> ReportSection {
        let base = d.summary.policies.first?.name ?? "baseline"
        let rows = d.summary.policies.map { p in
            [p.name, p.ranker, Format.moneyEstimate(p.revenue),
             p.vsBaseline.map { Format.relativeEstimate($0.revenueRelative) } ?? "baseline",
             Format.moneyEstimate(p.advertiserWelfare), Format.plainEstimate(p.fairness.exposureGini), Format.plainEstimate(p.fairness.jain)]
        }
        var tables = [ReportTable(header: ["policy", "ranker", "revenue", "change vs \(base)", "advertiser welfare", "exposure Gini", "Jain index"], rows: rows)]
        let cohorts = d.summary.policies.first?.cohorts.keys.sorted() ?? []
        if cohorts.count > 1 {
            tables.append(ReportTable(header: ["policy"] + cohorts.map { "\($0): conversions · order value (ranked for)" },
                                      rows: d.summary.policies.map { p in
                [p.name] + cohorts.map { c in
                    p.cohorts[c].map { "\(Format.moneyEstimate($0.conversions)) · \(Format.moneyEstimate($0.orderValue)) (\($0.objective))" } ?? "–"
                }
            }))
        }
        return ReportSection(id: "overview", title: "Revenue, welfare and fairness",
                             lead: "Platform revenue is what advertisers were charged; advertiser welfare is the value of their conversions minus that spend. Gini (0 = equal) and Jain (1 = equal) measure how evenly exposure is spread across advertisers.",
                             figures: [], tables: tables)
    }

    static func spendDelivery(_ d: ReportData) -> ReportSection {
        let title = "Spend delivery by tier"
        let svg = Chart.bars(title: title, categories: d.groups, y: AxisSpec("spend ÷ budget", format: .percent),
                             series: d.summary.policies.map { p in (p.name, color(d, policy: p.name), d.groups.map { p.tiers[$0]?.spendDelivery }) })
        return ReportSection(id: "spend-delivery", title: title,
                             lead: "The share of their budgets each tier managed to spend. Low delivery means advertisers bought traffic they did not get.",
                             figures: [ReportFigure(file: "spend-delivery", title: title, svg: svg)],
                             tables: [groupTable(d) { Format.percentEstimate($0.spendDelivery) }])
    }

    static func groupTable(_ d: ReportData, _ cell: (TierSummary) -> String) -> ReportTable {
        ReportTable(header: ["policy"] + d.groups, rows: d.summary.policies.map { p in [p.name] + d.groups.map { g in p.tiers[g].map(cell) ?? "–" } })
    }

    /// Exposure share per group in windows of a few hours, mean and 95% band over replicates.
    static func exposureOverTime(_ d: ReportData) -> ReportSection? {
        let hours = d.hourlyExposure.values.first?.values.first?.count ?? 0
        guard hours > 0 else { return nil }
        let window = hours <= 48 ? 3 : hours <= 24 * 7 ? 6 : 24
        let tierCount = d.groups.count - 1
        var figures: [ReportFigure] = []
        var rows: [[String]] = []
        let files = ChartFileNames.unique(d.policyNames)
        for policy in d.policyNames {
            guard let reps = d.hourlyExposure[policy] else { continue }
            var series: [LineSeries] = []
            for (g, group) in d.groups.enumerated() {
                var points: [LinePoint] = []
                for start in stride(from: 0, to: hours, by: window) {
                    let shares = reps.keys.sorted().map { r -> Double in
                        let rows = reps[r]![start..<min(start + window, reps[r]!.count)]
                        let total = rows.reduce(0) { $0 + $1[0..<tierCount].reduce(0, +) }
                        return total > 0 ? rows.reduce(0) { $0 + $1[g] } / total : .nan
                    }
                    let e = Statistics.estimate(shares)
                    guard e.count > 0 else { continue }
                    points.append(LinePoint(x: (Double(start) + Double(window) / 2) / 24, y: e.mean, lower: e.lower, upper: e.upper))
                }
                series.append(LineSeries(name: group, color: color(d, group: group), points: points))
            }
            let title = "Exposure share over time — \(policy)"
            figures.append(ReportFigure(file: "exposure-\(files[policy]!)", title: title,
                                        svg: Chart.line(title: title, x: AxisSpec("day of the run"), y: AxisSpec("share of exposure", format: .percent, fixed: 0...1),
                                                        series: series, note: "\(window)-hour windows; bands: 95% CI")))
            for day in 0..<Int((Double(hours) / 24).rounded(.up)) {
                let shares = d.groups.indices.map { g -> String in
                    let values = reps.keys.sorted().map { r -> Double in
                        let rows = reps[r]![(day * 24)..<min(day * 24 + 24, reps[r]!.count)]
                        let total = rows.reduce(0) { $0 + $1[0..<tierCount].reduce(0, +) }
                        return total > 0 ? rows.reduce(0) { $0 + $1[g] } / total : .nan
                    }
                    return Format.percentEstimate(Statistics.estimate(values))
                }
                rows.append([policy, String(day + 1)] + shares)
            }
        }
        return ReportSection(id: "exposure-over-time", title: "Who gets exposure, over time",
                             lead: "Each tier's share of position-weighted impressions through the run, one panel per policy. The tiers add up to 100%; \"new\" counts advertisers that entered during the run.",
                             figures: figures, tables: [ReportTable(header: ["policy", "day"] + d.groups, rows: rows)])
    }

    static func tradeOff(_ d: ReportData) -> ReportSection {
        let tier = d.focusTier
        let title = "Revenue against \(tier)-tier spend delivery"
        let points = d.summary.policies.compactMap { p -> (String, String, Estimate, Estimate)? in
            guard let delivery = p.tiers[tier]?.spendDelivery else { return nil }
            return (p.name, color(d, policy: p.name), delivery, p.revenue)
        }
        let svg = Chart.scatter(title: title, x: AxisSpec("\(tier)-tier spend delivery", format: .percent),
                                y: AxisSpec("platform revenue", format: .money), points: points)
        return ReportSection(id: "trade-off", title: "What fairness costs", lead: "One point per policy: up and to the right is better for both the platform and \(tier) advertisers.",
                             figures: [ReportFigure(file: "trade-off", title: title, svg: svg)],
                             tables: [ReportTable(header: ["policy", "\(tier)-tier spend delivery", "revenue"],
                                                  rows: points.map { [$0.0, Format.percentEstimate($0.2), Format.moneyEstimate($0.3)] })])
    }

    /// Exploration rate against discovery and delivery, for the policies sharing the explorers'
    /// ranker (those without an explorer count as rate 0).
    static func exploration(_ d: ReportData) -> ReportSection? {
        let explorers = d.summary.policies.filter { $0.explorer != nil }
        guard let first = explorers.first else { return nil }
        let family = d.summary.policies.filter { $0.ranker == first.ranker && $0.objective == first.objective }
            .sorted { ($0.explorer?.rate ?? 0) < ($1.explorer?.rate ?? 0) }
        func points(_ value: (PolicySummary) -> Estimate?) -> [LinePoint] {
            family.compactMap { p in value(p).map { LinePoint(x: (p.explorer?.rate ?? 0) * 100, y: $0.mean, lower: $0.lower, upper: $0.upper) } }
        }
        let tier = d.focusTier
        var figures: [ReportFigure] = []
        if family.count > 1 {
            let title = "Spend delivery against exploration rate"
            figures.append(ReportFigure(file: "exploration-delivery", title: title, svg: Chart.line(
                title: title, x: AxisSpec("share of requests explored (%)"), y: AxisSpec("spend ÷ budget", format: .percent),
                series: [LineSeries(name: "new advertisers", color: color(d, group: RunSummary.newGroup), points: points { $0.tiers[RunSummary.newGroup]?.spendDelivery }),
                         LineSeries(name: "\(tier) tier", color: color(d, group: tier), points: points { $0.tiers[tier]?.spendDelivery })],
                note: "bands: 95% CI")))
            let hitsTitle = "New hits found against exploration rate"
            figures.append(ReportFigure(file: "exploration-hits", title: hitsTitle, svg: Chart.line(
                title: hitsTitle, x: AxisSpec("share of requests explored (%)"), y: AxisSpec("hits per run"),
                series: [LineSeries(name: "hits found", color: Palette.color(2), points: points { $0.exploration.hitsFound })],
                note: "new ads of top-quartile true quality that reached regular traffic")))
        }
        let rows = d.summary.policies.map { p -> [String] in
            let e = p.exploration
            let config = p.explorer.map { "\($0.algorithm.rawValue), \(Format.percent($0.rate, digits: 0)) of requests, pool \($0.pool), \($0.pricing.rawValue) pricing" } ?? "none"
            return [p.name, config, Format.percentEstimate(e.impressionShare),
                    e.cost.map { Format.relativeEstimate($0) } ?? "–",
                    Format.plainEstimate(e.hitsFound, digits: 1), Format.percentEstimate(e.newAdsWithClick),
                    Format.plainEstimate(e.hoursToFirstClick, digits: 1), e.graduationRate.map { Format.percentEstimate($0) } ?? "–",
                    p.regretVsOracle.map { Format.moneyEstimate($0) } ?? "–"]
        }
        return ReportSection(id: "exploration", title: "What exploration buys",
                             lead: "The explorer hands a slot in a share of requests to an ad from its pool. Revenue change is paired against the same policy without an explorer; hits are new ads of top-quartile true quality, live at least a day, that won regular auctions at the median rate of established ads of their tier; regret is expected clicks lost against the oracle ranker on the same traffic.",
                             figures: figures,
                             tables: [ReportTable(header: ["policy", "explorer", "explored impressions", "revenue change vs no explorer", "hits found",
                                                           "new ads with a click", "hours to first click", "graduated", "regret (expected clicks)"], rows: rows)])
    }

    /// Exposure for merit: the disparity's time path per policy and each control's cost.
    static func fairness(_ d: ReportData) -> ReportSection? {
        guard !d.hourlyDisparity.isEmpty else { return nil }
        let hours = d.hourlyDisparity.values.first?.values.first?.count ?? 0
        let step = hours <= 48 ? 3 : 6
        let series = d.policyNames.compactMap { policy -> LineSeries? in
            guard let reps = d.hourlyDisparity[policy] else { return nil }
            let points = stride(from: step - 1, to: hours, by: step).compactMap { h -> LinePoint? in
                let e = Statistics.estimate(reps.keys.sorted().compactMap { reps[$0]!.count > h ? reps[$0]![h] : nil })
                return e.count > 0 ? LinePoint(x: Double(h + 1) / 24, y: e.mean, lower: e.lower, upper: e.upper) : nil
            }
            return LineSeries(name: policy, color: color(d, policy: policy), points: points)
        }
        let title = "Exposure-for-merit disparity between tiers"
        let svg = Chart.line(title: title, x: AxisSpec("day of the run"), y: AxisSpec("(max − min) / mean of exposure ÷ merit"),
                             series: series, note: "0 = each tier's exposure proportional to its merit; cumulative from the start")
        let rows = d.summary.policies.map { p -> [String] in
            let f = p.fairness
            return [p.name, p.fairnessControl.map(describe) ?? "none", Format.plainEstimate(f.disparity), Format.plainEstimate(f.disparityEstimated),
                    Format.plainEstimate(f.disparityNew), Format.plainEstimate(f.disparateTreatmentRatio, digits: 2),
                    f.floorAttainment.map { Format.percentEstimate($0) } ?? "–",
                    p.fairnessCost.map { Format.relativeEstimate($0.revenue) } ?? "–",
                    p.fairnessCost.map { Format.relativeEstimate($0.advertiserWelfare) } ?? "–"]
        }
        return ReportSection(id: "fairness", title: "Is exposure proportional to merit?",
                             lead: "For each tier, exposure per active ad divided by merit (the mean bid × click rate of its ads among the candidates considered, measured on one request in eight). Disparity 0 means every tier gets exposure in proportion to its merit; the estimated column uses the ranker's click rates, as a platform would. Costs are paired against the same policy without the control.",
                             figures: [ReportFigure(file: "disparity", title: title, svg: svg)],
                             tables: [ReportTable(header: ["policy", "control", "disparity (true merit)", "disparity (estimated merit)", "new vs established",
                                                           "treatment ratio (max ÷ min)", "floor met in windows", "revenue change", "welfare change"], rows: rows)])
    }

    static func describe(_ c: FairnessControl) -> String {
        switch c {
        case .exposureFloor(let group, let share, let window): return "exposure floor: \(group) ≥ \(Format.percent(share, digits: 0)) per \(Format.number(window)) h"
        case .fairco(let lambda, let merit): return "FairCo λ = \(Format.number(lambda)), \(merit.rawValue) merit"
        case .tierCalibrated(let prior): return "tier calibration (prior \(Format.number(prior)) clicks)"
        }
    }

    /// Lorenz curves of exposure across advertisers, averaged over replicates at fixed population shares.
    static func lorenz(_ d: ReportData) -> ReportSection? {
        guard !d.advertiserExposure.isEmpty else { return nil }
        let grid = (0...50).map { Double($0) / 50 }
        var series: [LineSeries] = []
        var rows: [[String]] = []
        for p in d.summary.policies {
            guard let reps = d.advertiserExposure[p.name] else { continue }
            let curves = reps.keys.sorted().map { lorenzAt(grid, reps[$0]!) }
            let mean = grid.indices.map { i in Statistics.mean(curves.map { $0[i] }) }
            series.append(LineSeries(name: "\(p.name) (Gini \(String(format: "%.2f", p.fairness.exposureGini.mean)))",
                                     color: color(d, policy: p.name), points: zip(grid, mean).map { LinePoint(x: $0, y: $1) }))
            rows.append([p.name, Format.plainEstimate(p.fairness.exposureGini), Format.plainEstimate(p.fairness.jain),
                         Format.percent(mean[25]), Format.percent(1 - mean[45])])
        }
        let title = "Lorenz curve of exposure across advertisers"
        let svg = Chart.line(title: title, x: AxisSpec("share of advertisers (least exposed first)", format: .percent, fixed: 0...1),
                             y: AxisSpec("share of exposure", format: .percent, fixed: 0...1), series: series,
                             reference: [LinePoint(x: 0, y: 0), LinePoint(x: 1, y: 1)], note: "dashed: equal exposure")
        return ReportSection(id: "lorenz", title: "How concentrated is exposure?",
                             lead: "The further a curve sags below the diagonal, the more exposure goes to a few advertisers.",
                             figures: [ReportFigure(file: "lorenz", title: title, svg: svg)],
                             tables: [ReportTable(header: ["policy", "exposure Gini", "Jain index", "bottom 50% hold", "top 10% hold"], rows: rows)])
    }

    /// Lorenz curve of `values` evaluated at population shares `grid` (linear between advertisers).
    static func lorenzAt(_ grid: [Double], _ values: [Double]) -> [Double] {
        let cumulative = [0] + Inequality.lorenz(values)
        let n = Double(values.count)
        return grid.map { p in
            guard n > 0 else { return p }
            let position = p * n, i = min(Int(position), values.count - 1)
            return cumulative[i] + (position - Double(i)) * (cumulative[i + 1] - cumulative[i])
        }
    }

    /// New advertisers' cumulative impressions, clicks and spend per entrant by days since entry.
    static func ramp(_ d: ReportData) -> ReportSection? {
        guard !d.ramp.isEmpty else { return nil }
        let measures: [(String, String, KeyPath<RampRow, Double>, ValueFormat)] = [
            ("impressions", "impressions per entrant", \.impressions, .plain),
            ("clicks", "clicks per entrant", \.clicks, .plain),
            ("spend", "spend per entrant", \.spend, .plain)]
        var figures: [ReportFigure] = []
        var rows: [[String]] = []
        var curves: [String: [String: [LinePoint]]] = [:]
        for (key, label, path, format) in measures {
            var series: [LineSeries] = []
            for policy in d.policyNames {
                guard let reps = d.ramp[policy] else { continue }
                // Ages every replicate observed with at least 3 entrants.
                let perRep = reps.keys.sorted().map { r in reps[r]!.map { RampRow(hour: $0.hour, entrants: $0.entrants, impressions: $0.impressions, clicks: $0.clicks, spend: $0.spend) } }
                let maxAge = perRep.map { rows in rows.filter { $0.entrants >= 3 }.map(\.hour).max() ?? -1 }.min() ?? -1
                guard maxAge >= 0 else { continue }
                let cumulative = perRep.map { rows -> [Double] in
                    var total = 0.0, out: [Double] = []
                    for h in 0...maxAge {
                        if let row = rows.first(where: { $0.hour == h }), row.entrants > 0 { total += row[keyPath: path] / row.entrants }
                        out.append(total)
                    }
                    return out
                }
                let points = (0...maxAge).map { h -> LinePoint in
                    let e = Statistics.estimate(cumulative.map { $0[h] })
                    return LinePoint(x: Double(h + 1) / 24, y: e.mean, lower: e.lower, upper: e.upper)
                }
                curves[policy, default: [:]][key] = points
                series.append(LineSeries(name: policy, color: color(d, policy: policy), points: points))
            }
            guard !series.isEmpty else { return nil }
            let title = "New advertisers: cumulative \(key)"
            figures.append(ReportFigure(file: "ramp-\(key)", title: title,
                                        svg: Chart.line(title: title, x: AxisSpec("days since entry"), y: AxisSpec(label, format: format), series: series, note: "bands: 95% CI")))
        }
        for policy in d.policyNames {
            guard let c = curves[policy], let imps = c["impressions"] else { continue }
            for day in stride(from: 1, through: Int(imps.last.map { $0.x } ?? 0), by: 1) {
                let h = day * 24 - 1
                guard h < imps.count else { break }
                rows.append([policy, String(day)] + ["impressions", "clicks", "spend"].map { k in
                    c[k].map { String(format: "%.1f (%.1f–%.1f)", $0[h].y, $0[h].lower ?? $0[h].y, $0[h].upper ?? $0[h].y) } ?? "–"
                })
            }
        }
        return ReportSection(id: "ramp", title: "How fast do new advertisers ramp up?",
                             lead: "Average cumulative impressions, clicks and spend of an advertiser that entered during the run, by time since its entry (ages every replicate observed with at least 3 entrants).",
                             figures: figures, tables: [ReportTable(header: ["policy", "days since entry", "impressions", "clicks", "spend"], rows: rows)])
    }

    struct RampRow { var hour: Int; var entrants, impressions, clicks, spend: Double }

    static func calibration(_ d: ReportData) -> ReportSection? {
        guard !d.calibration.isEmpty else { return nil }
        var figures: [ReportFigure] = []
        let files = ChartFileNames.unique(d.groups)
        for group in d.groups {
            let series = d.policyNames.compactMap { policy -> LineSeries? in
                guard let points = d.calibration[policy]?[group]?.filter({ $0.count >= 200 }), !points.isEmpty else { return nil }
                return LineSeries(name: policy, color: color(d, policy: policy), points: points.map { LinePoint(x: $0.predicted, y: $0.observed) })
            }
            guard !series.isEmpty else { continue }
            let top = series.flatMap(\.points).flatMap { [$0.x, $0.y] }.max() ?? 1
            let title = "Ranker calibration — \(group)"
            figures.append(ReportFigure(file: "calibration-\(files[group]!)", title: title,
                                        svg: Chart.line(title: title, x: AxisSpec("predicted click probability"), y: AxisSpec("observed click rate"),
                                                        series: series, reference: [LinePoint(x: 0, y: 0), LinePoint(x: top, y: top)],
                                                        note: "dashed: perfect calibration; bins with ≥ 200 impressions")))
        }
        guard !figures.isEmpty else { return nil }
        var tables = [groupTable(d) { t in
            [t.calibration.map { "calibration \(Format.plainEstimate($0, digits: 2))" }, t.auc.map { "AUC \(Format.plainEstimate($0))" },
             t.logloss.map { "log-loss \(Format.plainEstimate($0, digits: 4))" }]
                .compactMap { $0 }.joined(separator: "; ")
        }]
        let compared = d.summary.policies.filter { $0.rankerComparison != nil }
        if !compared.isEmpty {
            tables.append(ReportTable(header: ["policy", "compared with"] + d.groups.map { "\($0): log-loss change · AUC change" },
                                      rows: compared.map { p in
                let c = p.rankerComparison!
                return [p.name, c.baseline] + d.groups.map { g in
                    c.tiers[g].map { "\(Format.signedEstimate($0.logloss)) · \(Format.signedEstimate($0.auc))" } ?? "–"
                }
            }))
        }
        return ReportSection(id: "calibration", title: "Does the ranker score each tier fairly?",
                             lead: "Predicted against observed click rate on the impressions each ranker served. Points below the diagonal: the ranker over-predicts; above: it under-scores the tier, which costs it auctions. Calibration is predicted ÷ observed clicks. For rankers with personal blocks, the second table pairs their log-loss and AUC with the global ranker they build on, per replicate (negative log-loss change: better predictions).",
                             figures: figures, tables: tables)
    }

}
