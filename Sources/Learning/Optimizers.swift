import Foundation

/// Adam (Kingma & Ba 2015) with bias-corrected moments, on a flat parameter vector.
public struct Adam: Sendable {
    public var learningRate: Double
    public var beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8
    private var m: [Double], v: [Double]
    public private(set) var steps = 0

    public init(parameterCount: Int, learningRate: Double) {
        self.learningRate = learningRate
        m = Array(repeating: 0, count: parameterCount)
        v = m
    }

    /// θ ← θ − lr · m̂ / (√v̂ + ε) for the gradient g.
    public mutating func step(_ θ: inout [Double], gradient g: [Double]) {
        steps += 1
        let c1 = 1 - Foundation.pow(beta1, Double(steps)), c2 = 1 - Foundation.pow(beta2, Double(steps))
        for i in 0..<θ.count {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
            θ[i] -= learningRate * (m[i] / c1) / ((v[i] / c2).squareRoot() + epsilon)
        }
    }
}

/// Plain stochastic gradient descent: θ ← θ − lr · g, optionally only on `range`.
public enum SGD {
    public static func step(_ θ: inout [Double], gradient g: [Double], learningRate lr: Double, range: Range<Int>? = nil) {
        for i in range ?? 0..<θ.count { θ[i] -= lr * g[i] }
    }
}
