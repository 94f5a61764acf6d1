import Foundation
import Scenario
import Simulation
import Stochastics

/// Builds the report's sections — charts and their tables — from a run's saved data.
public enum ReportSections {
    public static func build(_ d: ReportData) -> [ReportSection] {
        [overview(d), spendDelivery(d), advertiserDynamics(d), autobidding(d), exposureOverTime(d), tradeOff(d), exploration(d), drillDown(d), fairness(d), lorenz(d), ramp(d),
         calibration(d), footprint(d)]
            .compactMap { $0 }.map(withoutEmptyColumns)
    }

    /// The section with every table column dropped whose cells are all "–" or all "none" (a
    /// control or comparison the scenario does not use).
    static func withoutEmptyColumns(_ section: ReportSection) -> ReportSection {
        var section = section
        section.tables = section.tables.map { t in
            guard !t.rows.isEmpty else { return t }
            let keep = t.header.indices.filter { c in
                c == 0 || !(t.rows.allSatisfy { $0[c] == "–" } || t.rows.allSatisfy { $0[c] == "none" })
            }
            return ReportTable(header: keep.map { t.header[$0] }, rows: t.rows.map { row in keep.map { row[$0] } })
        }
        return section
    }

    /// "money units over 3 days".
    static func period(_ d: ReportData) -> String { "\(d.currency) over \(Format.number(d.summary.scenario.days)) days" }

    /// The x domain of charts against time in the run: the horizon, never past it.
    static func horizon(_ d: ReportData) -> ClosedRange<Double> { 0...max(d.summary.scenario.days, 1e-9) }

    /// The label of group `g` in charts: `new` is marked as overlapping the tiers.
    static func label(_ g: String) -> String { g == RunSummary.newGroup ? "new (within the tiers)" : g }

    static func color(_ d: ReportData, policy: String) -> String { Palette.color(d.policyNames.firstIndex(of: policy) ?? 0) }
    static func color(_ d: ReportData, group: String) -> String { Palette.color(d.groups.firstIndex(of: group) ?? 0) }

    static func overview(_ d: ReportData) -> ReportSection {
        let base = d.summary.policies.first?.name ?? "baseline"
        let rows = d.summary.policies.map { p in
            [p.name, p.ranker, Format.moneyEstimate(p.revenue),
             p.vsBaseline.map { Format.relativeEstimate($0.revenueRelative) } ?? "baseline",
             Format.moneyEstimate(p.advertiserWelfare), Format.plainEstimate(p.fairness.exposureGini), Format.plainEstimate(p.fairness.jain)]
        }
        var tables = [ReportTable(header: ["policy", "ranker", "revenue (\(period(d)))", "revenue change vs \(base)", "advertiser welfare (\(d.currency))",
                                           "exposure Gini", "Jain index"], rows: rows)]
        let cohorts = d.summary.policies.first?.cohorts.keys.sorted() ?? []
        if cohorts.count > 1 {
            tables.append(ReportTable(header: ["policy"] + cohorts.map { "\($0): conversions · order value (ranked for)" },
                                      rows: d.summary.policies.map { p in
                [p.name] + cohorts.map { c in
                    p.cohorts[c].map { "\(Format.moneyEstimate($0.conversions)) · \(Format.moneyEstimate($0.orderValue)) (\($0.objective))" } ?? "–"
                }
            }))
        }
        if let adgroups = adgroupTable(d) { tables.append(adgroups) }
        var figures: [ReportFigure] = []
        let compared = d.summary.policies.dropFirst().filter { $0.vsBaseline != nil }
        if !compared.isEmpty {
            let title = "Revenue and welfare: paired change vs \(base)"
            let groups: [(label: String, rows: [(name: String, color: String, value: Estimate)])] = [
                ("revenue", compared.map { ($0.name, color(d, policy: $0.name), $0.vsBaseline!.revenueRelative) }),
                ("advertiser welfare", compared.compactMap { p in p.vsBaseline!.advertiserWelfareRelative.map { (p.name, color(d, policy: p.name), $0) } }),
            ].filter { !$0.rows.isEmpty }
            figures.append(ReportFigure(file: "paired-revenue", title: title,
                                        svg: Chart.intervals(title: title, x: AxisSpec("change relative to \(base)", format: .percent), groups: groups)))
        }
        return ReportSection(id: "overview", title: "Revenue, welfare and fairness",
                             lead: "Platform revenue is what advertisers were charged (\(period(d))); advertiser welfare is the value of their conversions minus that spend. Gini (0 = equal) and Jain (1 = equal) measure how evenly exposure is spread across advertisers. The chart shows each policy's change against \(base), paired per replicate.",
                             figures: figures, tables: tables)
    }

    /// Delivery by adgroup objective (nil unless the scenario declares adgroups): per targeted
    /// cohort, conversions · order value, the share of impressions reaching the target, and spend
    /// delivery against the adgroups' own caps when they have them.
    static func adgroupTable(_ d: ReportData) -> ReportTable? {
        let targets = d.summary.policies.first?.adgroups?.keys.sorted() ?? []
        guard !targets.isEmpty else { return nil }
        return ReportTable(header: ["policy"] + targets.map { "adgroups targeting \($0): conversions · order value · on target · delivery" },
                           rows: d.summary.policies.map { p in
            [p.name] + targets.map { t in
                p.adgroups?[t].map { a in
                    "\(Format.moneyEstimate(a.conversions)) · \(Format.moneyEstimate(a.orderValue)) · \(Format.percentEstimate(a.onTargetShare))"
                        + (a.spendDelivery.map { " · \(Format.percentEstimate($0))" } ?? " · –") + " (\(a.objective))"
                } ?? "–"
            }
        })
    }

    static func spendDelivery(_ d: ReportData) -> ReportSection {
        let title = "Spend delivery by tier"
        let svg = Chart.bars(title: title, categories: d.groups.map { $0 == RunSummary.newGroup ? "new*" : $0 }, y: AxisSpec("spend ÷ budget", format: .percent),
                             series: d.summary.policies.map { p in (p.name, color(d, policy: p.name), d.groups.map { p.tiers[$0]?.spendDelivery }) },
                             note: "whiskers: 95% CI of each policy alone. *new: entrants, also in their tier")
        var figures = [ReportFigure(file: "spend-delivery", title: title, svg: svg)]
        let base = d.summary.policies.first?.name ?? "baseline"
        let compared = d.summary.policies.dropFirst().filter { $0.vsBaseline != nil }
        let shown = d.hasEntrants ? [d.focusTier, RunSummary.newGroup] : [d.focusTier]
        if !compared.isEmpty {
            var groups: [(label: String, rows: [(name: String, color: String, value: Estimate)])] = []
            for g in shown {
                let who = g == RunSummary.newGroup ? "new advertisers" : "\(g) tier"
                groups.append(("\(who): delivery", compared.compactMap { p in p.vsBaseline!.tiers[g].map { (p.name, color(d, policy: p.name), $0.spendDelivery) } }))
                groups.append(("\(who): exposure", compared.compactMap { p in p.vsBaseline!.tiers[g].map { (p.name, color(d, policy: p.name), $0.exposureShare) } }))
            }
            if d.hasEntrants {
                groups.append(("new ads with a click", compared.compactMap { p in p.vsBaseline!.newAdsWithClick.map { (p.name, color(d, policy: p.name), $0) } }))
            }
            let pairedTitle = "Paired change vs \(base), in points"
            figures.append(ReportFigure(file: "paired-delivery", title: pairedTitle,
                                        svg: Chart.intervals(title: pairedTitle, x: AxisSpec("percentage points", format: .points),
                                                             groups: groups.filter { !$0.rows.isEmpty })))
        }
        return ReportSection(id: "spend-delivery", title: title,
                             lead: "The share of their budgets each tier managed to spend; low delivery means advertisers wanted traffic they did not get. Left: each policy alone, with intervals that overlap because worlds differ between replicates. Right: the paired differences the verdict rests on — each replicate's policies saw the same traffic, so these intervals are much narrower.",
                             figures: figures,
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
                series.append(LineSeries(name: label(group), color: color(d, group: group), points: points,
                                         dash: group == RunSummary.newGroup ? "5 3" : nil))
            }
            let title = "Exposure share over time — \(policy)"
            figures.append(ReportFigure(file: "exposure-\(files[policy]!)", title: title,
                                        svg: Chart.line(title: title, x: AxisSpec("day of the run", fixed: horizon(d)), y: AxisSpec("share of exposure", format: .percent, fixed: 0...1),
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
                             lead: "Each tier's share of position-weighted impressions through the run, one panel per policy. The tiers add up to 100%; the dashed \"new\" line counts advertisers that entered during the run, who are also inside their tier's line.",
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
                                y: AxisSpec("platform revenue (\(d.currency))", format: .money), points: points)
        return ReportSection(id: "trade-off", title: "What fairness costs", lead: "One point per policy: up and to the right is better for both the platform and \(tier) advertisers.",
                             figures: [ReportFigure(file: "trade-off", title: title, svg: svg)],
                             tables: [ReportTable(header: ["policy", "\(tier)-tier spend delivery", "revenue (\(period(d)))"],
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
                series: [LineSeries(name: "new advertisers", color: color(d, group: RunSummary.newGroup), points: points { $0.tiers[RunSummary.newGroup]?.spendDelivery }, markers: true),
                         LineSeries(name: "\(tier) tier", color: color(d, group: tier), points: points { $0.tiers[tier]?.spendDelivery }, markers: true)],
                note: "the rates measured; whiskers: 95% CI")))
            let hitsTitle = "New hits found against exploration rate"
            figures.append(ReportFigure(file: "exploration-hits", title: hitsTitle, svg: Chart.line(
                title: hitsTitle, x: AxisSpec("share of requests explored (%)"), y: AxisSpec("hits per run"),
                series: [LineSeries(name: "hits found", color: Palette.color(2), points: points { $0.exploration.hitsFound }, markers: true)],
                note: "the rates measured; new ads of top-quartile quality that reached regular traffic")))
        }
        let rows = d.summary.policies.map { p -> [String] in
            let e = p.exploration
            let slots = d.summary.scenario.slots
            let config = p.explorer.map {
                "\($0.algorithm.rawValue), \(Format.percent($0.rate, digits: 0)) of requests (one of \(slots) slots: ≈ \(Format.percent($0.rate / Double(slots))) of impressions), pool \($0.pool), \($0.pricing.rawValue) pricing"
                    + ($0.objective.map { ", learns \($0.rawValue)" } ?? "")
            } ?? "none"
            return [p.name, config, Format.percentEstimate(e.impressionShare),
                    e.cost.map { Format.relativeEstimate($0) } ?? "–",
                    Format.plainEstimate(e.hitsFound, digits: 1), Format.percentEstimate(e.newAdsWithClick),
                    Format.plainEstimate(e.hoursToFirstClick, digits: 1), e.graduationRate.map { Format.percentEstimate($0) } ?? "–",
                    p.regretVsOracle.map { Format.moneyEstimate($0) } ?? "–"]
        }
        return ReportSection(id: "exploration", title: "What exploration buys",
                             lead: "The explorer hands one slot in a share of requests (its rate) to an ad from its pool, so with \(d.summary.scenario.slots) slots about rate ÷ \(d.summary.scenario.slots) of impressions are explored (less when the pool is empty). Revenue change is paired against the same policy without an explorer; hits are new ads of top-quartile true quality, live at least a day, that won regular auctions at the median rate of established ads of their tier; regret is expected clicks lost against the oracle ranker on the same traffic.",
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
        let svg = Chart.line(title: title, x: AxisSpec("day of the run", fixed: horizon(d)), y: AxisSpec("(max − min) / mean of exposure ÷ merit"),
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
            let curves = reps.keys.sorted().map { Inequality.lorenz(reps[$0]!, at: grid) }
            let mean = grid.indices.map { i in Statistics.mean(curves.map { $0[i] }) }
            series.append(LineSeries(name: "\(p.name) (Gini \(String(format: "%.2f", p.fairness.exposureGini.mean)))",
                                     color: color(d, policy: p.name), points: zip(grid, mean).map { LinePoint(x: $0, y: $1) },
                                     dash: Self.dashes[series.count % Self.dashes.count]))
            rows.append([p.name, Format.plainEstimate(p.fairness.exposureGini), Format.plainEstimate(p.fairness.jain),
                         Format.percent(mean[25]), Format.percent(1 - mean[45])])
        }
        let title = "Lorenz curve of exposure across advertisers"
        let svg = Chart.line(title: title, x: AxisSpec("share of advertisers (least exposed first)", format: .percent, fixed: 0...1),
                             y: AxisSpec("share of exposure", format: .percent, fixed: 0...1), series: series,
                             reference: [LinePoint(x: 0, y: 0), LinePoint(x: 1, y: 1)], note: "dashed: equal exposure")
        return ReportSection(id: "lorenz", title: "How concentrated is exposure?",
                             lead: "The further a curve sags below the diagonal, the more exposure goes to a few advertisers. Curves that lie on top of each other mean the policies spread exposure alike; the table's Gini and shares tell them apart.",
                             figures: [ReportFigure(file: "lorenz", title: title, svg: svg)],
                             tables: [ReportTable(header: ["policy", "exposure Gini", "Jain index", "bottom 50% hold", "top 10% hold"], rows: rows)])
    }

    /// New advertisers' cumulative impressions, clicks and spend per entrant by days since entry.
    static func ramp(_ d: ReportData) -> ReportSection? {
        guard !d.ramp.isEmpty else { return nil }
        let measures: [(String, String, KeyPath<RampRow, Double>, ValueFormat)] = [
            ("impressions", "impressions per entrant", \.impressions, .plain),
            ("clicks", "clicks per entrant", \.clicks, .plain),
            ("spend", "spend per entrant (\(d.currency))", \.spend, .plain)]
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
                                        svg: Chart.line(title: title, x: AxisSpec("days since entry", fixed: horizon(d)), y: AxisSpec(label, format: format), series: series, note: "bands: 95% CI")))
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

    /// Line patterns that tell overlapping curves apart without colour.
    static let dashes: [String?] = [nil, "7 3", "2 3", "9 3 2 3"]

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
        var tables = [
            ReportTable(header: ["policy"] + d.groups.map { "\($0): calibration" }, rows: d.summary.policies.map { p in
                [p.name] + d.groups.map { g in p.tiers[g]?.calibration.map { Format.plainEstimate($0, digits: 2) } ?? "–" } }),
            ReportTable(header: ["policy"] + d.groups.map { "\($0): AUC" }, rows: d.summary.policies.map { p in
                [p.name] + d.groups.map { g in p.tiers[g]?.auc.map { Format.plainEstimate($0) } ?? "–" } }),
            ReportTable(header: ["policy"] + d.groups.map { "\($0): log-loss" }, rows: d.summary.policies.map { p in
                [p.name] + d.groups.map { g in p.tiers[g]?.logloss.map { Format.plainEstimate($0, digits: 4) } ?? "–" } }),
        ]
        let compared = d.summary.policies.filter { $0.rankerComparison != nil }
        if !compared.isEmpty {
            for (what, path) in [("log-loss change", \PredictionDifference.logloss), ("AUC change", \PredictionDifference.auc)] {
                tables.append(ReportTable(header: ["policy", "compared with"] + d.groups.map { "\($0): \(what)" },
                                          rows: compared.map { p in
                    let c = p.rankerComparison!
                    return [p.name, c.baseline] + d.groups.map { g in c.tiers[g].map { Format.signedEstimate($0[keyPath: path]) } ?? "–" }
                }))
            }
        }
        return ReportSection(id: "calibration", title: "Does the ranker score each tier fairly?",
                             lead: "Predicted against observed click rate on the impressions each ranker served. Points below the diagonal: the ranker over-predicts; above: it under-scores the tier, which costs it auctions. Calibration is predicted ÷ observed clicks. For rankers with personal blocks, the last two tables pair their log-loss and AUC with the global ranker they build on, per replicate (negative log-loss change: better predictions).",
                             figures: figures, tables: tables)
    }

}
