import Stochastics

/// Streaming accumulators for one (policy, replicate) run: memory grows with advertisers and
/// hours, never with requests.
public struct CellMetrics: Sendable {
    public let tierCount: Int
    // Per advertiser.
    public internal(set) var budget: [Double]
    public internal(set) var spend: [Double]
    public internal(set) var impressions: [Double]
    /// Position-weighted impressions (Σ examination probability of the slots shown in).
    public internal(set) var exposure: [Double]
    public internal(set) var clicks: [Double]
    public internal(set) var conversions: [Double]
    /// Value of conversions to the advertiser (Σ value per conversion).
    public internal(set) var value: [Double]
    /// Prediction quality of the ranker's click predictions, per tier; the last entry is "new".
    public internal(set) var prediction: [PredictionQuality]
    /// Per hour × (tiers + 1) spend and exposure; the last column is "new".
    public internal(set) var hourlySpend: [Double]
    public internal(set) var hourlyExposure: [Double]
    /// Per hour × (tiers + 1): Σ true and estimated merit (bid × click rate) of the candidates
    /// considered, their number, and the active ads at the last request of the hour.
    public internal(set) var hourlyMeritTrue: [Double]
    public internal(set) var hourlyMeritEstimated: [Double]
    public internal(set) var hourlyMeritCount: [Double]
    public internal(set) var hourlyActiveAds: [Double]
    /// Exposure-for-merit disparity between tiers at the end (true and estimated merit), between
    /// new and established advertisers, and the disparate-treatment ratio.
    public internal(set) var disparity = 0.0
    public internal(set) var disparityEstimated = 0.0
    public internal(set) var disparityNew = Double.nan
    public internal(set) var treatmentRatio = Double.nan
    /// Exposure floor: complete windows, and those in which the group's share met the floor.
    public internal(set) var floorWindows = 0.0
    public internal(set) var floorWindowsMet = 0.0
    public internal(set) var requests = 0
    /// Work counters for benchmarks: requests that reached an auction, candidates scored, events processed.
    public internal(set) var auctions = 0
    public internal(set) var candidatesScored = 0
    public internal(set) var events = 0
    /// Per cohort: impressions, clicks, conversions and order value.
    public internal(set) var cohortImpressions: [Double]
    public internal(set) var cohortClicks: [Double]
    public internal(set) var cohortConversions: [Double]
    public internal(set) var cohortValue: [Double]
    /// New advertisers' ramp, by whole hours since entry: impressions, clicks and spend summed
    /// over entrants (divide by `rampEntrants` for a per-entrant figure).
    public internal(set) var rampImpressions: [Double]
    public internal(set) var rampClicks: [Double]
    public internal(set) var rampSpend: [Double]
    /// Number of entrants whose age reached each hour before the horizon.
    public internal(set) var rampEntrants: [Double]
    /// Per ad: impressions won in regular auctions, and the times (seconds) of the first click and
    /// first conversion (NaN: none).
    public internal(set) var adRegularImpressions: [Double]
    public internal(set) var adFirstClick: [Double]
    public internal(set) var adFirstConversion: [Double]
    /// Impressions handed out by the explorer.
    public internal(set) var exploredImpressions = 0.0
    /// Σ examination × true click rate over all impressions: the expected clicks of the allocation.
    public internal(set) var expectedClicks = 0.0
    /// Filled in at the end of the run: explorer graduations, ads ever eligible for its pool, and
    /// new ads with top-quartile true quality that reached regular traffic.
    public internal(set) var graduations = 0.0
    public internal(set) var poolAds = 0.0
    public internal(set) var hitsFound = 0.0
    /// New ads active during the run, how many got a click, and mean hours from entry to the
    /// first click / first conversion over those that got one (NaN: none did).
    public internal(set) var newAds = 0.0
    public internal(set) var newAdsWithClick = 0.0
    public internal(set) var hoursToFirstClick = Double.nan
    public internal(set) var hoursToFirstConversion = Double.nan
    /// Largest amount by which any advertiser's spend in a day exceeded that day's budget.
    public internal(set) var largestOverspend = 0.0
    /// Largest price per click charged during the run.
    public internal(set) var largestPrice = 0.0
    /// The market over time under `advertiserDynamics` (nil without).
    public internal(set) var dynamics: DynamicsSeries?
    /// The autobidders' end state and bid landscape (nil when nobody autobids).
    public internal(set) var autobidding: AutobidOutcome?
    /// Delivery by adgroup objective (nil unless the scenario declares adgroups).
    public internal(set) var adgroups: AdgroupTallies?
    /// Adgroups in the world (entrants' included; every ad's own when none are declared).
    public internal(set) var adgroupCount = 0

    init(advertisers: Int, ads: Int, tiers: Int, hours: Int, cohorts: Int) {
        adRegularImpressions = Array(repeating: 0, count: ads)
        adFirstClick = Array(repeating: .nan, count: ads)
        adFirstConversion = adFirstClick
        cohortImpressions = Array(repeating: 0, count: cohorts)
        cohortClicks = cohortImpressions; cohortConversions = cohortImpressions; cohortValue = cohortImpressions
        rampImpressions = Array(repeating: 0, count: hours)
        rampClicks = rampImpressions; rampSpend = rampImpressions; rampEntrants = rampImpressions
        tierCount = tiers
        budget = Array(repeating: 0, count: advertisers)
        spend = budget; impressions = budget; exposure = budget; clicks = budget; conversions = budget; value = budget
        prediction = Array(repeating: PredictionQuality(), count: tiers + 1)
        hourlySpend = Array(repeating: 0, count: hours * (tiers + 1))
        hourlyExposure = hourlySpend
        hourlyMeritTrue = hourlySpend; hourlyMeritEstimated = hourlySpend; hourlyMeritCount = hourlySpend; hourlyActiveAds = hourlySpend
    }

    public var hours: Int { hourlySpend.count / (tierCount + 1) }
}

/// What the autobidders of a run ended with.
public struct AutobidOutcome: Sendable {
    /// Per advertiser (by number): bid per conversion at the end, and target per conversion (NaN:
    /// max-conversions or a fixed-CPC advertiser).
    public internal(set) var bidPerConversion: [Double]
    public internal(set) var target: [Double]
    /// Per tier: candidacies of autobidding ads and the sum of their per-click bids.
    public internal(set) var candidacies: [Double]
    public internal(set) var bidSum: [Double]
}
