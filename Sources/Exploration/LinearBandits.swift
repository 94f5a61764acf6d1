import Stochastics

/// Contextual bandits with a linear reward model r = θ·x + noise: LinUCB (Li, Chu, Langford &
/// Schapire 2010) and linear Thompson sampling (Agrawal & Goyal 2013).
///
/// Keeps A⁻¹ (A = λI + Σ x xᵀ) up to date with Sherman–Morrison rank-one updates, so an update
/// costs O(d²) and no matrix is ever inverted.
public struct LinearBandit: Sendable {
    public enum Rule: String, Sendable, CaseIterable { case linUCB = "linucb", linearThompson = "linear-thompson" }

    public let rule: Rule
    public let dimension: Int
    /// LinUCB's confidence width α, or linear TS's posterior scale v.
    public let width: Double
    public private(set) var inverse: [Double]
    public private(set) var b: [Double]
    private var scratch: [Double]

    public init(dimension d: Int, rule: Rule, width: Double = 1, ridge: Double = 1) {
        self.rule = rule
        dimension = d
        self.width = width
        inverse = Array(repeating: 0, count: d * d)
        for i in 0..<d { inverse[i * d + i] = 1 / ridge }
        b = Array(repeating: 0, count: d)
        scratch = b
    }

    /// Current estimate θ̂ = A⁻¹ b.
    public var theta: [Double] {
        (0..<dimension).map { i in (0..<dimension).reduce(0) { $0 + inverse[i * dimension + $1] * b[$1] } }
    }

    /// xᵀ A⁻¹ x.
    func quadratic(_ x: ArraySlice<Double>) -> Double {
        let d = dimension, base = x.startIndex
        var total = 0.0
        for i in 0..<d {
            var row = 0.0
            for j in 0..<d { row += inverse[i * d + j] * x[base + j] }
            total += x[base + i] * row
        }
        return total
    }

    /// Chooses the arm among `contexts` (one row of `dimension` values per arm).
    public func select(contexts: [Double], _ stream: RandomStream) -> Int {
        let d = dimension, arms = contexts.count / d
        let thetaHat = theta
        var sampled = thetaHat
        if rule == .linearThompson {
            // θ ~ N(θ̂, v² A⁻¹) through the Cholesky factor of A⁻¹.
            let l = Self.cholesky(inverse, d)
            let z = (0..<d).map { _ in stream.gaussian() }
            for i in 0..<d { sampled[i] = thetaHat[i] + width * (0...i).reduce(0) { $0 + l[i * d + $1] * z[$1] } }
        }
        var best = 0, bestScore = -Double.infinity
        for a in 0..<arms {
            let x = contexts[(a * d)..<(a * d + d)]
            var score = 0.0
            for k in 0..<d { score += sampled[k] * x[a * d + k] }
            if rule == .linUCB { score += width * quadratic(x).squareRoot() }
            if score > bestScore { best = a; bestScore = score }
        }
        return best
    }

    /// Adds the observation (x, r): A ← A + x xᵀ (Sherman–Morrison on A⁻¹), b ← b + r x.
    public mutating func update(context x: [Double], reward r: Double) {
        let d = dimension
        for i in 0..<d { scratch[i] = (0..<d).reduce(0) { $0 + inverse[i * d + $1] * x[$1] } }
        let denominator = 1 + (0..<d).reduce(0) { $0 + x[$1] * scratch[$1] }
        for i in 0..<d { for j in 0..<d { inverse[i * d + j] -= scratch[i] * scratch[j] / denominator } }
        for i in 0..<d { b[i] += r * x[i] }
    }

    /// Lower-triangular L with L Lᵀ = M for a symmetric positive-definite d × d matrix.
    static func cholesky(_ m: [Double], _ d: Int) -> [Double] {
        var l = Array(repeating: 0.0, count: d * d)
        for i in 0..<d {
            for j in 0...i {
                var s = m[i * d + j]
                for k in 0..<j { s -= l[i * d + k] * l[j * d + k] }
                l[i * d + j] = i == j ? max(s, 1e-12).squareRoot() : s / l[j * d + j]
            }
        }
        return l
    }
}
