/// The metrics stage: streaming accumulators fed by the engine, turned into the run's
/// `CellMetrics` at the end. Memory grows with advertisers, ads and hours, never with requests.
///
/// The contract: the engine reports every request, auction, impression, click, conversion and
/// budget opening once, in event order; a sink keeps each figure in one place and derives nothing
/// the result does not need. `RunTallies` is the run's own sink.
protocol MetricsSink {
    mutating func recordRequest()
    mutating func recordAuction(candidates: Int)
    /// The active ads per group at a request of `hour` (the last one of the hour is kept).
    mutating func recordActiveAds(_ activeAds: [Double], hour: Int)
    mutating func recordMerit(group: Int, hour: Int, trueMerit: Double, estimatedMerit: Double, candidates: Double)
    mutating func recordImpression(_ impression: Impression)
    mutating func recordClick(_ click: Click)
    mutating func recordConversion(ad: Int, advertiser: Int, cohort: Int, value: Double, time: Double)
    /// An advertiser's budget cap for the day (or what is left of it at entry).
    mutating func recordBudget(advertiser: Int, cap: Double)
    /// An advertiser's spend over its cap at the end of a day (0 when within).
    mutating func recordOverspend(_ amount: Double)
    /// A new advertiser entered with `hoursLeft` whole hours before the horizon.
    mutating func recordEntry(hoursLeft: Int)
}

/// One impression as the metrics see it.
struct Impression {
    /// Account rank of the advertiser, the ad, the user's cohort, the advertiser's tier.
    var rank: Int, ad: Int, cohort: Int, tier: Int
    /// Whether the advertiser entered during the run, and whole hours since its entry (when new).
    var isNew: Bool, hoursSinceEntry: Int
    /// The slot's examination probability, the ad's true click rate, the rate it was ranked on.
    var examination: Double, trueCTR: Double, predicted: Double
    var clicked: Bool, explored: Bool
    var hour: Int
}

/// One click (charge) as the metrics see it.
struct Click {
    var rank: Int, ad: Int, tier: Int
    var isNew: Bool, hoursSinceEntry: Int
    var price: Double
    var hour: Int
    var time: Double
}
