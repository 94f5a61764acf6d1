import Scenario
import Stochastics

/// What a `meta` or `finetune` policy's personal blocks cost to deploy, next to the global model
/// they sit on (metrics.json `policies[].footprint`): the brief's "a thousand models to deploy".
///
/// Counted from the data structures, not measured: per ad (each ad is one task — an adgroup of one
/// creative — unless the scenario declares adgroups), the personal parameters, the values served
/// per candidate, the bytes the ranker keeps (the served row, the adapted bias, the ring of the
/// latest support + query impressions it re-adapts on, its dirty flag) and the multiply-adds of
/// scoring one candidate. With declared adgroups the task is the adgroup (`perAdgroup`): an ad then
/// keeps only its served row and its adgroup number, and has no personal parameters of its own.
/// The global model's per-ad ID bias is shared by both and not counted; its served row is the comparison.
public struct RankerFootprint: Sendable, Codable, Equatable {
    /// Personal parameters per ad (d + 1 for `last-layer`, 1 for `bias`; 0 with declared adgroups,
    /// whose blocks `perAdgroup` counts) and in all (× ads, or × adgroups).
    public var personalParametersPerAd: Int
    public var personalParameters: Estimate
    /// Values read per candidate at serving: the personal ranker's row (β + c, x, p ⊙ x: 2d + 1)
    /// against the global model's (β, x: d + 1).
    public var servedValuesPerAd: Int
    public var globalServedValuesPerAd: Int
    /// Multiply-adds to score one candidate: 2d against the global model's d.
    public var multiplyAddsPerCandidate: Int
    public var globalMultiplyAddsPerCandidate: Int
    /// Bytes kept per ad by the personal blocks (served row, bias, impression ring, flag), the
    /// global model's served row for comparison, and the personal blocks' total over the world's ads
    /// (entrants included; a mean over replicates) plus cohort blocks when used.
    public var bytesPerAd: Int
    public var globalBytesPerAd: Int
    public var totalBytes: Estimate
    /// The task's share when the scenario declares adgroups (absent otherwise: each ad is its task).
    public var perAdgroup: AdgroupFootprint? = nil

    /// The footprint of `settings` in worlds of latent dimension `d`, with `ads` ads per replicate
    /// and, when the scenario declares adgroups, `adgroups` adgroups per replicate.
    ///
    /// With `conversionBlocks` each task also has a personal conversion block (`width` more
    /// parameters, its ring of labelled clicks and the block), and each ad with a `last-layer`
    /// block serves d more values (q = p ⊙ x of the conversion block) at d more multiply-adds.
    public init(settings: MetaRankerSettings, dimension d: Int, ads: [Double], adgroups: [Double]? = nil, cohorts: Int) {
        let width = settings.personalBlock == .lastLayer ? d + 1 : 1
        let ring = settings.supportSize + settings.querySize
        let cvr = settings.conversionBlocks, cvrServed = cvr && width > 1 ? d : 0
        let parameters = width * (cvr ? 2 : 1)
        personalParametersPerAd = parameters
        personalParameters = Statistics.estimate(ads.map { $0 * Double(parameters) })
        servedValuesPerAd = 2 * d + 1 + cvrServed
        globalServedValuesPerAd = d + 1
        multiplyAddsPerCandidate = 2 * d + cvrServed
        globalMultiplyAddsPerCandidate = d
        // Served row and bias (8 bytes each value), ring records (d + 3 values) and times, the
        // ring's two Int32 counters, the dirty flag; a conversion block's ring, counters and block,
        // and its served q.
        let servedRow = 8 * (2 * d + 1 + cvrServed)
        let cvrTask = cvr ? ring * 8 * (d + 4) + 2 * 4 + 8 * width : 0
        let perAd = servedRow + 8 + ring * 8 * (d + 3) + ring * 8 + 2 * 4 + 1 + cvrTask
        bytesPerAd = perAd
        globalBytesPerAd = 8 * (d + 1)
        // Cohort blocks: d + 1 values per cohort and a ring per cohort.
        let cohortBytes = settings.cohortBlocks ? Double(cohorts * (8 * (d + 1) + ring * 8 * (d + 4) + 8)) : 0
        totalBytes = Statistics.estimate(ads.map { $0 * Double(perAd) + cohortBytes })
        if let adgroups {
            // A task's state moves to its adgroup (bias, ring, counters, flag, its first ad and ad
            // count); an ad keeps its served row and its adgroup number.
            // (The tables exist only when some adgroup holds several ads.)
            let tables = zip(ads, adgroups).contains { $0 != $1 }
            let task = perAd - servedRow + (tables ? 2 * 4 : 0)
            personalParametersPerAd = 0
            personalParameters = Statistics.estimate(adgroups.map { $0 * Double(parameters) })
            bytesPerAd = servedRow + (tables ? 4 : 0)
            totalBytes = Statistics.estimate(zip(ads, adgroups).map { $0 * Double(bytesPerAd) + $1 * Double(task) + cohortBytes })
            perAdgroup = AdgroupFootprint(adgroups: Statistics.estimate(adgroups), personalParameters: parameters, bytes: task)
        }
    }
}

/// A personal-block task's share of the footprint when the task is an adgroup.
public struct AdgroupFootprint: Sendable, Codable, Equatable {
    /// Adgroups per replicate (entrants' included).
    public var adgroups: Estimate
    /// Personal parameters and bytes kept per adgroup (the adapted block, the impression ring, its
    /// counters and flag, its first ad and ad count).
    public var personalParameters: Int
    public var bytes: Int
}

extension PolicyRuns {
    /// The footprint of policy `p`'s personal blocks (nil for the global and oracle rankers).
    func footprint(_ p: Int) -> RankerFootprint? {
        let ranker = scenario.policies[p].ranker
        guard ranker.kind == .meta || ranker.kind == .finetune else { return nil }
        let adgroups = byPolicy[p].map { $0.metrics.adgroups != nil ? Double($0.metrics.adgroupCount) : nil }
        return RankerFootprint(settings: ranker.meta, dimension: scenario.truth.latentDimension,
                               ads: byPolicy[p].map { Double($0.metrics.adRegularImpressions.count) },
                               adgroups: adgroups.contains(nil) ? nil : adgroups.map { $0! }, cohorts: scenario.cohorts.count)
    }
}
