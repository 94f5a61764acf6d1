import Stochastics

public struct CohortSummary: Sendable, Codable {
    public var objective: String
    public var impressions: Estimate
    public var clicks: Estimate
    public var conversions: Estimate
    /// Order value of the cohort's conversions.
    public var orderValue: Estimate
}
