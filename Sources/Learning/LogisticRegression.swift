import Stochastics

/// Logistic regression with dense weights plus one learned bias per entity (an ID feature),
/// trained by SGD under a known observation probability.
///
/// The model predicts p = σ(b₀ + w·φ + β_id). A sample is *observed* with probability e
/// (e.g. a slot's examination probability) and then responds positively with probability p,
/// so the likelihood of a positive is e·p. Training maximises that likelihood, which removes
/// observation bias from the learned p (a position-debiased click model when e is the slot's
/// examination probability). L2 regularisation shrinks every weight and each entity bias toward
/// 0 at each step it is used, so entities seen rarely stay close to the population mean — the
/// behaviour of a "one model for all" ranker on thin-history entities.
/// Knows nothing about ads: features are vectors, entities are integers.
public struct LogisticRegression: Sendable {
    public private(set) var intercept: Double = 0
    public private(set) var weights: [Double]
    public private(set) var entityBias: [Double]

    public init(features: Int, entities: Int, intercept: Double = 0) {
        self.weights = Array(repeating: 0, count: features)
        self.entityBias = Array(repeating: 0, count: entities)
        self.intercept = intercept
    }

    /// The logit b₀ + w·φ + β_id.
    @inlinable
    public func logit(features φ: UnsafeBufferPointer<Double>, entity: Int) -> Double {
        var z = intercept + entityBias[entity]
        for k in 0..<weights.count { z += weights[k] * φ[k] }
        return z
    }

    /// Gradient of the negative log-likelihood with respect to the logit z, for observation
    /// probability e and outcome y. For y = 1: −(1 − σ); for y = 0: e·σ(1 − σ)/(1 − e·σ).
    @inlinable
    public static func logitGradient(z: Double, observation e: Double, positive: Bool) -> Double {
        let p = logistic(z)
        return positive ? -(1 - p) : e * p * (1 - p) / max(1 - e * p, 1e-12)
    }

    /// Sets one entity's bias (e.g. a generated starting value for a new ID); training then moves it as usual.
    public mutating func setEntityBias(_ entity: Int, to value: Double) {
        entityBias[entity] = value
    }

    /// One SGD step on one sample.
    public mutating func step(features φ: UnsafeBufferPointer<Double>, entity: Int, observation e: Double,
                              positive: Bool, learningRate lr: Double, l2: Double) {
        let g = Self.logitGradient(z: logit(features: φ, entity: entity), observation: e, positive: positive)
        intercept -= lr * g
        for k in 0..<weights.count { weights[k] -= lr * (g * φ[k] + l2 * weights[k]) }
        entityBias[entity] -= lr * (g + l2 * entityBias[entity])
    }
}
