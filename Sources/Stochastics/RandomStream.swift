import CGSL

/// A seeded stream of random variates backed by a GSL generator (Mersenne Twister MT19937).
///
/// All variates come from GSL's samplers (`gsl_ran_*`), so distributions match the GSL manual's
/// definitions. A stream belongs to one thread at a time: it is deliberately not `Sendable`.
///
///     let stream = RandomStream(seed: deriveSeed(42, replicate: 0, stream: "world"))
///     let budget = stream.lognormal(zeta: 4.6, sigma: 0.8)
public final class RandomStream {
    @usableFromInline let rng: UnsafeMutablePointer<gsl_rng>
    /// The generator's smallest raw draw and the span max − min (`gsl_rng_min`, `gsl_rng_max`).
    @usableFromInline let drawMin: UInt, drawRange: UInt

    /// Creates a stream; GSL's MT19937 uses the low 32 bits of the seed, so the seed is
    /// folded first to keep all 64 bits significant.
    public init(seed: UInt64) {
        GSLSetup.once()
        rng = gsl_rng_alloc(cgsl_rng_mt19937())
        let folded = UInt(truncatingIfNeeded: (seed ^ (seed >> 32)) & 0xFFFF_FFFF)
        gsl_rng_set(rng, folded == 0 ? 5489 : folded)
        drawMin = gsl_rng_min(rng)
        drawRange = gsl_rng_max(rng) - drawMin
    }

    deinit { gsl_rng_free(rng) }

    /// Uniform in [0, 1).
    @inlinable public func uniform() -> Double { gsl_rng_uniform(rng) }
    /// Uniform in (0, 1).
    @inlinable public func uniformPositive() -> Double { gsl_rng_uniform_pos(rng) }
    /// Uniform integer in 0..<n (n ≥ 1).
    @inlinable public func integer(below n: Int) -> Int {
        Int(gsl_rng_uniform_int(rng, UInt(n)))
    }
    /// One raw draw of the generator (`gsl_rng_get`): an integer in `gsl_rng_min`…`gsl_rng_max`.
    /// Taken ahead of time as the first draw of `integer(below:firstDraw:)`.
    @inlinable public func draw() -> UInt { gsl_rng_get(rng) }
    /// `integer(below: n)` whose first generator draw was taken earlier (`draw()`): the same value,
    /// and the stream left where `integer(below: n)` would have left it had it been called then.
    ///
    /// GSL's mapping (`gsl_rng_uniform_int`): with range = max − min and scale = ⌊range / n⌋,
    /// a draw x gives k = ⌊(x − min) / scale⌋, accepted when k < n; a rejected draw is replaced
    /// by the next one. Only the replacements are drawn here, so `n` may differ from the value
    /// known when `firstDraw` was taken (1 ≤ n ≤ range).
    @inlinable public func integer(below n: Int, firstDraw: UInt) -> Int {
        let scale = drawRange / UInt(n)
        var k = (firstDraw - drawMin) / scale
        while k >= UInt(n) { k = (gsl_rng_get(rng) - drawMin) / scale }
        return Int(k)
    }
    /// Where `integer(below: n, firstDraw: x)` lands when `x` is accepted, else n − 1: a guess at
    /// the value that needs no further draw (for asking the caches ahead of time).
    @inlinable public func likelyInteger(below n: Int, firstDraw x: UInt) -> Int {
        Int(min((x - drawMin) / (drawRange / UInt(n)), UInt(n - 1)))
    }
    /// Gaussian with mean 0 and standard deviation `sigma` (ziggurat).
    @inlinable public func gaussian(sigma: Double = 1) -> Double { gsl_ran_gaussian_ziggurat(rng, sigma) }
    /// Exponential with the given mean.
    @inlinable public func exponential(mean: Double) -> Double { gsl_ran_exponential(rng, mean) }
    /// Lognormal: exp of a Gaussian with mean `zeta` and standard deviation `sigma`.
    @inlinable public func lognormal(zeta: Double, sigma: Double) -> Double { gsl_ran_lognormal(rng, zeta, sigma) }
    /// Pareto of order `shape` (a) and scale `scale` (b): density a·bᵃ/x^(a+1) for x ≥ b.
    @inlinable public func pareto(shape: Double, scale: Double) -> Double { gsl_ran_pareto(rng, shape, scale) }
    /// Gamma with shape `a` and scale `b`.
    @inlinable public func gamma(shape a: Double, scale b: Double) -> Double { gsl_ran_gamma(rng, a, b) }
    /// Beta(a, b).
    @inlinable public func beta(_ a: Double, _ b: Double) -> Double { gsl_ran_beta(rng, a, b) }
    /// Poisson with mean `mu`.
    @inlinable public func poisson(mean mu: Double) -> Int { Int(gsl_ran_poisson(rng, mu)) }
    /// Uniform in [lo, hi).
    @inlinable public func uniform(_ lo: Double, _ hi: Double) -> Double { gsl_ran_flat(rng, lo, hi) }

    /// Index drawn with probability proportional to `cumulative[i] - cumulative[i-1]`.
    ///
    /// `cumulative` must be non-decreasing with a positive last entry.
    /// - Complexity: O(log n).
    @inlinable public func index(cumulative: [Double]) -> Int {
        let u = uniform() * cumulative[cumulative.count - 1]
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > u { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}

/// One-time GSL configuration: GSL's default error handler aborts the process, so it is
/// switched off and callers check results instead.
public enum GSLSetup {
    private static let done: Bool = {
        gsl_set_error_handler_off()
        return true
    }()

    /// Runs the set-up the first time it is called; later calls do nothing.
    public static func once() { _ = done }
}
