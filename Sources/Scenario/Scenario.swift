import Foundation

/// The typed, validated scenario: everything a run needs, with defaults filled in.
///
/// Built only by `ScenarioLoader`, which reports every problem at once with its YAML line;
/// a `Scenario` value is therefore always internally consistent (shares positive, vector
/// lengths matching the latent dimension, tier names known, policy names unique).
public struct Scenario: Sendable, Equatable {
    public var name: String
    public var seed: UInt64
    public var replicates: Int
    public var horizon: Horizon
    public var placement: Placement
    public var auction: AuctionSettings
    public var cohorts: [Cohort]
    public var tiers: [Tier]
    public var newAdvertisers: NewAdvertisers
    public var truth: GroundTruth
    public var pacing: PacingSettings
    public var learning: LearningSettings
    public var policies: [Policy]
    /// The unit money is shown in by the reports (display only; "money units" when unset).
    public var currency: String = "money units"
    /// Advertisers who review their results and may leave (nil: off).
    public var advertiserDynamics: AdvertiserDynamics? = nil

    /// Index of the tier called `name`, if any.
    public func tierIndex(_ name: String) -> Int? { tiers.firstIndex { $0.name == name } }

    /// How tier `tier`'s advertisers bid under policy `policy`: the policy's override, else the tier's.
    public func bidding(policy: Int, tier: Int) -> Bidding {
        policies[policy].bidding[tiers[tier].name] ?? tiers[tier].bidding
    }

    /// Whether any advertiser autobids under policy `policy`.
    public func autobids(policy: Int) -> Bool { tiers.indices.contains { bidding(policy: policy, tier: $0).strategy.autobids } }
}

/// How long the run lasts and how traffic is spread over the day.
public struct Horizon: Sendable, Equatable {
    public var days: Double
    public var requestsPerDay: Double
    /// 24 relative hourly traffic weights (normalised to mean 1 when loaded).
    public var diurnal: [Double]
}

/// The ad placement: slots and their examination probabilities (position bias).
public struct Placement: Sendable, Equatable {
    public var examination: [Double]
    public var maxCandidates: Int
    public var retrieval: Retrieval
    public var slots: Int { examination.count }
}

/// How candidates are retrieved for a request.
public enum Retrieval: String, Sendable, CaseIterable, Codable {
    /// A random window of all active ads: every ad is equally likely to be considered.
    case uniform
    /// Drawn with probability ∝ (logged impressions + 1), from an index rebuilt at each
    /// model-update tick: the rich-get-richer funnel; ads that entered since the last rebuild
    /// are not in the index and can only be shown by an explorer.
    case popularity
}

/// Auction rule used to allocate slots and price clicks.
public enum Mechanism: String, Sendable, CaseIterable, Codable {
    case gsp, vcg, secondPrice = "second-price", firstPrice = "first-price"
}

public struct AuctionSettings: Sendable, Equatable {
    public var mechanism: Mechanism
    /// Minimum bid and minimum price per click.
    public var reserve: Double
}

/// What a cohort's requests are ranked for.
public enum Objective: String, Sendable, CaseIterable, Codable {
    case clicks, conversions, orderValue = "order-value"
}

/// A user segment with its own traffic share, objective and feature profile.
public struct Cohort: Sendable, Equatable {
    public var name: String
    public var share: Double
    public var objective: Objective
    /// Centre of the cohort's user feature vectors (length = latent dimension).
    public var center: [Double]
    /// Standard deviation of user features around the centre.
    public var spread: Double
    /// γ: added to the conversion logit of this cohort's clicks.
    public var conversionShift = 0.0
    /// Scales this cohort's order values: a conversion's expected value is the advertiser's
    /// `valuePerConversion` times this (times the advertiser's own factor for the cohort).
    public var orderValueScale = 1.0
}

/// A positive random quantity's distribution as written in the scenario.
public enum Distribution: Sendable, Equatable {
    case constant(Double)
    case lognormal(median: Double, sigma: Double)
    case pareto(scale: Double, shape: Double)
    case uniform(min: Double, max: Double)
    case gamma(mean: Double, shape: Double)

    /// The distribution's mean (infinite for Pareto with shape ≤ 1).
    public var mean: Double {
        switch self {
        case .constant(let v): return v
        case .lognormal(let m, let s): return m * exp(s * s / 2)
        case .pareto(let b, let a): return a > 1 ? a * b / (a - 1) : .infinity
        case .uniform(let lo, let hi): return (lo + hi) / 2
        case .gamma(let mean, _): return mean
        }
    }
}

/// A size class of advertisers.
public struct Tier: Sendable, Equatable {
    public var name: String
    public var count: Int
    public var adsPerAdvertiser: Int
    /// Adgroups per advertiser (1…`adsPerAdvertiser`; 0 when unset: one per ad). An advertiser's ads
    /// are split into its adgroups in order, as evenly as possible; adgroup k targets cohort
    /// k mod (number of cohorts) and is reported under its objective (targeting does not restrict delivery).
    public var adgroupsPerAdvertiser = 0
    /// Each adgroup's share of its advertiser's daily budget (normalised; empty: the adgroups
    /// share the budget without caps of their own).
    public var adgroupBudgetShares: [Double] = []
    /// Daily budget per advertiser.
    public var budget: Distribution
    /// Bid per click per advertiser.
    public var bid: Distribution
    /// Value of one conversion (order value) per advertiser.
    public var valuePerConversion: Distribution
    /// Logged impressions per ad before the run (the incumbent's history).
    public var historyImpressions: Distribution
    /// Shift of the true click logit for this tier (positive: better products than they look).
    public var qualityShift: Double
    /// Shift of the true conversion logit for this tier.
    public var conversionShift: Double
    /// How the tier's advertisers bid (policies may override it per tier).
    public var bidding: Bidding = .fixedCPC

    /// Adgroups per advertiser: `adgroupsPerAdvertiser`, or one per ad when unset.
    public var adgroups: Int { adgroupsPerAdvertiser > 0 ? adgroupsPerAdvertiser : adsPerAdvertiser }
}

/// Advertisers entering during the run: the cold-start population.
public struct NewAdvertisers: Sendable, Equatable {
    public var perDay: Double
    /// The `share` the scenario asked for (entrants among all advertisers by the end of the
    /// horizon, ignoring churn), when it gave one instead of `perDay`; `perDay` holds its conversion.
    public var requestedShare: Double? = nil
    /// Tier name and weight; weights are normalised when loaded.
    public var tierMix: [(tier: String, weight: Double)]

    public static func == (a: Self, b: Self) -> Bool {
        a.perDay == b.perDay && a.requestedShare == b.requestedShare && a.tierMix.map(\.tier) == b.tierMix.map(\.tier)
            && a.tierMix.map(\.weight) == b.tierMix.map(\.weight)
    }
}

/// The hidden response model the simulator draws outcomes from.
public struct GroundTruth: Sendable, Equatable {
    public var latentDimension: Int
    /// Click-through rate of an average ad in the top slot.
    public var baseCTR: Double
    /// Conversion rate of an average click.
    public var baseCVR: Double
    /// Standard deviation of each advertiser's personal deviation from the shared response.
    public var deviationScale: Double
    /// Standard deviation of per-ad quality noise on the click logit.
    public var noise: Double
    /// Standard deviation per day of a random walk on each advertiser's click logit.
    public var drift: Double
    /// Mean delay between a click and its conversion.
    public var conversionDelayHours: Double
    /// κ: weight on the user × ad interaction (the click model's Σₖ wₐₖ·uₖ·xₖ) in the conversion logit.
    public var conversionInteraction = 0.0
    /// σ of the lognormal order value around its median (0: every order is worth its mean).
    public var orderValueSigma = 0.0
    /// δ: standard deviation of each advertiser's log factor per cohort on its order values
    /// (drawn with mean −δ²/2, so the factor's mean is 1).
    public var orderValueDeviation = 0.0
}

public enum PacingKind: String, Sendable, CaseIterable, Codable {
    case none, throttle, multiplicative
}

public struct PacingSettings: Sendable, Equatable {
    public var kind: PacingKind
    public var intervalMinutes: Double
    /// Controller step size ε (on spend relative to the per-interval target).
    public var stepSize: Double
    /// Upper bound μ̄ of the multiplicative pacing multiplier.
    public var maxMultiplier: Double
}

public struct LearningSettings: Sendable, Equatable {
    /// Hours between model-update ticks (retraining on logged feedback).
    public var updateEveryHours: Double
}

public enum RankerKind: String, Sendable, CaseIterable, Codable {
    case oracle, global
    /// The global model plus a meta-learned personal block per ad (MAML family).
    case meta
    /// The global model plus a personal block per ad fine-tuned from zero, without meta-training.
    case finetune
}

/// Meta-learner of a `meta` ranker (the same names as the Learning module's methods).
public enum MetaMethodSetting: String, Sendable, CaseIterable, Codable {
    case maml, fomaml, reptile, metasgd
}

/// What a personal block holds.
public enum PersonalBlock: String, Sendable, CaseIterable, Codable {
    /// A bias (ID embedding) per ad.
    case bias
    /// A bias plus the ad's own weights on the user × ad interaction (the last layer).
    case lastLayer = "last-layer"
}

/// How meta-training samples tasks: every ad alike, or in proportion to its impressions (or their
/// square root), so that the shared start is not pulled toward the many thin-history ads alone.
public enum TaskSampling: String, Sendable, CaseIterable, Codable {
    case uniform
    case impressions
    case sqrtImpressions = "sqrt-impressions"
}

/// Where a learned ranker's conversion rates and order values come from.
public enum ConversionModelKind: String, Sendable, CaseIterable, Codable {
    /// Per-ad conversion counts shrunk toward the global rate; order value = the advertiser's declared value.
    case counts
    /// A logistic conversion model on user × ad features and the cohort, trained on clicks once they
    /// are older than the conversion window, and order values per ad and cohort shrunk toward the
    /// declared value times the cohort's observed ratio.
    case learned
}

/// How a new ad's personal block starts.
public enum ColdStart: String, Sendable, CaseIterable, Codable {
    /// From the meta-learned starting point, like every other ad.
    case none
    /// Its global ID bias initialised, at entry, by a generator of the ad's features, trained as in Meta-Embedding (Pan et al. 2019).
    case metaEmbedding = "meta-embedding"
}

/// Settings of the per-ad personal blocks of a `meta` or `finetune` ranker.
public struct MetaRankerSettings: Sendable, Equatable {
    public var method: MetaMethodSetting = .metasgd
    /// SGD steps adapting a personal block to its support data.
    public var innerSteps = 3
    /// Inner step size (Meta-SGD's starting value).
    public var innerLearningRate = 0.5
    /// Impressions per ad a personal block adapts on (the most recent ones).
    public var supportSize = 20
    /// Impressions per sampled ad a meta-update judges the adapted block on.
    public var querySize = 20
    public var personalBlock: PersonalBlock = .lastLayer
    public var coldStart: ColdStart = .none
    /// Outer (Adam) updates per model-update tick.
    public var metaIterations = 100
    /// Ads (tasks) per outer update.
    public var metaBatch = 16
    /// Adam step size of the outer update.
    public var outerLearningRate = 0.01
    /// Hours between re-adapting the personal blocks of ads with fresh feedback.
    public var adaptEveryHours = 1.0
    /// Only impressions from the last this many hours are support or query data; nil: no limit.
    public var windowHours: Double?
    /// Also keep a personal block per user cohort (cohorts as tasks).
    public var cohortBlocks = false
    /// How a meta-update samples its tasks (adgroups) among those with data.
    public var taskSampling = TaskSampling.uniform
    /// Also keep a personal conversion block per adgroup on top of the learned conversion model,
    /// meta-learned (or fine-tuned) the same way as the click blocks (`conversionModel: learned` only).
    public var conversionBlocks = false

    public init() {}
}

/// Settings of a ranker: the model that predicts click and conversion rates.
public struct RankerSettings: Sendable, Equatable {
    public var kind: RankerKind
    public var learningRate: Double
    public var l2: Double
    public var epochs: Int
    /// Hours between retraining on logged feedback for this policy; nil: `learning.updateEveryHours`.
    public var updateEveryHours: Double?
    /// Personal blocks of a `meta` or `finetune` ranker (ignored by the others).
    public var meta = MetaRankerSettings()
    /// Where conversion rates and order values come from (not for the oracle).
    public var conversionModel = ConversionModelKind.counts
    /// The elapsed-time rule of the learned conversion model: a click is a negative once this many
    /// hours have passed without a conversion (and is not used before).
    public var conversionWindowHours = 24.0
    /// Whether the global model also sees the advertiser's tier (one-hot): a learned shift per tier,
    /// which a brand-new ad gets before its ID bias has any data. Not for the oracle.
    public var tierFeatures = false
}

/// A named policy: one of the alternatives a run compares.
public struct Policy: Sendable, Equatable {
    public var name: String
    public var ranker: RankerSettings
    /// One objective for every cohort, or nil to rank each cohort for its own objective.
    public var objective: Objective?
    /// Top-of-funnel exploration, or nil for none.
    public var explorer: ExplorerSettings?
    /// A fairness control, or nil for none.
    public var fairness: FairnessControl?
    /// Per-tier bidding overrides for this policy (tier name → strategy).
    public var bidding: [String: Bidding] = [:]
}
