import Foundation

/// Autobidding strategies as the bidder stage will run them (issue 18): each turns the platform's
/// predicted conversion rate (and value) into a bid per opportunity, and adapts a multiplier from
/// what it spent and won. They never bid more than the budget left.

/// "Maximise conversions under a budget": bid pCVR·v/λ (v = 1 for conversions, the order value for
/// value maximisation) with the dual variable λ of the budget constraint updated by online mirror
/// descent with an entropic mirror map — multiplicatively, λ ← λ·exp(−η (ρ − spend_t)/ρ), ρ = B/T
/// the budget per opportunity (Balseiro, Lu & Mirrokni's dual mirror descent; AuctionNet's online-LP
/// baseline follows the same idea). Multiplicative steps make η dimensionless: the bidder need not
/// know the scale of λ, which depends on prices it has not seen. Never bids more than the budget left.
public struct DualDescentBidder: Sendable, Equatable {
    public private(set) var lambda: Double
    public let stepSize: Double
    public private(set) var budgetLeft: Double

    public init(budget: Double, initialLambda: Double, stepSize: Double) {
        budgetLeft = budget
        lambda = initialLambda
        self.stepSize = stepSize
    }

    /// The bid for an opportunity worth `worth` (pCVR, or pCVR × value), capped by the budget left.
    @inlinable public func bid(worth: Double) -> Double { min(worth / lambda, budgetLeft) }

    /// After an opportunity: what it cost (0 when lost), against the target spend per opportunity ρ.
    public mutating func update(spend: Double, target rho: Double) {
        budgetLeft = max(0, budgetLeft - spend)
        lambda = Self.step(lambda, stepSize: stepSize, target: rho, spend: spend)
    }

    /// The dual step: λ·exp(−η (ρ − spend)/ρ), kept in [`floor`, 10¹²].
    @inlinable public static func step(_ lambda: Double, stepSize: Double, target rho: Double, spend: Double, floor: Double = 1e-12) -> Double {
        min(1e12, max(floor, lambda * exp(-stepSize * (rho - spend) / rho)))
    }
}

/// "Target CPA": bid pCVR × target × m per click, where the multiplier m steers the realised cost per
/// acquisition of the whole period to the target (an integral controller): every `interval`
/// opportunities, m ← m · exp(−η (CPA_realised / target − 1)), CPA_realised over everything won so
/// far, m in [0.1, 10]. Bidding pCVR × target (m = 1) is what a truthful auction rewards for the
/// utility conversions·target − spend; the CPA *constraint* binds at a larger m whenever prices
/// are spread below the bid (see docs: at m = 1 the reproduction's CPA is half the target). Target
/// ROAS is the same with target = value / ROAS target.
public struct TargetCPABidder: Sendable, Equatable {
    public let target: Double
    public private(set) var multiplier = 1.0
    public let stepSize: Double
    public let interval: Int
    public private(set) var spent = 0.0
    public private(set) var conversions = 0.0
    public private(set) var budgetLeft: Double
    private var sinceUpdate = 0

    public init(target: Double, budget: Double = .infinity, stepSize: Double = 0.5, interval: Int = 100) {
        self.target = target
        self.stepSize = stepSize
        self.interval = interval
        budgetLeft = budget
    }

    @inlinable public func bid(pCVR: Double) -> Double { min(pCVR * target * multiplier, budgetLeft) }

    /// The realised cost per acquisition so far (infinite before the first conversion).
    public var realisedCPA: Double { conversions > 0 ? spent / conversions : .infinity }

    public mutating func update(spend: Double, converted: Bool) {
        spent += spend
        budgetLeft = max(0, budgetLeft - spend)
        if converted { conversions += 1 }
        sinceUpdate += 1
        guard sinceUpdate >= interval, conversions > 0 else { return }
        sinceUpdate = 0
        multiplier = Self.step(multiplier, stepSize: stepSize, ratio: realisedCPA / target)
    }

    /// The controller's step on realised ÷ target CPA `ratio`: m·exp(−η (ratio − 1)), kept in [0.1, 10].
    @inlinable public static func step(_ multiplier: Double, stepSize: Double, ratio: Double) -> Double {
        min(10, max(0.1, multiplier * exp(-stepSize * (ratio - 1))))
    }
}

/// AuctionNet's score of one advertiser and period: conversions × min(1, (CPA target / CPA realised)²).
public func auctionNetScore(conversions: Double, target: Double, realisedCPA: Double) -> Double {
    guard realisedCPA > 0, realisedCPA.isFinite else { return conversions }
    let ratio = target / realisedCPA
    return conversions * min(1, ratio * ratio)
}
