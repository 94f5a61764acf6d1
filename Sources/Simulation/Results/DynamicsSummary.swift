import Stochastics

/// The marketplace over time under `advertiserDynamics` (metrics.json `policies[].dynamics`): at
/// day 0, after each review and at the horizon, means over replicates with 95% intervals.
public struct DynamicsSummary: Sendable, Codable {
    public var days: [Double]
    /// Per tier: share of the advertisers present at the start still in the market (a survival curve).
    public var retention: [String: [Estimate]]
    /// Per tier: advertisers in the market (incumbents and entrants).
    public var activeAdvertisers: [String: [Estimate]]
    /// Σ daily budgets of the advertisers in the market.
    public var marketBudget: [Estimate]
    /// Per tier: advertisers who left during the run.
    public var churned: [String: Estimate]
    /// Platform revenue up to each day.
    public var cumulativeRevenue: [Estimate]
    /// The same without advertiser dynamics (absent when `counterfactual: false`).
    public var cumulativeRevenueWithoutChurn: [Estimate]?
    /// Revenue lost to churn: (without − with) ÷ without over the run, paired per replicate.
    public var revenueLostToChurn: Estimate?
    /// Revenue of the last whole review period (the long-run rate), and its change against the
    /// first policy's, paired per replicate.
    public var finalPeriodRevenue: Estimate
    public var finalPeriodRevenueVsBaseline: Estimate?
    /// Per tier: retention at the end minus the first policy's, paired per replicate (absent for
    /// the first policy).
    public var retentionVsBaseline: [String: Estimate]?
}

extension PolicyRuns {
    /// The dynamics summary of policy `p` (nil without `advertiserDynamics`).
    func dynamics(_ p: Int) -> DynamicsSummary? {
        let series = byPolicy[p].compactMap(\.metrics.dynamics)
        guard let first = series.first, series.count == byPolicy[p].count else { return nil }
        let tiers = scenario.tiers.map(\.name), steps = first.days.count
        func finalRetention(_ s: DynamicsSeries, _ t: Int) -> Double {
            s.incumbents[t] > 0 ? s.incumbents[(s.days.count - 1) * s.tiers + t] / s.incumbents[t] : .nan
        }
        func perStep(_ value: (DynamicsSeries, Int) -> Double) -> [Estimate] {
            (0..<steps).map { k in Statistics.estimate(series.map { $0.days.count == steps ? value($0, k) : .nan }) }
        }
        var retention: [String: [Estimate]] = [:], active: [String: [Estimate]] = [:], churned: [String: Estimate] = [:]
        for (t, name) in tiers.enumerated() {
            retention[name] = perStep { s, k in
                let start = s.incumbents[t]
                return start > 0 ? s.incumbents[k * s.tiers + t] / start : .nan
            }
            active[name] = perStep { s, k in s.active[k * s.tiers + t] }
            churned[name] = Statistics.estimate(series.map { $0.churned[t] })
        }
        let withCounterfactual = series.allSatisfy { $0.revenueWithoutChurn.count == $0.days.count }
        // The last whole review period (not the shorter stub after the last review when the
        // horizon is not a multiple of the period).
        let period = scenario.advertiserDynamics?.reviewEveryDays ?? 0
        func finalPeriod(_ s: DynamicsSeries) -> Double {
            guard let k = s.days.indices.dropFirst().last(where: { s.days[$0] - s.days[$0 - 1] >= period - 1e-9 }) else { return .nan }
            return s.revenue[k] - s.revenue[k - 1]
        }
        let baseline = p > 0 ? byPolicy[0].compactMap(\.metrics.dynamics) : []
        return DynamicsSummary(
            days: first.days, retention: retention, activeAdvertisers: active,
            marketBudget: perStep { s, k in (0..<s.tiers).reduce(0) { $0 + s.budget[k * s.tiers + $1] } },
            churned: churned,
            cumulativeRevenue: perStep { s, k in s.revenue[k] },
            cumulativeRevenueWithoutChurn: withCounterfactual ? perStep { s, k in s.revenueWithoutChurn[k] } : nil,
            revenueLostToChurn: withCounterfactual ? Statistics.estimate(series.map { s in
                let without = s.revenueWithoutChurn.last ?? .nan, with = s.revenue.last ?? .nan
                return without > 0 ? (without - with) / without : .nan
            }) : nil,
            finalPeriodRevenue: Statistics.estimate(series.map(finalPeriod)),
            finalPeriodRevenueVsBaseline: baseline.count == series.count ? relativeChange(baseline.map(finalPeriod), series.map(finalPeriod)) : nil,
            retentionVsBaseline: baseline.count == series.count ? Dictionary(uniqueKeysWithValues: tiers.enumerated().map { t, name in
                (name, Statistics.pairedDifference(baseline.map { finalRetention($0, t) }, series.map { finalRetention($0, t) }))
            }) : nil)
    }
}
