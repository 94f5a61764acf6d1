/// Tier-aware calibration: rescales each tier's predicted click rates by (clicks + P) ÷
/// (predicted clicks + P) on that tier's impressions so far, refreshed once per hour — a ranker
/// that under-scores a thin-history tier is corrected toward what that tier's ads really earn.
struct TierCalibrationControl: FairnessStage {
    /// P, the prior in clicks that keeps early factors near 1.
    let priorClicks: Double
    /// The current factor per tier.
    private(set) var calibration: [Double]
    /// Observed clicks and raw (unrescaled) predicted clicks on each tier's impressions.
    private var clicks: [Double]
    private var predictedClicks: [Double]
    private var hour = -1

    init(priorClicks: Double, tiers: Int) {
        self.priorClicks = priorClicks
        calibration = Array(repeating: 1, count: tiers)
        clicks = Array(repeating: 0, count: tiers)
        predictedClicks = clicks
    }

    static var rescalesRates: Bool { true }

    mutating func beginRequest(hour: Int) {
        guard hour != self.hour else { return }
        self.hour = hour
        for t in 0..<calibration.count {
            // With priorClicks 0 a tier without clicks or predictions has no factor yet: keep 1
            // (never 0/0, and never 0, which recordImpression divides by).
            let observed = clicks[t] + priorClicks, predicted = predictedClicks[t] + priorClicks
            calibration[t] = observed > 0 && predicted > 0 && (observed / predicted).isFinite ? observed / predicted : 1
        }
    }

    func rescaled(_ ctr: Double, tier: Int) -> Double { min(ctr * calibration[tier], 1) }

    mutating func recordImpression(tier: Int, isNew: Bool, exposure e: Double, predicted: Double, clicked: Bool, hour: Int) {
        predictedClicks[tier] += e * predicted / calibration[tier]
        if clicked { clicks[tier] += 1 }
    }
}
