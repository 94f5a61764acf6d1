import Stochastics

public struct BaselineComparison: Sendable, Codable {
    public var baseline: String
    public var revenue: Estimate
    /// Revenue change relative to the baseline's revenue (0.05 = +5%).
    public var revenueRelative: Estimate
    public var tiers: [String: TierComparison]
    public var cohorts: [String: CohortComparison]
    /// Advertiser welfare change relative to the baseline's (absent in runs of earlier versions).
    public var advertiserWelfareRelative: Estimate?
    /// Change in the share of new ads that got a click, paired per replicate (0.05 = +5 points).
    public var newAdsWithClick: Estimate?
    /// Change in mean hours from entry to first click, paired per replicate (negative: faster).
    public var hoursToFirstClick: Estimate?
}

public struct TierComparison: Sendable, Codable {
    public var spendDelivery: Estimate
    public var exposureShare: Estimate
}

/// Relative changes of a cohort's outcomes (0.1 = +10%).
public struct CohortComparison: Sendable, Codable {
    public var clicksRelative: Estimate
    public var conversionsRelative: Estimate
    public var orderValueRelative: Estimate
}
