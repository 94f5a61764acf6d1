import Stochastics

/// A model with a flat parameter vector and an exact gradient of its mean loss on a batch.
///
/// Each model writes its forward and backward pass once, generically over `LearningScalar`, and
/// exposes it through the two concrete requirements below (so callers in other modules run
/// specialised code). The `Dual` version returns the gradient's directional derivative when the
/// parameters carry a tangent, which is how `hessianVectorProduct` is exact.
public protocol DifferentiableModel: Sendable {
    var parameterCount: Int { get }
    /// Values per input row.
    var inputWidth: Int { get }
    var loss: Loss { get }
    /// Mean loss over the batch; writes its gradient to `gradient` (overwriting) when given.
    func lossAndGradient(_ θ: UnsafeBufferPointer<Double>, _ batch: Batch, _ gradient: UnsafeMutableBufferPointer<Double>?) -> Double
    /// The same pass on dual numbers.
    func lossAndGradient(_ θ: UnsafeBufferPointer<Dual>, _ batch: Batch, _ gradient: UnsafeMutableBufferPointer<Dual>?) -> Dual
    /// The raw output for one input row (the logit for the logistic loss), without any offset.
    func output(_ θ: UnsafeBufferPointer<Double>, row: UnsafeBufferPointer<Double>) -> Double
    /// A starting point drawn from `stream` (small random weights, zero biases).
    func initialParameters(stream: RandomStream) -> [Double]
}

extension DifferentiableModel {
    /// Mean loss of parameters `θ` on `batch`.
    public func loss(_ θ: [Double], on batch: Batch) -> Double {
        θ.withUnsafeBufferPointer { lossAndGradient($0, batch, nil) }
    }

    /// Mean loss and its gradient.
    public func gradient(_ θ: [Double], on batch: Batch) -> (loss: Double, gradient: [Double]) {
        var g = [Double](repeating: 0, count: parameterCount)
        let l = θ.withUnsafeBufferPointer { p in g.withUnsafeMutableBufferPointer { lossAndGradient(p, batch, $0) } }
        return (l, g)
    }

    /// The exact product H·v of the mean loss's Hessian at θ with a direction v: the gradient's
    /// derivative along v, from one backward pass on dual numbers.
    public func hessianVectorProduct(_ θ: [Double], _ v: [Double], on batch: Batch) -> [Double] {
        precondition(v.count == θ.count)
        var seeded = [Dual](repeating: Dual(0), count: θ.count)
        for i in 0..<θ.count { seeded[i] = Dual(θ[i], tangent: v[i]) }
        var g = [Dual](repeating: Dual(0), count: θ.count)
        _ = seeded.withUnsafeBufferPointer { p in g.withUnsafeMutableBufferPointer { lossAndGradient(p, batch, $0) } }
        return g.map(\.tangent)
    }

    /// Outputs for every row of `batch`.
    public func outputs(_ θ: [Double], on batch: Batch) -> [Double] {
        θ.withUnsafeBufferPointer { p in
            batch.inputs.withUnsafeBufferPointer { x in
                (0..<batch.count).map { r in output(p, row: UnsafeBufferPointer(rebasing: x[(r * inputWidth)..<((r + 1) * inputWidth)])) }
            }
        }
    }
}

/// Turns per-row outputs into the mean loss and writes dLoss/dOutput (already divided by the
/// row count) into `dOut`. Shared by every model's generic pass.
@inline(__always)
func meanLoss<S: LearningScalar>(_ loss: Loss, outputs: UnsafeBufferPointer<S>, batch: Batch, dOut: UnsafeMutableBufferPointer<S>) -> S {
    let n = batch.count
    let scale = S(1 / Double(max(n, 1)))
    var total = S.zero
    for r in 0..<n {
        let o = batch.offset.map { outputs[r] + S($0[r]) } ?? outputs[r]
        let (l, d) = loss.valueAndDerivative(output: o, target: batch.targets[r], observation: batch.observation?[r] ?? 1)
        total += l
        dOut[r] = d * scale
    }
    return total * scale
}
