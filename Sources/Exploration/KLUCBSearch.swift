#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// KL-UCB's choice among all arms of a `BernoulliBandit`, with one KL evaluation per arm instead
/// of a bisection per arm.
///
/// Chooses exactly the arm `BernoulliBandit.select` chooses under `.klUCB` (the highest index,
/// ties to the lower arm). The last chosen arm's index q is computed first, by the same bisection;
/// another arm's index exceeds q only if n·KL(p, q) ≤ ln t (KL(p, ·) grows above p), a test that
/// costs no logarithm: KL(p, q) = [p ln p + (1 − p) ln(1 − p)] − p ln q − (1 − p) ln(1 − q), the
/// bracket cached per arm and the logs of q taken once per step. Only the arms that pass are
/// bisected. The test skips an arm only when it fails by a margin far above rounding, so rounding
/// cannot make it skip an arm the bisection would choose.
///
/// Call `refresh` after every `update` of the bandit, with the arm updated.
public struct KLUCBSearch: Sendable {
    /// p ln p + (1 − p) ln(1 − p) of each arm's mean, clamped as `bernoulliKL` clamps it.
    private var negativeEntropy: [Double]
    private var last = 0

    public init(_ bandit: BernoulliBandit) {
        negativeEntropy = Array(repeating: 0, count: bandit.arms)
        for a in 0..<bandit.arms { refresh(a, bandit) }
    }

    /// Recomputes `arm`'s cached term from the bandit's counts.
    public mutating func refresh(_ arm: Int, _ bandit: BernoulliBandit) {
        let p = klClamped(bandit.mean(arm))
        negativeEntropy[arm] = p * log(p) + (1 - p) * log(1 - p)
    }

    /// The arm KL-UCB plays next.
    public mutating func select(_ bandit: BernoulliBandit) -> Int {
        if let unplayed = bandit.trials.firstIndex(of: 0) { last = unplayed; return unplayed }
        let logT = log(max(bandit.total, 1))
        let slack = 1e-8 * max(logT, 1)
        var best = last
        var bestScore = BernoulliBandit.klIndex(bandit.mean(last), trials: bandit.trials[last], budget: logT)
        var logQ = log(klClamped(bestScore)), logNotQ = log(1 - klClamped(bestScore))
        for a in 0..<bandit.arms where a != last {
            let p = bandit.mean(a)
            if p < bestScore {
                let c = klClamped(p)
                if bandit.trials[a] * (negativeEntropy[a] - c * logQ - (1 - c) * logNotQ) > logT + slack { continue }
            }
            let score = BernoulliBandit.klIndex(p, trials: bandit.trials[a], budget: logT)
            if score > bestScore || (score == bestScore && a < best) {
                best = a
                bestScore = score
                logQ = log(klClamped(bestScore))
                logNotQ = log(1 - klClamped(bestScore))
            }
        }
        last = best
        return best
    }
}
