import Stochastics

public struct TierSummary: Sendable, Codable {
    public var advertisers: Estimate
    public var spend: Estimate
    public var budget: Estimate
    public var spendDelivery: Estimate
    public var impressions: Estimate
    public var exposureShare: Estimate
    public var clicks: Estimate
    public var conversions: Estimate
    /// Mean log-loss of the ranker's click predictions on this tier's impressions.
    public var logloss: Estimate?
    /// AUC of the ranker's click predictions on this tier's impressions.
    public var auc: Estimate?
    /// Predicted clicks ÷ observed clicks on this tier's impressions (1 = calibrated; below 1 the
    /// ranker under-scores the tier).
    public var calibration: Estimate?
}
