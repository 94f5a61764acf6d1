import Foundation

/// How an advertiser turns value into bids (`tiers.<name>.bidding`, `policies[].bidding`).
///
/// Autobidding strategies bid per click `pCVR × b`, where pCVR is the platform's predicted
/// conversion rate of the candidate (the ranker's) and `b` the strategy's current bid per
/// conversion, adapted by a feedback controller every pacing interval. Every strategy is capped by
/// the budget left today, as fixed-CPC bidding is.
public enum BiddingStrategy: Sendable, Equatable {
    /// The world's bid per click, shaded by pacing (the default).
    case fixedCPC
    /// Most conversions under the daily budget: b = 1/λ, λ by dual descent on the budget.
    case maxConversions
    /// Realised cost per conversion near `target`: b = target × m, m by an integral controller.
    case targetCPA(target: Double)
    /// Realised value ÷ spend near `target`: b = value per conversion ÷ target × m.
    case targetROAS(target: Double)

    /// The scenario's spelling.
    public var name: String {
        switch self {
        case .fixedCPC: return "fixed-cpc"
        case .maxConversions: return "max-conversions"
        case .targetCPA: return "target-cpa"
        case .targetROAS: return "target-roas"
        }
    }

    /// Whether the strategy bids on the platform's predicted conversion rate.
    public var autobids: Bool { self != .fixedCPC }
}

/// How a bidder shades its bid (`shading`): a constant factor, or the first-price equilibrium rule.
public enum Shading: Sendable, Equatable {
    case factor(Double)
    /// (n − 1)/n with n the bidders of an auction (`placement.maxCandidates`): the symmetric
    /// equilibrium of a first-price auction among n bidders with i.i.d. uniform values
    /// (`AuctionTheory.firstPriceBid` without a reserve).
    case equilibrium
}

/// A bidding strategy with its settings.
public struct Bidding: Sendable, Equatable {
    public var strategy: BiddingStrategy
    /// Multiplies every bid; nil: the default rule — `equilibrium` for a fixed-CPC bidder in a
    /// `first-price` auction (it pays its bid, so it shades), none otherwise (autobidders'
    /// controllers learn their own shading from what they pay).
    public var shading: Shading? = nil
    /// The controller's step size per pacing interval.
    public var stepSize: Double = Bidding.defaultStepSize

    public static let defaultStepSize = 0.2
    public static let fixedCPC = Bidding(strategy: .fixedCPC)

    public init(strategy: BiddingStrategy, shading: Shading? = nil, stepSize: Double = Bidding.defaultStepSize) {
        self.strategy = strategy
        self.shading = shading
        self.stepSize = stepSize
    }

    /// The factor every bid is multiplied by under `mechanism` with `bidders` per auction.
    public func shadingFactor(mechanism: Mechanism, bidders n: Int) -> Double {
        let equilibrium = n >= 2 ? Double(n - 1) / Double(n) : 1
        switch shading {
        case .factor(let f)?: return f
        case .equilibrium?: return equilibrium
        case nil: return mechanism == .firstPrice && strategy == .fixedCPC ? equilibrium : 1
        }
    }
}

/// Advertisers who review their results and leave, raise or cut their budgets
/// (`advertiserDynamics`; absent: nobody ever leaves).
///
/// At every review (each `reviewEveryDays`), an advertiser active for a whole period compares its
/// spend delivery d (spend ÷ budget offered in the period) and return on spend ROI (value of
/// conversions ÷ spend) with its tier's expectations, and leaves with probability
/// `logistic(intercept + deliverySlope·max(0, expectedDelivery − d) + roiSlope·max(0, expectedROI − ROI))`
/// (an advertiser that spent nothing has no ROI: only its delivery counts). A survivor that spent
/// at least 95% of its budget at an ROI of at least `expectedROI` raises its budget by
/// `budgetStep`; one below `expectedROI` cuts it by `budgetStep`.
public struct AdvertiserDynamics: Sendable, Equatable {
    public var reviewEveryDays: Double = 7
    /// Run each cell again without dynamics to measure the revenue lost to churn.
    public var counterfactual = true
    public var budgetStep = 0.1
    /// The churn rule's parameters for tiers without their own.
    public var churn = ChurnRule()
    /// Per-tier parameters (tier name → rule).
    public var tiers: [String: ChurnRule] = [:]
    /// Whether reviews may end in leaving; false in the counterfactual run (budgets still move).
    public var churns = true

    public init() {}

    /// The churn rule of tier `name`.
    public func rule(tier name: String) -> ChurnRule { tiers[name] ?? churn }
}

/// The logistic churn rule of one tier (see `AdvertiserDynamics`).
public struct ChurnRule: Sendable, Equatable {
    /// Log-odds of leaving when every expectation is met (−5: 0.7% per review).
    public var intercept = -5.0
    public var deliverySlope = 6.0
    public var roiSlope = 2.0
    public var expectedDelivery = 0.8
    public var expectedROI = 1.0

    public init() {}

    /// The probability of leaving after a period with delivery `d` and return `roi` (NaN: no spend).
    public func probability(delivery d: Double, roi: Double) -> Double {
        var logit = intercept + deliverySlope * max(0, expectedDelivery - d)
        if roi.isFinite { logit += roiSlope * max(0, expectedROI - roi) }
        return 1 / (1 + exp(-logit))
    }
}
