import Stochastics

/// A second-order factorisation machine (Rendle 2010) on an input row x of n values:
/// o = w₀ + Σᵢ wᵢxᵢ + ½ Σ_f [(Σᵢ vᵢ_f xᵢ)² − Σᵢ vᵢ_f² xᵢ²].
///
/// Parameters, flat: w₀, then w (n), then V (n × factors, row-major).
public struct FactorizationMachine: DifferentiableModel {
    public let inputWidth: Int
    public let factors: Int
    public let loss: Loss
    public var parameterCount: Int { 1 + inputWidth * (1 + factors) }

    public init(inputWidth: Int, factors: Int, loss: Loss) {
        self.inputWidth = inputWidth
        self.factors = factors
        self.loss = loss
    }

    public func lossAndGradient(_ θ: UnsafeBufferPointer<Double>, _ batch: Batch, _ gradient: UnsafeMutableBufferPointer<Double>?) -> Double {
        pass(θ, batch, gradient)
    }

    public func lossAndGradient(_ θ: UnsafeBufferPointer<Dual>, _ batch: Batch, _ gradient: UnsafeMutableBufferPointer<Dual>?) -> Dual {
        pass(θ, batch, gradient)
    }

    public func output(_ θ: UnsafeBufferPointer<Double>, row: UnsafeBufferPointer<Double>) -> Double {
        var sums = [Double](repeating: 0, count: factors)
        return sums.withUnsafeMutableBufferPointer { forward(θ, row: { row[$0] }, sums: $0) }
    }

    public func initialParameters(stream: RandomStream) -> [Double] {
        var θ = [Double](repeating: 0, count: parameterCount)
        for i in (1 + inputWidth)..<parameterCount { θ[i] = stream.gaussian(sigma: 0.05) }
        return θ
    }

    /// The output, leaving s_f = Σᵢ vᵢ_f xᵢ in `sums` for the backward pass.
    @inline(__always)
    private func forward<S: LearningScalar>(_ θ: UnsafeBufferPointer<S>, row x: (Int) -> Double, sums: UnsafeMutableBufferPointer<S>) -> S {
        let n = inputWidth, f = factors, vBase = 1 + n
        var o = θ[0]
        var squares = S.zero
        for j in 0..<f { sums[j] = .zero }
        for i in 0..<n {
            let xi = S(x(i))
            o += θ[1 + i] * xi
            for j in 0..<f {
                let vx = θ[vBase + i * f + j] * xi
                sums[j] += vx
                squares += vx * vx
            }
        }
        var pairs = S.zero
        for j in 0..<f { pairs += sums[j] * sums[j] }
        return o + S(0.5) * (pairs - squares)
    }

    private func pass<S: LearningScalar>(_ θ: UnsafeBufferPointer<S>, _ batch: Batch, _ gradient: UnsafeMutableBufferPointer<S>?) -> S {
        let n = batch.count, m = inputWidth, f = factors, vBase = 1 + m
        var out = [S](repeating: .zero, count: n), dOut = out
        var sums = [S](repeating: .zero, count: n * f)
        batch.inputs.withUnsafeBufferPointer { x in
            sums.withUnsafeMutableBufferPointer { s in
                for r in 0..<n {
                    out[r] = forward(θ, row: { x[r * m + $0] }, sums: UnsafeMutableBufferPointer(rebasing: s[(r * f)..<((r + 1) * f)]))
                }
            }
        }
        let total = out.withUnsafeBufferPointer { o in dOut.withUnsafeMutableBufferPointer { meanLoss(loss, outputs: o, batch: batch, dOut: $0) } }
        guard let g = gradient else { return total }
        for k in 0..<parameterCount { g[k] = .zero }
        batch.inputs.withUnsafeBufferPointer { x in
            for r in 0..<n {
                let d = dOut[r]
                g[0] += d
                for i in 0..<m {
                    let xi = S(x[r * m + i])
                    g[1 + i] += d * xi
                    for j in 0..<f {
                        // ∂o/∂vᵢ_f = xᵢ (s_f − vᵢ_f xᵢ).
                        g[vBase + i * f + j] += d * xi * (sums[r * f + j] - θ[vBase + i * f + j] * xi)
                    }
                }
            }
        }
        return total
    }
}
