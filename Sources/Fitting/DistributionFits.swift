import CGSL
import Foundation

/// Empirical-Bayes beta-binomial fit of per-ad click rates: each ad's clicks c_i out of n_i
/// examination-weighted impressions are binomial with a rate drawn from Beta(α, β); α and β
/// maximise the marginal likelihood Σ_i [ln B(c_i + α, n_i − c_i + β) − ln B(α, β)] (GSL's
/// `gsl_sf_lnbeta`), found by Nelder–Mead on (ln α, ln β).
public struct BetaBinomialFit: Sendable {
    public var alpha: Double
    public var beta: Double
    /// α/(α + β): the mean click rate over ads.
    public var mean: Double { alpha / (alpha + beta) }
    /// E[logit p] = ψ(α) − ψ(β): the centre of the ads' click logits.
    public var logitCenter: Double { gsl_sf_psi(alpha) - gsl_sf_psi(beta) }
    /// sd of logit p = √(ψ₁(α) + ψ₁(β)): the spread of the ads' click logits.
    public var logitSpread: Double { (gsl_sf_psi_1(alpha) + gsl_sf_psi_1(beta)).squareRoot() }

    public static func fit(clicks: [Double], trials: [Double]) -> BetaBinomialFit {
        let pairs = zip(clicks, trials).filter { $0.1 > 0 }
        let total = pairs.reduce(0) { $0 + $1.0 } / max(1, pairs.reduce(0) { $0 + $1.1 })
        let m = min(0.5, max(1e-4, total))
        func negativeLogLikelihood(_ x: [Double]) -> Double {
            let a = exp(x[0]), b = exp(x[1])
            guard a.isFinite, b.isFinite, a > 1e-6, b > 1e-6, a < 1e7, b < 1e9 else { return .infinity }
            let base = gsl_sf_lnbeta(a, b)
            var l = 0.0
            for (c, n) in pairs { l += gsl_sf_lnbeta(c + a, max(0, n - c) + b) - base }
            return -l
        }
        let start = [log(m * 10), log((1 - m) * 10)]
        let best = NelderMead.minimise(negativeLogLikelihood, start: start, step: 0.7, iterations: 400)
        return BetaBinomialFit(alpha: exp(best[0]), beta: exp(best[1]))
    }
}

/// A small Nelder–Mead simplex minimiser (reflection 1, expansion 2, contraction ½, shrink ½).
enum NelderMead {
    static func minimise(_ f: ([Double]) -> Double, start: [Double], step: Double, iterations: Int) -> [Double] {
        let n = start.count
        var simplex = [start] + (0..<n).map { i -> [Double] in var p = start; p[i] += step; return p }
        var values = simplex.map(f)
        for _ in 0..<iterations {
            let order = values.indices.sorted { values[$0] < values[$1] }
            simplex = order.map { simplex[$0] }; values = order.map { values[$0] }
            if abs(values[n] - values[0]) < 1e-10 * (abs(values[0]) + 1e-10) { break }
            let centroid = (0..<n).map { j in simplex[0..<n].reduce(0) { $0 + $1[j] } / Double(n) }
            func along(_ t: Double) -> [Double] { (0..<n).map { centroid[$0] + t * (simplex[n][$0] - centroid[$0]) } }
            let reflected = along(-1), fr = f(reflected)
            if fr < values[0] {
                let expanded = along(-2), fe = f(expanded)
                if fe < fr { simplex[n] = expanded; values[n] = fe } else { simplex[n] = reflected; values[n] = fr }
            } else if fr < values[n - 1] {
                simplex[n] = reflected; values[n] = fr
            } else {
                let contracted = fr < values[n] ? along(-0.5) : along(0.5), fc = f(contracted)
                if fc < min(fr, values[n]) { simplex[n] = contracted; values[n] = fc } else {
                    for i in 1...n {
                        simplex[i] = (0..<n).map { simplex[0][$0] + 0.5 * (simplex[i][$0] - simplex[0][$0]) }
                        values[i] = f(simplex[i])
                    }
                }
            }
        }
        return simplex[values.indices.min { values[$0] < values[$1] }!]
    }
}

/// A positive quantity's distribution fitted by maximum likelihood: lognormal or Pareto, the one
/// with the lower AIC (both have two parameters, so: the higher likelihood).
public struct SizeDistributionFit: Sendable, Equatable {
    public enum Family: String, Sendable { case lognormal, pareto }
    public var family: Family
    /// lognormal: median e^μ and σ; Pareto: scale x_m and shape α.
    public var first: Double
    public var second: Double
    public var aic: Double
    /// The other family's AIC (for the comment in the scenario).
    public var otherAIC: Double

    /// Lognormal: μ, σ = mean and sd (1/n) of ln x. Pareto: x_m = min x, α = n / Σ ln(x/x_m).
    /// Nil for fewer than two positive values.
    public static func fit(_ xs: [Double]) -> SizeDistributionFit? {
        let x = xs.filter { $0 > 0 && $0.isFinite }
        guard x.count >= 2 else { return nil }
        let n = Double(x.count), logs = x.map { log($0) }
        let mu = logs.reduce(0, +) / n
        let sigma = max(1e-6, (logs.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / n).squareRoot())
        let lognormalLL = logs.reduce(0) { $0 - $1 - log(sigma) - 0.5 * log(2 * .pi) - ($1 - mu) * ($1 - mu) / (2 * sigma * sigma) }
        let xm = x.min()!
        let sumLog = logs.reduce(0) { $0 + ($1 - log(xm)) }
        let shape = sumLog > 0 ? n / sumLog : 1e6
        let paretoLL = n * log(shape) + n * shape * log(xm) - (shape + 1) * logs.reduce(0, +)
        let aicLognormal = 4 - 2 * lognormalLL, aicPareto = 4 - 2 * paretoLL
        if aicPareto < aicLognormal && shape < 1e5 {
            return SizeDistributionFit(family: .pareto, first: xm, second: shape, aic: aicPareto, otherAIC: aicLognormal)
        }
        return SizeDistributionFit(family: .lognormal, first: exp(mu), second: sigma, aic: aicLognormal, otherAIC: aicPareto)
    }

    /// The scenario's YAML for it.
    public var yaml: String {
        switch family {
        case .lognormal: return "{distribution: lognormal, median: \(FitYAML.number(first)), sigma: \(FitYAML.number(min(second, 5)))}"
        case .pareto: return "{distribution: pareto, scale: \(FitYAML.number(first)), shape: \(FitYAML.number(second))}"
        }
    }
}
