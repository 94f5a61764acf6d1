import Scenario
import Stochastics

/// What a `meta` or `finetune` policy's personal blocks cost to deploy, next to the global model
/// they sit on (metrics.json `policies[].footprint`): the brief's "a thousand models to deploy".
///
/// Counted from the data structures, not measured: per ad (each ad is one task — an adgroup of one
/// creative — until adgroups exist), the personal parameters, the values served per candidate, the
/// bytes the ranker keeps (the served row, the adapted bias, the ring of the latest support + query
/// impressions it re-adapts on, its dirty flag) and the multiply-adds of scoring one candidate. The
/// global model's per-ad ID bias is shared by both and not counted; its served row is the comparison.
public struct RankerFootprint: Sendable, Codable, Equatable {
    /// Personal parameters per ad (d + 1 for `last-layer`, 1 for `bias`) and in all (× ads).
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

    /// The footprint of `settings` in worlds of latent dimension `d`, with `ads` ads per replicate.
    public init(settings: MetaRankerSettings, dimension d: Int, ads: [Double], cohorts: Int) {
        let width = settings.personalBlock == .lastLayer ? d + 1 : 1
        let ring = settings.supportSize + settings.querySize
        personalParametersPerAd = width
        personalParameters = Statistics.estimate(ads.map { $0 * Double(width) })
        servedValuesPerAd = 2 * d + 1
        globalServedValuesPerAd = d + 1
        multiplyAddsPerCandidate = 2 * d
        globalMultiplyAddsPerCandidate = d
        // Served row and bias (8 bytes each value), ring records (d + 3 values) and times, the
        // ring's two Int32 counters, the dirty flag.
        let perAd = 8 * (2 * d + 1) + 8 + ring * 8 * (d + 3) + ring * 8 + 2 * 4 + 1
        bytesPerAd = perAd
        globalBytesPerAd = 8 * (d + 1)
        // Cohort blocks: d + 1 values per cohort and a ring per cohort.
        let cohortBytes = settings.cohortBlocks ? Double(cohorts * (8 * (d + 1) + ring * 8 * (d + 4) + 8)) : 0
        totalBytes = Statistics.estimate(ads.map { $0 * Double(perAd) + cohortBytes })
    }
}

extension PolicyRuns {
    /// The footprint of policy `p`'s personal blocks (nil for the global and oracle rankers).
    func footprint(_ p: Int) -> RankerFootprint? {
        let ranker = scenario.policies[p].ranker
        guard ranker.kind == .meta || ranker.kind == .finetune else { return nil }
        return RankerFootprint(settings: ranker.meta, dimension: scenario.truth.latentDimension,
                               ads: byPolicy[p].map { Double($0.metrics.adRegularImpressions.count) }, cohorts: scenario.cohorts.count)
    }
}
