import Stochastics

/// Linear or logistic regression: output θ·x on an input row x of `parameterCount` values.
///
/// An intercept is a column of ones in the input. With the logistic loss this is logistic
/// regression (position-debiased when rows carry observation probabilities).
public struct LinearModel: DifferentiableModel {
    public let inputWidth: Int
    public let loss: Loss
    public var parameterCount: Int { inputWidth }

    public init(inputWidth: Int, loss: Loss) {
        self.inputWidth = inputWidth
        self.loss = loss
    }

    public func lossAndGradient(_ θ: UnsafeBufferPointer<Double>, _ batch: Batch, _ gradient: UnsafeMutableBufferPointer<Double>?) -> Double {
        pass(θ, batch, gradient)
    }

    public func lossAndGradient(_ θ: UnsafeBufferPointer<Dual>, _ batch: Batch, _ gradient: UnsafeMutableBufferPointer<Dual>?) -> Dual {
        pass(θ, batch, gradient)
    }

    public func output(_ θ: UnsafeBufferPointer<Double>, row: UnsafeBufferPointer<Double>) -> Double {
        var o = 0.0
        for k in 0..<inputWidth { o += θ[k] * row[k] }
        return o
    }

    public func initialParameters(stream: RandomStream) -> [Double] { Array(repeating: 0, count: parameterCount) }

    private func pass<S: LearningScalar>(_ θ: UnsafeBufferPointer<S>, _ batch: Batch, _ gradient: UnsafeMutableBufferPointer<S>?) -> S {
        let n = batch.count, m = inputWidth
        var out = [S](repeating: .zero, count: n), dOut = out
        batch.inputs.withUnsafeBufferPointer { x in
            for r in 0..<n {
                var o = S.zero
                for k in 0..<m { o += θ[k] * S(x[r * m + k]) }
                out[r] = o
            }
        }
        let total = out.withUnsafeBufferPointer { o in dOut.withUnsafeMutableBufferPointer { meanLoss(loss, outputs: o, batch: batch, dOut: $0) } }
        guard let g = gradient else { return total }
        for k in 0..<m { g[k] = .zero }
        batch.inputs.withUnsafeBufferPointer { x in
            for r in 0..<n {
                let d = dOut[r]
                for k in 0..<m { g[k] += d * S(x[r * m + k]) }
            }
        }
        return total
    }
}
