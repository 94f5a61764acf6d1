import Stochastics

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
