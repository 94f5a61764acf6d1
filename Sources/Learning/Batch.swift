import Foundation

/// What a model's scalar output is scored against.
public enum Loss: String, Sendable, Codable {
    /// Mean squared error of the output as a regression prediction.
    case squaredError
    /// Binary cross-entropy of σ(output) for 0/1 targets, with an observation probability e per
    /// row: a positive has likelihood e·σ(o), a negative 1 − e·σ(o) (e = 1: plain logistic loss;
    /// e = a slot's examination probability: a position-debiased click model).
    case logistic
}

/// Rows of inputs with their targets: a support set, a query set, or a training minibatch.
///
/// `inputs` is row-major (count × width). `observation` is used only by the logistic loss and
/// defaults to 1 for every row. `offset` is a fixed per-row amount added to the model's output
/// (e.g. the logit of a frozen base model that a small model corrects); it defaults to 0.
public struct Batch: Sendable {
    public var width: Int
    public var inputs: [Double]
    public var targets: [Double]
    public var observation: [Double]?
    public var offset: [Double]?

    public init(width: Int, inputs: [Double], targets: [Double], observation: [Double]? = nil, offset: [Double]? = nil) {
        precondition(inputs.count == width * targets.count, "inputs must hold width × count values")
        precondition(observation == nil || observation!.count == targets.count, "one observation per row")
        precondition(offset == nil || offset!.count == targets.count, "one offset per row")
        self.width = width
        self.inputs = inputs
        self.targets = targets
        self.observation = observation
        self.offset = offset
    }

    public var count: Int { targets.count }

    /// The rows of `self` followed by the rows of `other` (same width).
    public func appending(_ other: Batch) -> Batch {
        func joined(_ a: [Double]?, _ b: [Double]?, missing: Double) -> [Double]? {
            a == nil && b == nil ? nil : (a ?? Array(repeating: missing, count: count)) + (b ?? Array(repeating: missing, count: other.count))
        }
        return Batch(width: width, inputs: inputs + other.inputs, targets: targets + other.targets,
                     observation: joined(observation, other.observation, missing: 1), offset: joined(offset, other.offset, missing: 0))
    }
}

extension Loss {
    /// Loss of one row and its derivative with respect to the output, generic so that the
    /// derivative itself can be differentiated (dual numbers).
    @inline(__always)
    func valueAndDerivative<S: LearningScalar>(output o: S, target y: Double, observation e: Double) -> (S, S) {
        switch self {
        case .squaredError:
            let r = o - S(y)
            return (r * r, S(2) * r)
        case .logistic:
            let p = S.sigmoid(o), d = Self.logisticDerivative(p: p, positive: y > 0.5, observation: e)
            // −log(e·σ(o)) = −log e + softplus(−o); −log(1 − σ(o)) = softplus(o); else −log(1 − e·σ(o)).
            if y > 0.5 { return (S(-Foundation.log(max(e, 1e-300))) + S.softplus(-o), d) }
            if e >= 1 { return (S.softplus(o), d) }
            return (-S.log(S(1) - S(e) * p), d)
        }
    }

    /// d/do of the position-debiased logistic loss at p = σ(o): −(1 − p) for a positive; for a
    /// negative, p when always observed (e ≥ 1), else e·p·(1 − p)/(1 − e·p).
    @inlinable @inline(__always)
    public static func logisticDerivative<S: LearningScalar>(p: S, positive: Bool, observation e: Double) -> S {
        if positive { return p - S(1) }
        if e >= 1 { return p }
        let q = S(1) - S(e) * p
        return S(e) * p * (S(1) - p) / q
    }
}
