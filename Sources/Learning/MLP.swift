import Foundation
import Stochastics

/// A fully connected network with one scalar output, e.g. 1-40-40-1 for the sinusoid benchmark.
///
/// Parameters, flat, layer by layer: W (inputs × outputs, row-major) then the bias b (outputs).
/// Hidden layers use `activation`; the output layer is linear (its value is the logit under the
/// logistic loss).
public struct MLP: DifferentiableModel {
    public enum Activation: String, Sendable, Codable { case relu, tanh }

    /// Widths from input to output; the last must be 1.
    public let sizes: [Int]
    public let activation: Activation
    public let loss: Loss
    /// Offset of each layer's W in the parameter vector (its b follows W).
    private let offsets: [Int]
    public let parameterCount: Int
    /// Standard deviation of the initial weights; nil: He-style √(2/fan-in) (ReLU) or √(1/fan-in).
    public var initialWeightScale: Double?

    public init(sizes: [Int], activation: Activation, loss: Loss, initialWeightScale: Double? = nil) {
        self.initialWeightScale = initialWeightScale
        precondition(sizes.count >= 2 && sizes.last == 1, "an MLP needs an input width and a scalar output")
        self.sizes = sizes
        self.activation = activation
        self.loss = loss
        var offsets: [Int] = [], total = 0
        for l in 1..<sizes.count {
            offsets.append(total)
            total += sizes[l - 1] * sizes[l] + sizes[l]
        }
        self.offsets = offsets
        parameterCount = total
    }

    public var inputWidth: Int { sizes[0] }

    public func lossAndGradient(_ θ: UnsafeBufferPointer<Double>, _ batch: Batch, _ gradient: UnsafeMutableBufferPointer<Double>?) -> Double {
        pass(θ, batch, gradient)
    }

    public func lossAndGradient(_ θ: UnsafeBufferPointer<Dual>, _ batch: Batch, _ gradient: UnsafeMutableBufferPointer<Dual>?) -> Dual {
        pass(θ, batch, gradient)
    }

    public func output(_ θ: UnsafeBufferPointer<Double>, row: UnsafeBufferPointer<Double>) -> Double {
        let batch = Batch(width: inputWidth, inputs: Array(row), targets: [0])
        var out = [0.0]
        out.withUnsafeMutableBufferPointer { o in forward(θ, batch, post: nil, out: o) }
        return out[0]
    }

    /// Gaussian weights (see `initialWeightScale`); zero biases.
    public func initialParameters(stream: RandomStream) -> [Double] {
        var θ = [Double](repeating: 0, count: parameterCount)
        for l in 1..<sizes.count {
            let fanIn = Double(sizes[l - 1])
            let sigma = initialWeightScale ?? ((activation == .relu ? 2 : 1) / fanIn).squareRoot()
            for k in 0..<(sizes[l - 1] * sizes[l]) { θ[offsets[l - 1] + k] = stream.gaussian(sigma: sigma) }
        }
        return θ
    }

    @inline(__always)
    private func activate<S: LearningScalar>(_ z: S) -> S {
        switch activation {
        case .relu: return z.value > 0 ? z : .zero
        case .tanh: return S.tanh(z)
        }
    }

    /// dActivation/dz expressed through the activation's output a (ReLU: a > 0; tanh: 1 − a²).
    @inline(__always)
    private func slope<S: LearningScalar>(activated a: S) -> S {
        switch activation {
        case .relu: return a.value > 0 ? S(1) : .zero
        case .tanh: return S(1) - a * a
        }
    }

    /// Runs the batch forward. With `post`, stores every hidden layer's activations there
    /// one hidden layer after another, each rows × width.
    private func forward<S: LearningScalar>(_ θ: UnsafeBufferPointer<S>, _ batch: Batch,
                                            post: UnsafeMutableBufferPointer<S>?, out: UnsafeMutableBufferPointer<S>) {
        let n = batch.count, layers = sizes.count - 1
        let widest = sizes.max()!
        var current = [S](repeating: .zero, count: n * widest), next = current
        for r in 0..<n { for k in 0..<sizes[0] { current[r * sizes[0] + k] = S(batch.inputs[r * sizes[0] + k]) } }
        var postOffset = 0
        for l in 0..<layers {
            let fin = sizes[l], fout = sizes[l + 1], w = offsets[l], b = w + fin * fout
            current.withUnsafeBufferPointer { a in
                next.withUnsafeMutableBufferPointer { z in
                    let W = θ.baseAddress!, A = a.baseAddress!, Z = z.baseAddress!
                    for r in 0..<n {
                        let zr = Z + r * fout, ar = A + r * fin
                        for j in 0..<fout { zr[j] = W[b + j] }
                        for i in 0..<fin { axpy(ar[i], W + (w + i * fout), zr, fout) }
                        if l < layers - 1 {
                            for j in 0..<fout { zr[j] = activate(zr[j]) }
                        }
                    }
                }
            }
            if l < layers - 1, let post {
                for k in 0..<(n * fout) { post[postOffset + k] = next[k] }
                postOffset += n * fout
            }
            swap(&current, &next)
        }
        for r in 0..<n { out[r] = current[r] }
    }

    private func pass<S: LearningScalar>(_ θ: UnsafeBufferPointer<S>, _ batch: Batch, _ gradient: UnsafeMutableBufferPointer<S>?) -> S {
        let n = batch.count, layers = sizes.count - 1
        let hiddenTotal = sizes.dropFirst().dropLast().reduce(0, +) * n
        var hidden = [S](repeating: .zero, count: hiddenTotal)
        var out = [S](repeating: .zero, count: n), dOut = out
        hidden.withUnsafeMutableBufferPointer { h in out.withUnsafeMutableBufferPointer { o in forward(θ, batch, post: h, out: o) } }
        let total = out.withUnsafeBufferPointer { o in dOut.withUnsafeMutableBufferPointer { meanLoss(loss, outputs: o, batch: batch, dOut: $0) } }
        guard let g = gradient else { return total }
        for k in 0..<parameterCount { g[k] = .zero }
        // Start offsets of each hidden layer's activations.
        var hiddenStart = [Int](repeating: 0, count: layers)
        for l in 1..<layers { hiddenStart[l] = hiddenStart[l - 1] + (l > 1 ? sizes[l - 1] * n : 0) }
        let widest = sizes.max()!
        var delta = [S](repeating: .zero, count: n * widest), below = delta
        for r in 0..<n { delta[r] = dOut[r] }
        hidden.withUnsafeBufferPointer { h in
            batch.inputs.withUnsafeBufferPointer { input in
                for l in stride(from: layers - 1, through: 0, by: -1) {
                    let fin = sizes[l], fout = sizes[l + 1], w = offsets[l], b = w + fin * fout
                    // Activations feeding layer l: the input for l = 0, else hidden layer l.
                    let aStart = l == 0 ? 0 : hiddenStart[l]
                    delta.withUnsafeBufferPointer { d in
                        below.withUnsafeMutableBufferPointer { da in
                            let W = θ.baseAddress!, G = g.baseAddress!
                            for r in 0..<n {
                                let dr = d.baseAddress! + r * fout
                                axpy(S(1), dr, G + b, fout)
                                for i in 0..<fin {
                                    let ai = l == 0 ? S(input[r * fin + i]) : h[aStart + r * fin + i]
                                    let row = w + i * fout
                                    axpy(ai, dr, G + row, fout)
                                    if l > 0 { da[r * fin + i] = dot(W + row, dr, fout) * slope(activated: ai) }
                                }
                            }
                        }
                    }
                    if l > 0 { swap(&delta, &below) }
                }
            }
        }
        return total
    }
}

/// y[0..<n] += a · x[0..<n].
@inline(__always)
func axpy<S: LearningScalar>(_ a: S, _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, _ n: Int) {
    for j in 0..<n { y[j] = y[j] + a * x[j] }
}

/// Σ x[j]·y[j] with four interleaved partial sums (so the loop is not one serial dependency chain).
@inline(__always)
func dot<S: LearningScalar>(_ x: UnsafePointer<S>, _ y: UnsafePointer<S>, _ n: Int) -> S {
    var s0 = S.zero, s1 = S.zero, s2 = S.zero, s3 = S.zero
    var j = 0
    while j + 4 <= n {
        s0 = s0 + x[j] * y[j]
        s1 = s1 + x[j + 1] * y[j + 1]
        s2 = s2 + x[j + 2] * y[j + 2]
        s3 = s3 + x[j + 3] * y[j + 3]
        j += 4
    }
    while j < n { s0 = s0 + x[j] * y[j]; j += 1 }
    return (s0 + s1) + (s2 + s3)
}
