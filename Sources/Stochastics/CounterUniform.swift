import Foundation
/// Counter-based uniforms: a random number addressed by a key instead of drawn from a sequence.

/// A keyed source of uniforms in (0, 1) that depends only on its key and the counters given.
///
/// This is what makes common random numbers work: the uniform that decides whether request
/// 1,234 clicks ad 56 is the same under every policy, because it is computed from
/// (replicate key, purpose, request, ad) rather than taken from a stream whose position
/// depends on what the policy did before.
/// - Complexity: O(1), no state, no allocation.
public struct CounterUniform: Sendable, Hashable {
    public let key: UInt64

    public init(key: UInt64) { self.key = key }

    /// A uniform in the open interval (0, 1) for the counters `a`, `b`.
    @inlinable
    public func uniform(_ a: UInt64, _ b: UInt64 = 0) -> Double {
        let h = splitMix64(splitMix64(key ^ splitMix64(a)) &+ b)
        // 53 random bits, shifted by half a step so neither 0 nor 1 can occur.
        return (Double(h >> 11) + 0.5) * 0x1.0p-53
    }

    /// An exponential variate with the given mean for the counters `a`, `b` (inversion).
    @inlinable
    public func exponential(mean: Double, _ a: UInt64, _ b: UInt64 = 0) -> Double {
        -mean * log(1 - uniform(a, b))
    }
}

import CGSL

extension CounterUniform {
    /// A standard Gaussian for the counters, by GSL's inverse normal CDF of a keyed uniform.
    public func gaussian(_ a: UInt64, _ b: UInt64 = 0) -> Double {
        gsl_cdf_ugaussian_Pinv(uniform(a, b))
    }
}
