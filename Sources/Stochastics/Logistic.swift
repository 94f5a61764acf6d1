#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The logistic function 1 / (1 + e^(−z)).
@inlinable public func logistic(_ z: Double) -> Double { 1 / (1 + exp(-z)) }

/// The log-odds log(p / (1 − p)) of a probability in (0, 1).
@inlinable public func logit(_ p: Double) -> Double { log(p / (1 - p)) }

/// Natural logarithm, clamped away from 0 so a log-loss stays finite.
@inlinable public func logOf(_ x: Double) -> Double { log(max(x, 1e-300)) }
