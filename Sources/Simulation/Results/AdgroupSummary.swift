import Scenario
import Stochastics

/// Delivery to the adgroups that target one cohort (metrics.json `policies[].adgroups.<cohort>`),
/// when the scenario declares adgroups: each adgroup targets a cohort and takes its objective.
public struct AdgroupSummary: Sendable, Codable {
    /// The objective of the targeted cohort under this policy.
    public var objective: String
    /// Adgroups targeting the cohort (entered by the end of the run).
    public var adgroups: Estimate
    public var impressions: Estimate
    /// Share of the adgroups' impressions shown to users of the targeted cohort.
    public var onTargetShare: Estimate
    public var clicks: Estimate
    public var conversions: Estimate
    /// Order value of the adgroups' conversions.
    public var orderValue: Estimate
    public var spend: Estimate
    /// Σ of the adgroups' daily budgets (their share of the advertiser's, an even split where a
    /// tier sets no shares) and spend ÷ that; present when some tier sets `adgroupBudgetShares`.
    public var budget: Estimate?
    public var spendDelivery: Estimate?
}

extension PolicyRuns {
    /// Policy `p`'s delivery by adgroup objective, keyed by targeted cohort (nil without declared adgroups).
    func adgroups(_ p: Int) -> [String: AdgroupSummary]? {
        let runs = byPolicy[p].compactMap(\.metrics.adgroups)
        guard runs.count == byPolicy[p].count, let first = runs.first else { return nil }
        let capped = scenario.tiers.contains { $0.adgroupBudgetShares.count > 1 }
        let policy = scenario.policies[p], c = first.targets
        var out: [String: AdgroupSummary] = [:]
        for (t, cohort) in scenario.cohorts.enumerated() {
            let shown = runs.map { r in (0..<c).reduce(0) { $0 + r.impressions[t * c + $1] } }
            out[cohort.name] = AdgroupSummary(
                objective: (policy.objective ?? cohort.objective).rawValue,
                adgroups: Statistics.estimate(runs.map { $0.adgroups[t] }),
                impressions: Statistics.estimate(shown),
                onTargetShare: Statistics.estimate(zip(runs, shown).map { $1 > 0 ? $0.impressions[t * c + t] / $1 : .nan }),   // (NaN: none shown; left out)
                clicks: Statistics.estimate(runs.map { $0.clicks[t] }),
                conversions: Statistics.estimate(runs.map { $0.conversions[t] }),
                orderValue: Statistics.estimate(runs.map { $0.value[t] }),
                spend: Statistics.estimate(runs.map { $0.spend[t] }),
                budget: capped ? Statistics.estimate(runs.map { $0.budget[t] }) : nil,
                spendDelivery: capped ? Statistics.estimate(runs.map { $0.budget[t] > 0 ? $0.spend[t] / $0.budget[t] : 0 }) : nil)
        }
        return out
    }
}
