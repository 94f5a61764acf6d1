import Scenario
import Stochastics

/// The headline numbers of a run: every figure a mean over replicates with a 95% interval.
///
/// This is the schema of `metrics.json` (documented in README.md). Paired differences use the
/// first policy as the baseline: both policies saw the same users and response uniforms in
/// each replicate, so the per-replicate difference removes most of the traffic noise.
public struct RunSummary: Sendable, Codable {
    public var tool: ToolInfo
    public var scenario: ScenarioInfo
    public var policies: [PolicySummary]
}

public struct ToolInfo: Sendable, Codable {
    public var name: String
    public var version: String
}

public struct ScenarioInfo: Sendable, Codable {
    public var name: String
    public var seed: UInt64
    public var replicates: Int
    public var days: Double
    public var requestsPerDay: Double
    public var slots: Int
    public var mechanism: String
    public var pacing: String
    public var tiers: [String]
}

public struct PolicySummary: Sendable, Codable {
    public var name: String
    public var ranker: String
    /// Platform revenue: the sum of all charges (= the sum of advertisers' spend).
    public var revenue: Estimate
    /// Value of conversions minus spend, summed over advertisers.
    public var advertiserWelfare: Estimate
    /// Objective used for every cohort, or "cohort" when each cohort uses its own.
    public var objective: String
    /// The explorer's configuration (`null` without one).
    @EncodedAsNull public var explorer: ExplorerSettings?
    public var exploration: ExplorationSummary
    /// The fairness control's configuration (`null` without one).
    @EncodedAsNull public var fairnessControl: FairnessControl?
    /// Paired against the same policy without the control (when one is listed).
    public var fairnessCost: FairnessCost?
    /// Expected clicks (Σ examination × true click rate) the oracle policy's allocation earned
    /// minus this policy's, paired per replicate; absent when no policy uses the oracle ranker.
    public var regretVsOracle: Estimate?
    public var tiers: [String: TierSummary]
    /// Outcomes by user cohort.
    public var cohorts: [String: CohortSummary]
    public var fairness: FairnessSummary
    /// Paired difference to the first policy (absent for the first policy itself).
    public var vsBaseline: BaselineComparison?
    /// For a `meta` or `finetune` ranker: its prediction quality paired against the global ranker
    /// it builds on (absent otherwise, or when the scenario lists no global policy).
    public var rankerComparison: RankerComparison?
}

/// Prediction quality of a ranker minus that of a baseline ranker, paired per replicate, per
/// tier and for "new". Each policy is scored on the impressions it served itself.
public struct RankerComparison: Sendable, Codable {
    public var baseline: String
    public var tiers: [String: PredictionDifference]
}

public struct PredictionDifference: Sendable, Codable {
    /// Log-loss difference (negative: this ranker predicts better).
    public var logloss: Estimate
    /// AUC difference (positive: this ranker ranks better).
    public var auc: Estimate
}

public struct TierSummary: Sendable, Codable {
    public var advertisers: Estimate
    public var spend: Estimate
    public var budget: Estimate
    public var spendDelivery: Estimate
    public var impressions: Estimate
    public var exposureShare: Estimate
    public var clicks: Estimate
    public var conversions: Estimate
    /// Mean log-loss of the ranker's click predictions on this tier's impressions.
    public var logloss: Estimate?
    /// AUC of the ranker's click predictions on this tier's impressions.
    public var auc: Estimate?
    /// Predicted clicks ÷ observed clicks on this tier's impressions (1 = calibrated; below 1 the
    /// ranker under-scores the tier).
    public var calibration: Estimate?
}

/// Discovery of new ads and the explorer's footprint (present for every policy, so a policy
/// without an explorer shows the baseline).
public struct ExplorationSummary: Sendable, Codable {
    /// Share of impressions handed out by the explorer.
    public var impressionShare: Estimate
    /// Policy with the same ranker and objective but no explorer, which `cost` is paired against.
    public var costBaseline: String?
    /// Revenue change relative to `costBaseline` (negative: exploration costs revenue).
    public var cost: Estimate?
    /// Hits found minus those of `costBaseline`, paired per replicate.
    public var hitsGained: Estimate?
    /// Graduated ads ÷ ads ever eligible for the pool (absent without an explorer).
    public var graduationRate: Estimate?
    /// New ads of top-quartile true quality, live at least a day, whose rate of regular-auction
    /// impressions reached the median rate of the established ads of their tier.
    public var hitsFound: Estimate
    /// Share of new ads that got at least one click.
    public var newAdsWithClick: Estimate
    /// Mean hours from entry to the first click / conversion, over new ads that got one.
    public var hoursToFirstClick: Estimate
    public var hoursToFirstConversion: Estimate
}

/// Encodes a missing value as `null` instead of leaving the key out.
@propertyWrapper
public struct EncodedAsNull<T: Codable & Sendable>: Codable, Sendable {
    public var wrappedValue: T?
    public init(wrappedValue: T?) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        wrappedValue = c.decodeNil() ? nil : try c.decode(T.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let wrappedValue { try c.encode(wrappedValue) } else { try c.encodeNil() }
    }
}

extension KeyedDecodingContainer {
    public func decode<T>(_ type: EncodedAsNull<T>.Type, forKey key: Key) throws -> EncodedAsNull<T> {
        try decodeIfPresent(type, forKey: key) ?? EncodedAsNull(wrappedValue: nil)
    }
}

public struct CohortSummary: Sendable, Codable {
    public var objective: String
    public var impressions: Estimate
    public var clicks: Estimate
    public var conversions: Estimate
    /// Order value of the cohort's conversions.
    public var orderValue: Estimate
}

public struct FairnessSummary: Sendable, Codable {
    /// Gini coefficient of position-weighted exposure across active advertisers.
    public var exposureGini: Estimate
    /// Jain's index of the same exposures.
    public var jain: Estimate
    /// Largest exposure-for-merit disparity between tiers at the end: (max r − min r) / mean r with
    /// r = exposure per active ad ÷ true merit (bid × click rate per considered impression); 0 = fair.
    public var disparity: Estimate
    /// The same with the ranker's estimated merit (what a platform can measure).
    public var disparityEstimated: Estimate
    /// Disparity between new and established advertisers (true merit).
    public var disparityNew: Estimate
    /// max r ÷ min r across tiers: exposure per unit of merit of the best-treated tier over the worst.
    public var disparateTreatmentRatio: Estimate
    /// Exposure floor only: share of complete sliding windows in which the floor was met.
    public var floorAttainment: Estimate?
}

/// What a fairness control cost, paired against the same policy without it.
public struct FairnessCost: Sendable, Codable {
    public var baseline: String
    /// Relative changes (−0.02 = 2% less).
    public var revenue: Estimate
    public var advertiserWelfare: Estimate
}

public struct BaselineComparison: Sendable, Codable {
    public var baseline: String
    public var revenue: Estimate
    /// Revenue change relative to the baseline's revenue (0.05 = +5%).
    public var revenueRelative: Estimate
    public var tiers: [String: TierComparison]
    public var cohorts: [String: CohortComparison]
}

/// Relative changes of a cohort's outcomes (0.1 = +10%).
public struct CohortComparison: Sendable, Codable {
    public var clicksRelative: Estimate
    public var conversionsRelative: Estimate
    public var orderValueRelative: Estimate
}

public struct TierComparison: Sendable, Codable {
    public var spendDelivery: Estimate
    public var exposureShare: Estimate
}

/// Per-replicate relative change (b − a)/a, then its estimate.
func relativeChange(_ a: [Double], _ b: [Double]) -> Estimate {
    Statistics.estimate(zip(a, b).map { x, y in x > 0 ? (y - x) / x : .nan })
}

extension RunSummary {
    /// The name used in metrics.json for the group of advertisers that entered during the run.
    public static let newGroup = "new"

    /// The global-ranker policy a personal-block policy is compared with: the same retraining
    /// interval, objective, explorer and fairness control if listed, else the first global policy.
    static func globalCounterpart(of policy: Policy, in scenario: Scenario) -> Int? {
        let globals = scenario.policies.indices.filter { scenario.policies[$0].ranker.kind == .global }
        return globals.first {
            let g = scenario.policies[$0]
            return g.ranker.updateEveryHours == policy.ranker.updateEveryHours && g.objective == policy.objective
                && g.explorer == policy.explorer && g.fairness == policy.fairness
        } ?? globals.first
    }

    /// Aggregates cell results (sorted by policy, then replicate) into the summary.
    public static func build(_ scenario: Scenario, cells: [CellResult], version: String) -> RunSummary {
        let groups = scenario.tiers.map(\.name) + [newGroup]
        let byPolicy = (0..<scenario.policies.count).map { p in cells.filter { $0.policy == p } }
        let totals = byPolicy.map { runs in runs.map { run in (0..<groups.count).map { run.totals(group: $0) } } }
        let exposures = byPolicy.map { runs in runs.map(\.totalExposure) }
        func share(_ p: Int, _ g: Int) -> [Double] {
            zip(totals[p], exposures[p]).map { t, total in total > 0 ? t[g].exposure / total : .nan }
        }
        var summaries: [PolicySummary] = []
        for (p, policy) in scenario.policies.enumerated() {
            var tiers: [String: TierSummary] = [:]
            for (g, name) in groups.enumerated() {
                let t = totals[p].map { $0[g] }
                let losses = t.compactMap(\.logLoss), aucs = t.compactMap(\.auc), calibrations = t.compactMap(\.calibration)
                tiers[name] = TierSummary(
                    advertisers: Statistics.estimate(t.map { Double($0.advertisers) }),
                    spend: Statistics.estimate(t.map(\.spend)),
                    budget: Statistics.estimate(t.map(\.budget)),
                    spendDelivery: Statistics.estimate(t.map(\.spendDelivery)),
                    impressions: Statistics.estimate(t.map(\.impressions)),
                    exposureShare: Statistics.estimate(share(p, g)),
                    clicks: Statistics.estimate(t.map(\.clicks)),
                    conversions: Statistics.estimate(t.map(\.conversions)),
                    logloss: losses.isEmpty ? nil : Statistics.estimate(losses),
                    auc: aucs.isEmpty ? nil : Statistics.estimate(aucs),
                    calibration: calibrations.isEmpty ? nil : Statistics.estimate(calibrations))
            }
            let runs = byPolicy[p]
            let welfare = runs.map { r in r.metrics.value.reduce(0, +) - r.revenue }
            let welfareOf = { (p: Int) in byPolicy[p].map { r in r.metrics.value.reduce(0, +) - r.revenue } }
            let withoutControl = policy.fairness == nil ? nil : scenario.policies.firstIndex {
                $0.fairness == nil && $0.ranker == policy.ranker && $0.objective == policy.objective && $0.explorer == policy.explorer
            }
            var comparison: BaselineComparison?
            if p > 0 {
                let base = byPolicy[0].map(\.revenue), mine = runs.map(\.revenue)
                var tierDiffs: [String: TierComparison] = [:]
                for (g, name) in groups.enumerated() {
                    tierDiffs[name] = TierComparison(
                        spendDelivery: Statistics.pairedDifference(totals[0].map { $0[g].spendDelivery }, totals[p].map { $0[g].spendDelivery }),
                        exposureShare: Statistics.pairedDifference(share(0, g), share(p, g)))
                }
                var cohortDiffs: [String: CohortComparison] = [:]
                for (c, cohort) in scenario.cohorts.enumerated() {
                    func change(_ key: KeyPath<CellMetrics, [Double]>) -> Estimate {
                        relativeChange(byPolicy[0].map { $0.metrics[keyPath: key][c] }, runs.map { $0.metrics[keyPath: key][c] })
                    }
                    cohortDiffs[cohort.name] = CohortComparison(clicksRelative: change(\.cohortClicks),
                                                                conversionsRelative: change(\.cohortConversions),
                                                                orderValueRelative: change(\.cohortValue))
                }
                comparison = BaselineComparison(
                    baseline: scenario.policies[0].name,
                    revenue: Statistics.pairedDifference(base, mine),
                    revenueRelative: relativeChange(base, mine),
                    tiers: tierDiffs, cohorts: cohortDiffs)
            }
            var rankerComparison: RankerComparison?
            if policy.ranker.kind == .meta || policy.ranker.kind == .finetune, let q = globalCounterpart(of: policy, in: scenario) {
                var diffs: [String: PredictionDifference] = [:]
                for (g, name) in groups.enumerated() {
                    let base = totals[q].map { $0[g] }, mine = totals[p].map { $0[g] }
                    // A group with no impressions (e.g. no entrants) has nothing to compare.
                    guard base.contains(where: { $0.logLoss != nil }), mine.contains(where: { $0.logLoss != nil }) else { continue }
                    diffs[name] = PredictionDifference(
                        logloss: Statistics.pairedDifference(base.map { $0.logLoss ?? .nan }, mine.map { $0.logLoss ?? .nan }),
                        auc: Statistics.pairedDifference(base.map { $0.auc ?? .nan }, mine.map { $0.auc ?? .nan }))
                }
                rankerComparison = RankerComparison(baseline: scenario.policies[q].name, tiers: diffs)
            }
            var cohorts: [String: CohortSummary] = [:]
            for (c, cohort) in scenario.cohorts.enumerated() {
                cohorts[cohort.name] = CohortSummary(
                    objective: (policy.objective ?? cohort.objective).rawValue,
                    impressions: Statistics.estimate(runs.map { $0.metrics.cohortImpressions[c] }),
                    clicks: Statistics.estimate(runs.map { $0.metrics.cohortClicks[c] }),
                    conversions: Statistics.estimate(runs.map { $0.metrics.cohortConversions[c] }),
                    orderValue: Statistics.estimate(runs.map { $0.metrics.cohortValue[c] }))
            }
            let oracle = scenario.policies.firstIndex { $0.ranker.kind == .oracle }
            let counterpart = scenario.policies.firstIndex {
                $0.explorer == nil && $0.ranker == policy.ranker && $0.objective == policy.objective && $0.name != policy.name
            }
            let withExplorer = policy.explorer != nil
            let exploration = ExplorationSummary(
                impressionShare: Statistics.estimate(runs.map { r in
                    let total = r.metrics.impressions.reduce(0, +)
                    return total > 0 ? r.metrics.exploredImpressions / total : 0
                }),
                costBaseline: withExplorer ? counterpart.map { scenario.policies[$0].name } : nil,
                cost: withExplorer ? counterpart.map { relativeChange(byPolicy[$0].map(\.revenue), runs.map(\.revenue)) } : nil,
                hitsGained: withExplorer ? counterpart.map {
                    Statistics.pairedDifference(byPolicy[$0].map(\.metrics.hitsFound), runs.map(\.metrics.hitsFound))
                } : nil,
                graduationRate: withExplorer ? Statistics.estimate(runs.map { $0.metrics.poolAds > 0 ? $0.metrics.graduations / $0.metrics.poolAds : .nan }) : nil,
                hitsFound: Statistics.estimate(runs.map(\.metrics.hitsFound)),
                newAdsWithClick: Statistics.estimate(runs.map { $0.metrics.newAds > 0 ? $0.metrics.newAdsWithClick / $0.metrics.newAds : .nan }),
                hoursToFirstClick: Statistics.estimate(runs.map(\.metrics.hoursToFirstClick)),
                hoursToFirstConversion: Statistics.estimate(runs.map(\.metrics.hoursToFirstConversion)))
            summaries.append(PolicySummary(
                name: policy.name, ranker: policy.ranker.kind.rawValue,
                revenue: Statistics.estimate(runs.map(\.revenue)),
                advertiserWelfare: Statistics.estimate(welfare),
                objective: policy.objective?.rawValue ?? "cohort",
                explorer: policy.explorer, exploration: exploration,
                fairnessControl: policy.fairness,
                fairnessCost: withoutControl.map { q in
                    FairnessCost(baseline: scenario.policies[q].name,
                                 revenue: relativeChange(byPolicy[q].map(\.revenue), runs.map(\.revenue)),
                                 advertiserWelfare: relativeChange(welfareOf(q), welfare))
                },
                regretVsOracle: oracle.map { o in
                    Statistics.pairedDifference(runs.map(\.metrics.expectedClicks), byPolicy[o].map(\.metrics.expectedClicks))
                },
                tiers: tiers, cohorts: cohorts,
                fairness: FairnessSummary(exposureGini: Statistics.estimate(runs.map { Inequality.gini($0.activeExposures) }),
                                          jain: Statistics.estimate(runs.map { Inequality.jain($0.activeExposures) }),
                                          disparity: Statistics.estimate(runs.map(\.metrics.disparity)),
                                          disparityEstimated: Statistics.estimate(runs.map(\.metrics.disparityEstimated)),
                                          disparityNew: Statistics.estimate(runs.map(\.metrics.disparityNew)),
                                          disparateTreatmentRatio: Statistics.estimate(runs.map(\.metrics.treatmentRatio)),
                                          floorAttainment: runs.first?.metrics.floorWindows ?? 0 > 0
                                              ? Statistics.estimate(runs.map { $0.metrics.floorWindowsMet / max($0.metrics.floorWindows, 1) }) : nil),
                vsBaseline: comparison, rankerComparison: rankerComparison))
        }
        return RunSummary(
            tool: ToolInfo(name: "fairground", version: version),
            scenario: ScenarioInfo(name: scenario.name, seed: scenario.seed, replicates: scenario.replicates,
                                   days: scenario.horizon.days, requestsPerDay: scenario.horizon.requestsPerDay,
                                   slots: scenario.placement.slots, mechanism: scenario.auction.mechanism.rawValue,
                                   pacing: scenario.pacing.kind.rawValue, tiers: scenario.tiers.map(\.name)),
            policies: summaries)
    }
}
