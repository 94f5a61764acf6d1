import CGSL

/// A mean over replicates with its 95% Student-t confidence interval.
///
/// With fewer than two finite samples the interval collapses to the mean (there is no spread
/// to estimate); `count` says how many samples it rests on, and `dropped` how many were left out
/// as not finite (written to JSON as `"dropped"` only when some were, so a reader sees it).
public struct Estimate: Sendable, Equatable, Codable {
    public var mean: Double
    public var ci95: [Double]
    public var count: Int
    public var dropped = 0

    public init(mean: Double, lower: Double, upper: Double, count: Int) {
        self.mean = mean
        self.ci95 = [lower, upper]
        self.count = count
    }

    public var lower: Double { ci95[0] }
    public var upper: Double { ci95[1] }
    /// Whether the interval excludes zero (a difference that can be called a change).
    public var excludesZero: Bool { lower > 0 || upper < 0 }

    private enum CodingKeys: String, CodingKey { case mean, ci95, dropped }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mean = try c.decode(Double.self, forKey: .mean)
        ci95 = try c.decode([Double].self, forKey: .ci95)
        count = 0
        dropped = try c.decodeIfPresent(Int.self, forKey: .dropped) ?? 0
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(mean, forKey: .mean)
        try c.encode(ci95, forKey: .ci95)
        if dropped > 0 { try c.encode(dropped, forKey: .dropped) }
    }
}

extension Estimate {
    /// The fewest replicates whose 95% t-interval would exclude zero if the mean and the spread
    /// stayed as observed: the smallest N with t(N − 1)·s/√N < |mean|, s recovered from this
    /// interval's half-width. Nil when the mean is 0, there are fewer than two replicates, the
    /// interval is not finite, or more than `limit` would be needed.
    public func replicatesToResolve(limit: Int = 100_000) -> Int? {
        let half = (upper - lower) / 2
        guard count > 1, mean != 0, half.isFinite, half > 0 else { return nil }
        let s = half * Double(count).squareRoot() / Statistics.tCritical(degreesOfFreedom: count - 1)
        // t(N − 1) ≥ 1.96, so N ≥ (1.96·s/|mean|)² is a lower bound to start from.
        let start = max(2, Int(((1.959964 * s / abs(mean)) * (1.959964 * s / abs(mean))).rounded(.down)))
        guard start <= limit else { return nil }
        for n in start...limit where Statistics.tCritical(degreesOfFreedom: n - 1) * s / Double(n).squareRoot() < abs(mean) {
            return n
        }
        return nil
    }
}

/// Sample statistics computed with GSL.
public enum Statistics {
    /// Arithmetic mean (`gsl_stats_mean`); 0 for an empty sample.
    public static func mean(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return 0 }
        return xs.withUnsafeBufferPointer { gsl_stats_mean($0.baseAddress, 1, $0.count) }
    }

    /// Sample standard deviation with n − 1 in the denominator (`gsl_stats_sd`); 0 below two samples.
    public static func standardDeviation(_ xs: [Double]) -> Double {
        guard xs.count > 1 else { return 0 }
        return xs.withUnsafeBufferPointer { gsl_stats_sd($0.baseAddress, 1, $0.count) }
    }

    /// The two-sided Student-t critical value for the given confidence and degrees of freedom.
    public static func tCritical(confidence: Double = 0.95, degreesOfFreedom: Int) -> Double {
        GSLSetup.once()
        return gsl_cdf_tdist_Pinv(0.5 + confidence / 2, Double(degreesOfFreedom))
    }

    /// Mean and 95% t-interval of the finite values in `xs`.
    public static func estimate(_ xs: [Double]) -> Estimate {
        let finite = xs.filter { $0.isFinite }
        let m = mean(finite)
        var e: Estimate
        if finite.count > 1 {
            let half = tCritical(degreesOfFreedom: finite.count - 1) * standardDeviation(finite) / Double(finite.count).squareRoot()
            e = Estimate(mean: m, lower: m - half, upper: m + half, count: finite.count)
        } else {
            e = Estimate(mean: m, lower: m, upper: m, count: finite.count)
        }
        e.dropped = xs.count - finite.count
        return e
    }

    /// Paired difference `b − a` element by element, then its estimate.
    public static func pairedDifference(_ a: [Double], _ b: [Double]) -> Estimate {
        estimate(zip(a, b).map { $1 - $0 })
    }

    /// The q-quantile of `xs` (0 ≤ q ≤ 1) by GSL's linear interpolation on the sorted sample.
    public static func quantile(_ xs: [Double], _ q: Double) -> Double {
        guard !xs.isEmpty else { return 0 }
        var sorted = xs
        sorted.withUnsafeMutableBufferPointer { gsl_sort($0.baseAddress, 1, $0.count) }
        return sorted.withUnsafeBufferPointer { gsl_stats_quantile_from_sorted_data($0.baseAddress, 1, $0.count, q) }
    }
}
