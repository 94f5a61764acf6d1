import Scenario
import Stochastics

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
    /// Per tier with autobidders: realised CPA and ROAS against target, the bid landscape (absent
    /// when every advertiser bids a fixed price per click).
    public var autobidding: [String: AutobiddingSummary]? = nil
    /// Retention, the market and revenue over time under `advertiserDynamics` (absent without).
    public var dynamics: DynamicsSummary? = nil
    /// What a `meta` or `finetune` ranker's personal blocks cost to deploy (absent for the others).
    public var footprint: RankerFootprint? = nil
    /// Delivery by adgroup objective, keyed by the targeted cohort (absent unless the scenario
    /// declares adgroups).
    public var adgroups: [String: AdgroupSummary]? = nil
}
