import Foundation

/// Budget pacing controllers, updated once per pacing interval (or per auction in tests).

/// Adaptive pacing (Balseiro & Gur, Management Science 2019): bid v/(1+μ) and move μ
/// against the gap between target and actual spend.
///
/// Update: μ ← Proj_[0, μ̄](μ − ε·(ρ − z)) with target spend ρ and actual spend z for the
/// period. The simulator passes spend relative to the period's target (ρ = 1), so one step
/// size works for every budget size.
public struct AdaptivePacer: Sendable, Equatable, BitwiseCopyable {
    public private(set) var multiplier: Double
    public let stepSize: Double
    public let maxMultiplier: Double

    public init(stepSize: Double, maxMultiplier: Double, initial: Double = 0) {
        self.stepSize = stepSize
        self.maxMultiplier = maxMultiplier
        self.multiplier = initial
    }

    /// The shaded bid for a value (or raw bid) `v`.
    @inlinable public func bid(_ v: Double) -> Double { v / (1 + multiplier) }

    /// One dual step after spending `spend` against `target` in the period.
    public mutating func update(target: Double, spend: Double) {
        multiplier = min(maxMultiplier, max(0, multiplier - stepSize * (target - spend)))
    }
}

/// Probabilistic throttling: take part in each auction with probability p and bid truthfully.
///
/// Update (multiplicative): p ← clamp(p · exp(ε·(ρ − z)), p_min, 1), so p falls when the
/// period overspends and recovers when it underspends.
public struct ThrottlePacer: Sendable, Equatable, BitwiseCopyable {
    public private(set) var participation: Double
    public let stepSize: Double
    public static let minimumParticipation = 0.01

    public init(stepSize: Double, initial: Double = 1) {
        self.stepSize = stepSize
        self.participation = initial
    }

    public mutating func update(target: Double, spend: Double) {
        let next = participation * exp(stepSize * (target - spend))
        participation = min(1, max(Self.minimumParticipation, next))
    }
}
