import Stochastics

/// Prediction quality of a ranker minus that of a baseline ranker, paired per replicate, per
/// tier and for "new". Each policy is scored on the impressions it served itself.
public struct RankerComparison: Sendable, Codable {
    public var baseline: String
    public var tiers: [String: PredictionDifference]
}

public struct PredictionDifference: Sendable, Codable {
    /// Log-loss difference (negative: this ranker predicts better).
    public var logloss: Estimate
    /// AUC difference (positive: this ranker ranks better).
    public var auc: Estimate
}
