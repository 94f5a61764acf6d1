import CGSL

/// The Beta distribution's upper tail, its inverse and a bound on it (GSL's incomplete beta).
public enum BetaTail {
    /// P(X > x) for X ~ Beta(a, b) (`gsl_cdf_beta_Q`).
    public static func probability(above x: Double, _ a: Double, _ b: Double) -> Double {
        GSLSetup.once()
        return gsl_cdf_beta_Q(x, a, b)
    }

    /// The x with P(X > x) = q for X ~ Beta(a, b) (`gsl_cdf_beta_Qinv`); NaN when GSL's search fails.
    public static func quantile(upperTail q: Double, _ a: Double, _ b: Double) -> Double {
        GSLSetup.once()
        return gsl_cdf_beta_Qinv(q, a, b)
    }

    /// An upper bound on P(X > x): exp(−2(a + b + 1)(x − μ)²) above the mean μ = a/(a + b), 1 below.
    ///
    /// Beta(a, b) is sub-Gaussian with a proxy variance of at most 1/(4(a + b + 1)) (Marchal & Arbel
    /// 2017; Elder 2016), so this Chernoff bound holds for every real a, b > 0. It costs one `exp`.
    @inlinable
    public static func bound(above x: Double, _ a: Double, _ b: Double) -> Double {
        let gap = x - a / (a + b)
        return gap > 0 ? exp(-2 * (a + b + 1) * gap * gap) : 1
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
