import Stochastics

/// A context-free bandit over `arms` with [0, 1] rewards: the statistics of every arm and the
/// chosen algorithm's selection rule.
///
/// Rewards may arrive late, in batches or out of order: `update` only adds to the arm's counts,
/// and every algorithm here depends on the counts alone, so the state after a set of updates
/// does not depend on their order. Observations may be fractional (an impression examined with
/// probability 0.3 counts 0.3 trials).
///
///     var bandit = BernoulliBandit(arms: 10, algorithm: .thompson)
///     let arm = bandit.select(stream)      // over all arms
///     bandit.update(arm, reward: 1)
public struct BernoulliBandit: Sendable {
    public let algorithm: BanditAlgorithm
    public let settings: BanditSettings
    /// Σ rewards per arm.
    public private(set) var successes: [Double]
    /// Σ trials per arm.
    public private(set) var trials: [Double]
    /// Total trials so far (the "t" of the index formulas).
    public private(set) var total = 0.0

    public init(arms: Int, algorithm: BanditAlgorithm, settings: BanditSettings = BanditSettings()) {
        self.algorithm = algorithm
        self.settings = settings
        successes = Array(repeating: 0, count: arms)
        trials = successes
    }

    public var arms: Int { trials.count }

    /// Records `trials` trials of `arm` with total reward `reward`.
    public mutating func update(_ arm: Int, reward: Double, trials n: Double = 1) {
        successes[arm] += reward
        trials[arm] += n
        total += n
    }

    /// Posterior mean of the Beta(1 + s, 1 + f) posterior.
    public func posteriorMean(_ arm: Int) -> Double {
        (1 + successes[arm]) / (2 + trials[arm])
    }

    /// Posterior standard deviation of the Beta(1 + s, 1 + f) posterior.
    public func posteriorSD(_ arm: Int) -> Double {
        let a = 1 + successes[arm], b = 1 + max(0, trials[arm] - successes[arm])
        return (a * b / ((a + b) * (a + b) * (a + b + 1))).squareRoot()
    }

    /// Empirical mean (0 for an unplayed arm).
    public func mean(_ arm: Int) -> Double { trials[arm] > 0 ? successes[arm] / trials[arm] : 0 }

    /// Chooses one of `candidates` (arm indices); ties go to the earlier candidate.
    /// - Complexity: O(candidates) (KL-UCB: × its bisection steps).
    public func select(among candidates: UnsafeBufferPointer<Int>, _ stream: RandomStream) -> Int {
        select(among: candidates, weighting: nil, stream)
    }

    /// Chooses one of `candidates` by its index times `weights[i]` (a value per success, e.g. an
    /// order's value): Thompson's sample, the UCB indices, ε-greedy's and softmax's means (softmax's
    /// relative to the largest weight, so the temperature keeps its scale), each multiplied by its
    /// weight. With every weight 1 it is `select(among:_:)`, draw for draw.
    public func select(among candidates: UnsafeBufferPointer<Int>, weights: UnsafeBufferPointer<Double>, _ stream: RandomStream) -> Int {
        select(among: candidates, weighting: weights, stream)
    }

    /// Both selections: no weights is a weight of 1 for every candidate (×1 is exact, so the
    /// unweighted choice is what it always was).
    private func select(among candidates: UnsafeBufferPointer<Int>, weighting weights: UnsafeBufferPointer<Double>?,
                        _ stream: RandomStream) -> Int {
        func weight(_ i: Int) -> Double { weights?[i] ?? 1 }
        switch algorithm {
        case .epsilonGreedy:
            let k = Double(candidates.count)
            let eps = settings.decay ? min(settings.epsilon, 5 * k / max(total, 1)) : settings.epsilon
            if stream.uniform() < eps { return candidates[stream.integer(below: candidates.count)] }
            return argmax(candidates, weight) { mean($0) }
        case .softmax:
            // Exponentiate relative to the best score to avoid overflow.
            let top = weights?.max() ?? 1, scale = top > 0 ? 1 / top : 1
            func score(_ i: Int) -> Double { mean(candidates[i]) * weight(i) * scale }
            let best = candidates.indices.reduce(-Double.infinity) { max($0, score($1)) }
            var total = 0.0
            for i in candidates.indices { total += exp((score(i) - best) / settings.temperature) }
            var u = stream.uniform() * total
            for i in candidates.indices {
                u -= exp((score(i) - best) / settings.temperature)
                if u <= 0 { return candidates[i] }
            }
            return candidates[candidates.count - 1]
        case .thompson:
            return argmax(candidates, weight) { a in
                stream.beta(1 + successes[a], 1 + max(0, trials[a] - successes[a]))
            }
        case .ucb1:
            if let unplayed = candidates.first(where: { trials[$0] == 0 }) { return unplayed }
            let logT = log(max(total, 1))
            return argmax(candidates, weight) { mean($0) + (2 * logT / trials[$0]).squareRoot() }
        case .klUCB:
            if let unplayed = candidates.first(where: { trials[$0] == 0 }) { return unplayed }
            // Pinsker: KL(p, q) ≥ 2(p − q)², so the index is at most mean + √(ln t / 2n); arms whose
            // bound cannot beat the best index so far need no bisection.
            let logT = log(max(total, 1))
            var best = candidates[0], bestScore = -Double.infinity
            for (i, a) in candidates.enumerated() {
                let m = mean(a), w = weight(i)
                guard (m + (logT / (2 * trials[a])).squareRoot()) * w > bestScore else { continue }
                let index = Self.klIndex(m, trials: trials[a], budget: logT) * w
                if index > bestScore { best = a; bestScore = index }
            }
            return best
        }
    }

    /// Chooses among all arms.
    public func select(_ stream: RandomStream) -> Int {
        let all = Array(0..<arms)
        return all.withUnsafeBufferPointer { select(among: $0, stream) }
    }

    /// The largest q ≥ p with n·KL(p, q) ≤ budget, by bisection (30 halvings: error < 1e-9).
    static func klIndex(_ p: Double, trials n: Double, budget: Double) -> Double {
        var lo = p, hi = 1.0
        for _ in 0..<30 {
            let mid = (lo + hi) / 2
            if n * bernoulliKL(p, mid) > budget { hi = mid } else { lo = mid }
        }
        return lo
    }

    /// The candidate with the highest score(arm) × weight(place); ties go to the earlier one.
    private func argmax(_ candidates: UnsafeBufferPointer<Int>, _ weight: (Int) -> Double, _ score: (Int) -> Double) -> Int {
        var best = candidates[0], bestScore = -Double.infinity
        for (i, a) in candidates.enumerated() {
            let s = score(a) * weight(i)
            if s > bestScore { best = a; bestScore = s }
        }
        return best
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
