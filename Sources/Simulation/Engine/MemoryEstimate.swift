import Foundation
import Scenario
import Stochastics

/// What a run will need in memory, estimated from the scenario before any world is generated.
///
/// The estimate is dominated by the pre-run history log: every logged impression holds its ad,
/// user features, slot examination, click, conversion and cohort (`18 + 8·latentDimension`
/// bytes), and the rankers' training passes need about as much again; measured peaks were within
/// 0.9–1.15 of this estimate (10⁵–10⁶ ads). Each of the `min(jobs, cells)` cells running at once
/// holds its own world and log, plus its ranker's per-ad state (`rankerBytes`: the largest of the
/// scenario's policies, since any may run at once); finished cells keep their per-advertiser
/// results until the end.
public enum MemoryEstimate {
    /// History impressions per ad are capped at this (WorldGenerator); heavy-tailed
    /// distributions are estimated by their mean below the cap.
    public static let maxHistoryPerAd = 10_000_000.0

    /// Estimated peak bytes of `Runner.run(scenario, jobs:)`.
    public static func bytes(_ scenario: Scenario, jobs: Int) -> Double {
        let d = Double(scenario.truth.latentDimension)
        var ads = 0.0, history = 0.0, advertisers = 0.0, adgroups = 0.0
        for tier in scenario.tiers {
            let tierAds = Double(tier.count) * Double(tier.adsPerAdvertiser)
            ads += tierAds
            adgroups += Double(tier.count) * Double(tier.adgroups)
            advertisers += Double(tier.count)
            history += tierAds * cappedMean(tier.historyImpressions, cap: maxHistoryPerAd)
        }
        let entrants = scenario.newAdvertisers.perDay * scenario.horizon.days
        for mix in scenario.newAdvertisers.tierMix {
            guard let t = scenario.tierIndex(mix.tier) else { continue }
            ads += entrants * mix.weight * Double(scenario.tiers[t].adsPerAdvertiser)
            adgroups += entrants * mix.weight * Double(scenario.tiers[t].adgroups)
            advertisers += entrants * mix.weight
        }
        let ranker = scenario.policies.map { rankerBytes($0.ranker, scenario: scenario, ads: ads, adgroups: adgroups) }.max() ?? 0
        let perCell = 2.5 * history * (18 + 8 * d) + ads * (40 * d + 400) + advertisers * (8 * d + 600) + ranker
        let cells = Double(scenario.policies.count) * Double(scenario.replicates)
        let concurrent = min(Double(max(jobs, 1)), cells)
        let results = cells * advertisers * 250
        return 64 * 1_048_576 + concurrent * perCell + results
    }

    /// A ranker's per-ad and per-adgroup state beyond the global model: personal blocks, click and
    /// conversion (their `RankerFootprint`), and the learned conversion model (per ad: ID bias,
    /// served bias, and per cohort the served and observed order values and counts).
    static func rankerBytes(_ ranker: RankerSettings, scenario: Scenario, ads: Double, adgroups: Double) -> Double {
        let d = scenario.truth.latentDimension, cohorts = Double(scenario.cohorts.count)
        var bytes = 0.0
        if ranker.kind == .meta || ranker.kind == .finetune {
            let declared = scenario.tiers.contains { $0.adgroupsPerAdvertiser > 0 }
            bytes += RankerFootprint(settings: ranker.meta, dimension: d, ads: [ads], adgroups: declared ? [adgroups] : nil,
                                     cohorts: scenario.cohorts.count).totalBytes.mean
        }
        if ranker.conversionModel == .learned {
            bytes += ads * 8 * (4 + 3 * cohorts)
        }
        return bytes
    }

    /// E[min(X, cap)] for the history distribution (finite for Pareto with shape ≤ 1 too).
    static func cappedMean(_ distribution: Distribution, cap: Double) -> Double {
        if case .pareto(let s, let a) = distribution {
            guard s < cap else { return cap }
            if abs(a - 1) < 1e-9 { return s + s * log(cap / s) }
            return s + pow(s, a) * (pow(cap, 1 - a) - pow(s, 1 - a)) / (1 - a)
        }
        return min(distribution.mean, cap)
    }

    /// "12.3 GiB".
    public static func gibibytes(_ bytes: Double) -> String { String(format: "%.1f GiB", bytes / 1_073_741_824) }
}
