import Stochastics

/// What a fairness control cost, paired against the same policy without it.
public struct FairnessCost: Sendable, Codable {
    public var baseline: String
    /// Relative changes (−0.02 = 2% less).
    public var revenue: Estimate
    public var advertiserWelfare: Estimate
}
