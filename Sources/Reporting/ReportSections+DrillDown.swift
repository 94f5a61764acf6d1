import Simulation
import Stochastics

extension ReportSections {
    /// Delivery bins of the drill-down: nothing spent, then quarters of the budget.
    static let deliveryBins: [(label: String, range: Range<Double>)] = [
        ("nothing", -1..<1e-12), ("under 25%", 1e-12..<0.25), ("25–50%", 0.25..<0.5), ("50–75%", 0.5..<0.75), ("75% and up", 0.75..<10)]

    /// A share's interval cut to [0, 1] for display (a t-interval of a few replicates can reach past it).
    static func share(_ e: Estimate) -> Estimate {
        var e = e
        e.ci95 = [max(0, e.lower), min(1, e.upper)]
        return e
    }

    /// Per tier, how spend delivery is spread over advertisers (how many got nothing), and the
    /// advertisers each deployable policy helped and hurt most against the baseline.
    static func drillDown(_ d: ReportData) -> ReportSection? {
        guard !d.advertiserRows.isEmpty, let base = d.summary.policies.first else { return nil }
        let tier = d.focusTier
        var figures: [ReportFigure] = []
        var tables: [ReportTable] = []
        // The focus tier's distribution of delivery, per policy: the share of its advertisers in each bin.
        let title = "How \(tier)-tier advertisers' delivery is spread"
        let series = d.summary.policies.compactMap { p -> (name: String, color: String, values: [Estimate?])? in
            guard let reps = d.advertiserRows[p.name] else { return nil }
            return (p.name, color(d, policy: p.name), deliveryBins.map { bin in
                share(Statistics.estimate(reps.keys.sorted().map { r in
                    let rows = reps[r]!.filter { $0.tier == tier }
                    return rows.isEmpty ? .nan : Double(rows.filter { bin.range.contains($0.delivery) }.count) / Double(rows.count)
                }))
            })
        }
        figures.append(ReportFigure(file: "delivery-spread", title: title,
                                    svg: Chart.bars(title: title, categories: deliveryBins.map(\.label), y: AxisSpec("share of the tier's advertisers", format: .percent),
                                                    series: series, note: "spend ÷ budget per advertiser; whiskers: 95% CI")))
        // Per group: advertisers, how many got nothing, and the median delivery.
        var rows: [[String]] = []
        for p in d.summary.policies {
            guard let reps = d.advertiserRows[p.name] else { continue }
            for g in d.groups {
                func members(_ r: Int) -> [AdvertiserRow] { reps[r]!.filter { g == RunSummary.newGroup ? $0.isNew : $0.tier == g } }
                let keys = reps.keys.sorted()
                let count = Statistics.estimate(keys.map { Double(members($0).count) })
                guard count.mean > 0 else { continue }
                let nothing = Statistics.estimate(keys.map { r in Double(members(r).filter { $0.spend <= 0 }.count) })
                let nothingShare = share(Statistics.estimate(keys.map { r in
                    let m = members(r)
                    return m.isEmpty ? .nan : Double(m.filter { $0.spend <= 0 }.count) / Double(m.count)
                }))
                let median = Statistics.estimate(keys.compactMap { r in
                    let m = members(r).map(\.delivery)
                    return m.isEmpty ? nil : Statistics.quantile(m, 0.5)
                })
                rows.append([p.name, label(g), String(format: "%.1f", count.mean),
                             String(format: "%.1f (%.1f–%.1f)", nothing.mean, max(0, nothing.lower), nothing.upper),
                             Format.percentEstimate(nothingShare), Format.percentEstimate(median)])
            }
        }
        tables.append(ReportTable(header: ["policy", "group", "advertisers (mean per replicate)", "got nothing (advertisers)", "got nothing (share)",
                                           "median spend delivery"], rows: rows))
        // Who gained and lost most: the same advertiser in the same replicate under two policies.
        if let baseReps = d.advertiserRows[base.name] {
            for p in d.summary.policies.dropFirst() where p.ranker != "oracle" {
                guard let reps = d.advertiserRows[p.name] else { continue }
                var changes: [(replicate: Int, base: AdvertiserRow, mine: AdvertiserRow)] = []
                for r in reps.keys.sorted() {
                    let before = Dictionary((baseReps[r] ?? []).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
                    for row in reps[r]! { if let b = before[row.id] { changes.append((r, b, row)) } }
                }
                guard !changes.isEmpty else { continue }
                let sorted = changes.sorted { a, b in
                    let da = a.mine.spend - a.base.spend, db = b.mine.spend - b.base.spend
                    return da != db ? da > db : (a.replicate, a.mine.id) < (b.replicate, b.mine.id)
                }
                func row(_ c: (replicate: Int, base: AdvertiserRow, mine: AdvertiserRow)) -> [String] {
                    [c.mine.isNew ? "\(c.mine.tier) (new)" : c.mine.tier, "\(c.replicate + 1) / \(c.mine.id)", Format.money(c.mine.budget),
                     "\(Format.money(c.base.spend)) (\(Format.percent(c.base.delivery, digits: 0)))",
                     "\(Format.money(c.mine.spend)) (\(Format.percent(c.mine.delivery, digits: 0)))",
                     (c.mine.spend >= c.base.spend ? "+" : "") + Format.money(c.mine.spend - c.base.spend)]
                }
                let header = ["tier", "replicate / advertiser", "budget", "spend under \(base.name)", "spend under \(p.name)", "change (\(d.currency))"]
                let gained = sorted.prefix(10).filter { $0.mine.spend > $0.base.spend }
                let lost = sorted.reversed().prefix(10).filter { $0.mine.spend < $0.base.spend }
                if !gained.isEmpty { tables.append(ReportTable(header: ["gained most under \(p.name)"] + header, rows: gained.enumerated().map { ["\($0.offset + 1)"] + row($0.element) })) }
                if !lost.isEmpty { tables.append(ReportTable(header: ["lost most under \(p.name)"] + header, rows: lost.enumerated().map { ["\($0.offset + 1)"] + row($0.element) })) }
            }
        }
        return ReportSection(id: "drill-down", title: "Which advertisers got nothing, and who gained",
                             lead: "Spend delivery advertiser by advertiser. The chart spreads the \(tier) tier's advertisers over delivery bins under each policy; the first table counts, per group, those that spent nothing. The last tables list the advertisers whose spend changed most against \(base.name): the same advertiser in the same simulated world (replicate), so the change is the policy's doing.",
                             figures: figures, tables: tables)
    }
}
