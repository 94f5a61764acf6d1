import Stochastics

public struct FairnessSummary: Sendable, Codable {
    /// Gini coefficient of position-weighted exposure across active advertisers.
    public var exposureGini: Estimate
    /// Jain's index of the same exposures.
    public var jain: Estimate
    /// Largest exposure-for-merit disparity between tiers at the end: (max r − min r) / mean r with
    /// r = exposure per active ad ÷ true merit (bid × click rate per considered impression); 0 = fair.
    public var disparity: Estimate
    /// The same with the ranker's estimated merit (what a platform can measure).
    public var disparityEstimated: Estimate
    /// Disparity between new and established advertisers (true merit).
    public var disparityNew: Estimate
    /// max r ÷ min r across tiers: exposure per unit of merit of the best-treated tier over the worst.
    public var disparateTreatmentRatio: Estimate
    /// Exposure floor only: share of complete sliding windows in which the floor was met.
    public var floorAttainment: Estimate?
}
