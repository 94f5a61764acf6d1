import Stochastics

public struct BaselineComparison: Sendable, Codable {
    public var baseline: String
    public var revenue: Estimate
    /// Revenue change relative to the baseline's revenue (0.05 = +5%).
    public var revenueRelative: Estimate
    public var tiers: [String: TierComparison]
    public var cohorts: [String: CohortComparison]
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
