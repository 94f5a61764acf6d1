import Scenario
import Stochastics

extension RunSummary {
    /// The name used in metrics.json for the group of advertisers that entered during the run.
    public static let newGroup = "new"

    /// Aggregates cell results (sorted by policy, then replicate) into the summary.
    public static func build(_ scenario: Scenario, cells: [CellResult], version: String) -> RunSummary {
        let runs = PolicyRuns(scenario, cells: cells)
        return RunSummary(
            tool: ToolInfo(name: "fairground", version: version),
            scenario: ScenarioInfo(name: scenario.name, seed: scenario.seed, replicates: scenario.replicates,
                                   days: scenario.horizon.days, requestsPerDay: scenario.horizon.requestsPerDay,
                                   slots: scenario.placement.slots, mechanism: scenario.auction.mechanism.rawValue,
                                   pacing: scenario.pacing.kind.rawValue, tiers: scenario.tiers.map(\.name),
                                   currency: scenario.currency, newAdvertisers: entrants(scenario),
                                   fingerprint: ScenarioFingerprint(scenario)),
            policies: scenario.policies.indices.map { runs.summary(policy: $0) })
    }

    /// The entry rate and the share of advertisers it makes by the end (nil without entrants).
    static func entrants(_ s: Scenario) -> EntrantsInfo? {
        let perDay = s.newAdvertisers.perDay
        guard perDay > 0 else { return nil }
        let entrants = perDay * s.horizon.days, incumbents = Double(s.tiers.reduce(0) { $0 + $1.count })
        return EntrantsInfo(perDay: perDay, expectedShare: entrants / (incumbents + entrants), requestedShare: s.newAdvertisers.requestedShare)
    }

    /// The global-ranker policy a personal-block policy is compared with: the same retraining
    /// interval, objective, explorer and fairness control — and the same features (tier) and
    /// conversion model when such a policy is listed — else the first global policy.
    static func globalCounterpart(of policy: Policy, in scenario: Scenario) -> Int? {
        let globals = scenario.policies.indices.filter { scenario.policies[$0].ranker.kind == .global }
        func sameSetting(_ g: Policy) -> Bool {
            g.ranker.updateEveryHours == policy.ranker.updateEveryHours && g.objective == policy.objective
                && g.explorer == policy.explorer && g.fairness == policy.fairness
        }
        func sameModel(_ g: Policy) -> Bool {
            g.ranker.tierFeatures == policy.ranker.tierFeatures && g.ranker.conversionModel == policy.ranker.conversionModel
        }
        return globals.first { sameSetting(scenario.policies[$0]) && sameModel(scenario.policies[$0]) }
            ?? globals.first { sameSetting(scenario.policies[$0]) } ?? globals.first
    }
}

/// Per-replicate relative change (b − a)/a, then its estimate.
func relativeChange(_ a: [Double], _ b: [Double]) -> Estimate {
    Statistics.estimate(zip(a, b).map { x, y in x > 0 ? (y - x) / x : .nan })
}

/// The cells of a run grouped by policy, with each replicate's group totals: what every section
/// of a policy's summary is computed from.
struct PolicyRuns {
    let scenario: Scenario
    /// Tier names, then "new".
    let groups: [String]
    /// Per policy, its replicates' cells in replicate order.
    let byPolicy: [[CellResult]]
    /// Per policy, per replicate, per group: the totals.
    let totals: [[[GroupTotals]]]
    /// Per policy, per replicate: the total position-weighted exposure.
    let exposures: [[Double]]

    init(_ scenario: Scenario, cells: [CellResult]) {
        self.scenario = scenario
        groups = scenario.tiers.map(\.name) + [RunSummary.newGroup]
        let byPolicy = (0..<scenario.policies.count).map { p in cells.filter { $0.policy == p } }
        self.byPolicy = byPolicy
        let count = groups.count
        totals = byPolicy.map { runs in runs.map { run in (0..<count).map { run.totals(group: $0) } } }
        exposures = byPolicy.map { runs in runs.map(\.totalExposure) }
    }

    /// Group `g`'s share of exposure in each replicate of policy `p`.
    func share(_ p: Int, _ g: Int) -> [Double] {
        zip(totals[p], exposures[p]).map { t, total in total > 0 ? t[g].exposure / total : .nan }
    }

    func revenue(_ p: Int) -> [Double] { byPolicy[p].map(\.revenue) }

    /// Share of new ads with at least one click, per replicate (NaN without new ads).
    func newAdsWithClick(_ p: Int) -> [Double] { byPolicy[p].map(\.newAdsWithClickShare) }

    /// Value of conversions minus spend, per replicate.
    func welfare(_ p: Int) -> [Double] { byPolicy[p].map(\.welfare) }

    func summary(policy p: Int) -> PolicySummary {
        let policy = scenario.policies[p], runs = byPolicy[p]
        let oracle = scenario.policies.firstIndex { $0.ranker.kind == .oracle }
        return PolicySummary(
            name: policy.name, ranker: policy.ranker.kind.rawValue,
            revenue: Statistics.estimate(revenue(p)),
            advertiserWelfare: Statistics.estimate(welfare(p)),
            objective: policy.objective?.rawValue ?? "cohort",
            explorer: policy.explorer, exploration: exploration(p),
            fairnessControl: policy.fairness,
            fairnessCost: fairnessCost(p),
            regretVsOracle: oracle.map { o in
                Statistics.pairedDifference(runs.map(\.metrics.expectedClicks), byPolicy[o].map(\.metrics.expectedClicks))
            },
            tiers: tiers(p), cohorts: cohorts(p), fairness: fairness(p),
            vsBaseline: p > 0 ? baselineComparison(p) : nil, rankerComparison: rankerComparison(p),
            autobidding: autobidding(p), dynamics: dynamics(p), footprint: footprint(p), adgroups: adgroups(p))
    }

    func tiers(_ p: Int) -> [String: TierSummary] {
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
        return tiers
    }

    func cohorts(_ p: Int) -> [String: CohortSummary] {
        let policy = scenario.policies[p], runs = byPolicy[p]
        var cohorts: [String: CohortSummary] = [:]
        for (c, cohort) in scenario.cohorts.enumerated() {
            cohorts[cohort.name] = CohortSummary(
                objective: (policy.objective ?? cohort.objective).rawValue,
                impressions: Statistics.estimate(runs.map { $0.metrics.cohortImpressions[c] }),
                clicks: Statistics.estimate(runs.map { $0.metrics.cohortClicks[c] }),
                conversions: Statistics.estimate(runs.map { $0.metrics.cohortConversions[c] }),
                orderValue: Statistics.estimate(runs.map { $0.metrics.cohortValue[c] }))
        }
        return cohorts
    }

    /// Paired against the first policy.
    func baselineComparison(_ p: Int) -> BaselineComparison {
        let base = revenue(0), mine = revenue(p)
        var tierDiffs: [String: TierComparison] = [:]
        for (g, name) in groups.enumerated() {
            tierDiffs[name] = TierComparison(
                spendDelivery: Statistics.pairedDifference(totals[0].map { $0[g].spendDelivery }, totals[p].map { $0[g].spendDelivery }),
                exposureShare: Statistics.pairedDifference(share(0, g), share(p, g)))
        }
        var cohortDiffs: [String: CohortComparison] = [:]
        for (c, cohort) in scenario.cohorts.enumerated() {
            func change(_ key: KeyPath<CellMetrics, [Double]>) -> Estimate {
                relativeChange(byPolicy[0].map { $0.metrics[keyPath: key][c] }, byPolicy[p].map { $0.metrics[keyPath: key][c] })
            }
            cohortDiffs[cohort.name] = CohortComparison(clicksRelative: change(\.cohortClicks),
                                                        conversionsRelative: change(\.cohortConversions),
                                                        orderValueRelative: change(\.cohortValue))
        }
        let entrants = scenario.newAdvertisers.perDay > 0
        return BaselineComparison(baseline: scenario.policies[0].name, revenue: Statistics.pairedDifference(base, mine),
                                  revenueRelative: relativeChange(base, mine), tiers: tierDiffs, cohorts: cohortDiffs,
                                  advertiserWelfareRelative: relativeChange(welfare(0), welfare(p)),
                                  newAdsWithClick: entrants ? Statistics.pairedDifference(newAdsWithClick(0), newAdsWithClick(p)) : nil,
                                  hoursToFirstClick: entrants ? Statistics.pairedDifference(byPolicy[0].map(\.metrics.hoursToFirstClick),
                                                                                            byPolicy[p].map(\.metrics.hoursToFirstClick)) : nil)
    }

    /// A `meta` or `finetune` policy's prediction quality paired against its global counterpart.
    func rankerComparison(_ p: Int) -> RankerComparison? {
        let policy = scenario.policies[p]
        guard policy.ranker.kind == .meta || policy.ranker.kind == .finetune,
              let q = RunSummary.globalCounterpart(of: policy, in: scenario) else { return nil }
        var diffs: [String: PredictionDifference] = [:]
        for (g, name) in groups.enumerated() {
            let base = totals[q].map { $0[g] }, mine = totals[p].map { $0[g] }
            // A group with no impressions (e.g. no entrants) has nothing to compare.
            guard base.contains(where: { $0.logLoss != nil }), mine.contains(where: { $0.logLoss != nil }) else { continue }
            diffs[name] = PredictionDifference(
                logloss: Statistics.pairedDifference(base.map { $0.logLoss ?? .nan }, mine.map { $0.logLoss ?? .nan }),
                auc: Statistics.pairedDifference(base.map { $0.auc ?? .nan }, mine.map { $0.auc ?? .nan }))
        }
        return RankerComparison(baseline: scenario.policies[q].name, tiers: diffs)
    }

    /// Discovery and the explorer's footprint; with an explorer, paired against the same policy without one.
    func exploration(_ p: Int) -> ExplorationSummary {
        let policy = scenario.policies[p], runs = byPolicy[p]
        let counterpart = scenario.policies.firstIndex {
            $0.explorer == nil && $0.ranker == policy.ranker && $0.objective == policy.objective && $0.name != policy.name
        }
        let withExplorer = policy.explorer != nil
        return ExplorationSummary(
            impressionShare: Statistics.estimate(runs.map { r in
                let total = r.metrics.impressions.reduce(0, +)
                return total > 0 ? r.metrics.exploredImpressions / total : 0
            }),
            costBaseline: withExplorer ? counterpart.map { scenario.policies[$0].name } : nil,
            cost: withExplorer ? counterpart.map { relativeChange(revenue($0), revenue(p)) } : nil,
            hitsGained: withExplorer ? counterpart.map {
                Statistics.pairedDifference(byPolicy[$0].map(\.metrics.hitsFound), runs.map(\.metrics.hitsFound))
            } : nil,
            graduationRate: withExplorer ? Statistics.estimate(runs.map { $0.metrics.poolAds > 0 ? $0.metrics.graduations / $0.metrics.poolAds : .nan }) : nil,
            hitsFound: Statistics.estimate(runs.map(\.metrics.hitsFound)),
            newAdsWithClick: Statistics.estimate(newAdsWithClick(p)),
            hoursToFirstClick: Statistics.estimate(runs.map(\.metrics.hoursToFirstClick)),
            hoursToFirstConversion: Statistics.estimate(runs.map(\.metrics.hoursToFirstConversion)))
    }

    /// A fairness control's cost, paired against the same policy without it (when one is listed).
    func fairnessCost(_ p: Int) -> FairnessCost? {
        let policy = scenario.policies[p]
        guard policy.fairness != nil, let q = scenario.policies.firstIndex(where: {
            $0.fairness == nil && $0.ranker == policy.ranker && $0.objective == policy.objective && $0.explorer == policy.explorer
        }) else { return nil }
        return FairnessCost(baseline: scenario.policies[q].name, revenue: relativeChange(revenue(q), revenue(p)),
                            advertiserWelfare: relativeChange(welfare(q), welfare(p)))
    }

    func fairness(_ p: Int) -> FairnessSummary {
        let runs = byPolicy[p]
        return FairnessSummary(
            exposureGini: Statistics.estimate(runs.map { Inequality.gini($0.activeExposures) }),
            jain: Statistics.estimate(runs.map { Inequality.jain($0.activeExposures) }),
            disparity: Statistics.estimate(runs.map(\.metrics.disparity)),
            disparityEstimated: Statistics.estimate(runs.map(\.metrics.disparityEstimated)),
            disparityNew: Statistics.estimate(runs.map(\.metrics.disparityNew)),
            disparateTreatmentRatio: Statistics.estimate(runs.map(\.metrics.treatmentRatio)),
            floorAttainment: runs.first?.metrics.floorWindows ?? 0 > 0
                ? Statistics.estimate(runs.map { $0.metrics.floorWindowsMet / max($0.metrics.floorWindows, 1) }) : nil)
    }
}
