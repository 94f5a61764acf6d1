/// Context-free bandit algorithms over Bernoulli (or [0, 1]) rewards.
public enum BanditAlgorithm: String, Sendable, CaseIterable, Codable {
    /// Beta–Bernoulli Thompson sampling with a Beta(1, 1) prior (Thompson 1933; Chapelle & Li 2011).
    case thompson
    /// UCB1: mean + √(2 ln t / n) (Auer, Cesa-Bianchi & Fischer 2002).
    case ucb1
    /// KL-UCB: the largest q with n·KL(mean, q) ≤ ln t (Garivier & Cappé 2011).
    case klUCB = "kl-ucb"
    /// ε-greedy; with `decay`, ε_t = min(ε, c·K/t) (Auer et al.'s schedule, c = 5).
    case epsilonGreedy = "epsilon-greedy"
    /// Softmax / Boltzmann exploration with temperature τ: P(a) ∝ exp(mean_a / τ).
    case softmax
}

/// Tuning of the algorithms that have knobs.
public struct BanditSettings: Sendable, Equatable {
    public var epsilon: Double
    public var decay: Bool
    public var temperature: Double

    public init(epsilon: Double = 0.1, decay: Bool = true, temperature: Double = 0.1) {
        self.epsilon = epsilon
        self.decay = decay
        self.temperature = temperature
    }
}

/// Kullback–Leibler divergence between Bernoulli(p) and Bernoulli(q).
@inlinable
public func bernoulliKL(_ p: Double, _ q: Double) -> Double {
    let p = klClamped(p), q = klClamped(q)
    return p * log(p / q) + (1 - p) * log((1 - p) / (1 - q))
}

/// A probability kept inside [10⁻¹⁵, 1 − 10⁻¹⁵], where `bernoulliKL` evaluates its logarithms.
@inlinable
func klClamped(_ x: Double) -> Double { min(max(x, 1e-15), 1 - 1e-15) }

/// The Lai–Robbins constant C = Σ_{Δᵢ>0} Δᵢ / KL(pᵢ, p*): no consistent policy's expected regret
/// grows slower than C·ln T.
public func laiRobbinsConstant(_ means: [Double]) -> Double {
    let best = means.max() ?? 0
    return means.filter { $0 < best }.reduce(0) { $0 + (best - $1) / bernoulliKL($1, best) }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
