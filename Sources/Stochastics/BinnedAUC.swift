import Foundation

/// Streaming AUC and log-loss of probability predictions, in memory independent of sample size.

/// Accumulates predictions and binary outcomes into fixed logit bins.
///
/// AUC is computed from the bin counts with ties inside a bin counted as half (the
/// trapezoid rule), so it differs from the exact Mann–Whitney AUC by at most the mass of
/// pairs falling in the same bin (bins are 0.02 wide in logit space). Log-loss is exact.
public struct PredictionQuality: Sendable {
    public static let binCount = 1000
    static let logitRange = 10.0

    /// Per bin, side by side: positives, negatives and Σ predictions (one array, so recording a
    /// prediction writes one place).
    private var bins: [Double]
    /// Positive outcomes per bin.
    public var positives: [Double] { (0..<Self.binCount).map { bins[3 * $0] } }
    /// Negative outcomes per bin.
    public var negatives: [Double] { (0..<Self.binCount).map { bins[3 * $0 + 1] } }
    /// Σ predictions per bin (for calibration plots: mean prediction vs observed rate per bin).
    public var binPredictions: [Double] { (0..<Self.binCount).map { bins[3 * $0 + 2] } }
    public private(set) var logLossSum = 0.0
    public private(set) var count = 0.0
    /// Σ predictions and Σ p(1 − p): expected positives and their variance if the predictions are right.
    public private(set) var predictedSum = 0.0
    public private(set) var predictedVariance = 0.0
    public private(set) var positiveCount = 0.0

    public init() {
        bins = Array(repeating: 0, count: 3 * Self.binCount)
    }

    /// Records one prediction `p` (probability of the positive outcome) and its outcome.
    public mutating func record(_ p: Double, outcome: Bool) {
        let q = min(max(p, 1e-12), 1 - 1e-12)
        predictedSum += q
        predictedVariance += q * (1 - q)
        if outcome { positiveCount += 1 }
        let logit = log(q / (1 - q))
        let scaled = (logit + Self.logitRange) / (2 * Self.logitRange) * Double(Self.binCount)
        let bin = min(max(Int(scaled), 0), Self.binCount - 1)
        bins[3 * bin + 2] += q
        if outcome {
            bins[3 * bin] += 1
            logLossSum -= log(q)
        } else {
            bins[3 * bin + 1] += 1
            logLossSum -= log(1 - q)
        }
        count += 1
    }

    /// Adds another accumulator's counts into this one.
    public mutating func merge(_ other: PredictionQuality) {
        for i in 0..<bins.count { bins[i] += other.bins[i] }
        logLossSum += other.logLossSum
        count += other.count
        predictedSum += other.predictedSum
        predictedVariance += other.predictedVariance
        positiveCount += other.positiveCount
    }

    /// Mean log-loss, or nil without samples.
    public var logLoss: Double? { count > 0 ? logLossSum / count : nil }

    /// Calibration in the large: Σ predictions ÷ Σ outcomes (1 = calibrated, < 1 = under-predicts),
    /// or nil without positives.
    public var calibration: Double? { positiveCount > 0 ? predictedSum / positiveCount : nil }

    /// Reliability-diagram points: consecutive fine bins pooled `width` at a time; each non-empty
    /// group gives (mean prediction, observed positive rate, sample count).
    public func reliability(width: Int = 50) -> [(predicted: Double, observed: Double, count: Double)] {
        stride(from: 0, to: Self.binCount, by: width).compactMap { start in
            let range = start..<min(start + width, Self.binCount)
            let pos = range.reduce(0) { $0 + bins[3 * $1] }, n = range.reduce(0) { $0 + bins[3 * $1] + bins[3 * $1 + 1] }
            guard n > 0 else { return nil }
            return (range.reduce(0) { $0 + bins[3 * $1 + 2] } / n, pos / n, n)
        }
    }

    /// Area under the ROC curve, or nil unless both outcomes occurred.
    public var auc: Double? {
        let positives = self.positives, negatives = self.negatives
        let totalPos = positives.reduce(0, +), totalNeg = negatives.reduce(0, +)
        guard totalPos > 0, totalNeg > 0 else { return nil }
        var negativesBelow = 0.0, concordant = 0.0
        for i in 0..<Self.binCount {
            concordant += positives[i] * (negativesBelow + 0.5 * negatives[i])
            negativesBelow += negatives[i]
        }
        return concordant / (totalPos * totalNeg)
    }
}
