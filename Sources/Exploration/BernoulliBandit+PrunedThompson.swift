import Stochastics

extension BernoulliBandit {
    /// Thompson sampling's choice among all arms, drawing only the samples that could win.
    ///
    /// The chosen arm has exactly the law of `select` under `.thompson` — the argmax of independent
    /// Beta(1 + s, 1 + f) draws — but consumes the stream differently, so a run gives other
    /// (equally distributed) choices. Each arm's sample is Q⁻¹(W) for a uniform W, Q its posterior's
    /// upper tail. The arm with the highest posterior mean is drawn first, giving a running maximum
    /// M; for every other arm W is drawn, and when W is at least `BetaTail.bound(above: M)` the arm's
    /// sample lies below M and is never computed. Otherwise the exact tail Q(M) decides, and a sample
    /// above M is Q⁻¹(W). With many well-explored arms most cost one uniform and one `exp`.
    /// - Complexity: O(arms), plus an incomplete beta function for the few arms near the top.
    public func selectThompsonPruned(_ stream: RandomStream) -> Int {
        var first = 0, firstMean = -Double.infinity
        for a in 0..<arms {
            let m = posteriorMean(a)
            if m > firstMean { first = a; firstMean = m }
        }
        var best = first
        var top = stream.beta(1 + successes[first], 1 + max(0, trials[first] - successes[first]))
        for a in 0..<arms where a != first {
            let alpha = 1 + successes[a], beta = 1 + max(0, trials[a] - successes[a])
            let bound = BetaTail.bound(above: top, alpha, beta)
            if bound > Self.directDrawBound {
                // Likely to matter: a plain draw is cheaper than the tail and its inverse.
                let x = stream.beta(alpha, beta)
                if x > top { top = x; best = a }
                continue
            }
            let w = stream.uniform()
            if w >= bound { continue }
            let tail = BetaTail.probability(above: top, alpha, beta)
            guard w < tail else { continue }
            top = Self.sampleAbove(top, upperTail: w, tail: tail, alpha, beta, stream)
            best = a
        }
        return best
    }

    /// Above this tail bound an arm is drawn directly.
    static let directDrawBound = 0.25

    /// Q⁻¹(w), which lies above `top` because w < Q(top). Should GSL's inverse fail or round to
    /// `top` or below, a draw from the posterior conditioned to exceed `top` (rejection, when the
    /// tail is not tiny) or Q⁻¹(w) found by bisecting the exact tail on [top, 1] stands in.
    static func sampleAbove(_ top: Double, upperTail w: Double, tail: Double, _ alpha: Double, _ beta: Double,
                            _ stream: RandomStream) -> Double {
        let x = BetaTail.quantile(upperTail: w, alpha, beta)
        if x > top && x <= 1 { return x }
        if tail > 1e-3 {
            while true {
                let y = stream.beta(alpha, beta)
                if y > top { return y }
            }
        }
        var lo = top, hi = 1.0
        for _ in 0..<64 {
            let mid = (lo + hi) / 2
            if BetaTail.probability(above: mid, alpha, beta) > w { lo = mid } else { hi = mid }
        }
        return max(lo, top.nextUp)
    }
}
