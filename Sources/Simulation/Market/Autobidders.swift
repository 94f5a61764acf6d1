import Foundation
import Marketplace
import Scenario

/// The autobidding advertisers of a run (`BiddingStrategy` other than fixed-CPC): each bids per
/// click pCVR × b, b its current bid per conversion (`Account.pacedBid`), capped at the budget
/// left today; b moves every pacing interval.
///
/// The reference rules, per advertiser, with η the strategy's step size:
/// - max-conversions: b = 1/λ, λ₀ = 1/v (v the value per conversion), and after an interval with
///   spend s against the budget's share ρ for it, λ ← λ·exp(−η(ρ − s)/ρ) (`DualDescentBidder`'s
///   rule), b at most 10·v.
/// - target-CPA (target T) and target-ROAS (target R, T = value per conversion ÷ R):
///   b = T·m, m₀ = 1, and m ← m·exp(−η(S/(T·max(C, 1)) − 1)) in [0.1, 10], with S the spend and C
///   the conversions over an exponentially weighted window (half-life `halfLifeHours`): a bidder
///   priced out after a bad start sees its window empty and bids up again, which a cumulative CPA
///   would never let it do. Conversions arrive after their delay, so the newest spend reads high.
/// The shading factor multiplies b. Autobidders are not paced by the pacing controller: the
/// budget cap and, for max-conversions, λ keep spend within budget.
struct Autobidders {
    struct State {
        var kind: BiddingStrategy
        /// Bid per conversion at m = 1 (T), or the value per conversion for max-conversions.
        var base: Double
        /// m (target strategies) or λ (max-conversions).
        var multiplier: Double
        var stepSize: Double
        var shading: Double
        /// Spend and conversions in the CPA window (target strategies only).
        var spent = 0.0
        var conversions = 0.0
        /// Bid per conversion now (before shading, for the landscape).
        var perConversion: Double {
            kind == .maxConversions ? 1 / multiplier : base * multiplier
        }
    }

    /// Max-conversions never bids more per conversion than this multiple of the advertiser's value
    /// per conversion: with a budget it cannot reach, λ would otherwise fall without bound (the
    /// LP's answer: take every opportunity at any price).
    static let maxValueMultiple = 10.0

    /// Half-life of the target strategies' CPA window.
    static let halfLifeHours = 72.0

    /// Per account rank; nil for fixed-CPC advertisers (empty when nobody autobids, so a market
    /// without autobidders pays no memory for them).
    private(set) var states: [State?]
    /// Ranks of the autobidders.
    let ranks: [Int]
    /// Per tier: candidacies, the sum of their per-click bids (the bid landscape).
    private(set) var candidacies: [Double]
    private(set) var bidSum: [Double]

    init(scenario: Scenario, policy: Int, world: World, ledger: Ledger) {
        candidacies = Array(repeating: 0, count: world.tierNames.count)
        bidSum = candidacies
        let biddings = scenario.tiers.indices.map { scenario.bidding(policy: policy, tier: $0) }
        let shading = biddings.map { $0.shadingFactor(mechanism: scenario.auction.mechanism, bidders: scenario.placement.maxCandidates) }
        let anyStrategy = biddings.contains { $0.strategy.autobids } || shading.contains { $0 != 1 }
        var states = [State?](repeating: nil, count: anyStrategy ? ledger.accounts.count : 0)
        var ranks: [Int] = []
        for r in 0..<states.count {
            let adv = Int(world.rankAdvertiser[r]), tier = Int(world.advertiserTier[adv])
            let bidding = biddings[tier]
            let value = world.valuePerConversion[adv]
            let state: State
            switch bidding.strategy {
            case .fixedCPC:
                if shading[tier] != 1 {
                    ledger.accounts[r].bid *= shading[tier]
                    ledger.accounts[r].pacedBid = ledger.accounts[r].bid
                }
                continue
            case .maxConversions:
                state = State(kind: bidding.strategy, base: value, multiplier: 1 / value, stepSize: bidding.stepSize, shading: shading[tier])
            case .targetCPA(let target):
                state = State(kind: bidding.strategy, base: target, multiplier: 1, stepSize: bidding.stepSize, shading: shading[tier])
            case .targetROAS(let target):
                state = State(kind: bidding.strategy, base: value / target, multiplier: 1, stepSize: bidding.stepSize, shading: shading[tier])
            }
            states[r] = state
            ranks.append(r)
            ledger.accounts[r].autobids = true
            ledger.accounts[r].pacedBid = state.perConversion * state.shading
        }
        self.states = states
        self.ranks = ranks
    }

    /// Whether any advertiser autobids.
    var any: Bool { !ranks.isEmpty }

    /// Replaces the offers of the autobidding candidates in `range` by their per-click bids.
    @inline(__always)
    mutating func bid(_ request: RequestScratch, _ range: Range<Int>, ledger: Ledger) {
        for i in range {
            let a = ledger.rank(position: request.candidatePosition[i])
            let account = ledger.accounts[a]
            guard account.autobids else { continue }
            let bid = min(request.predictedCVR[i] * account.pacedBid, account.remaining, ledger.adgroupLeft(position: request.candidatePosition[i]))
            request.bids[i] = bid
            candidacies[Int(account.tier)] += 1
            bidSum[Int(account.tier)] += bid
        }
    }

    /// A conversion of advertiser at rank `r`.
    mutating func converted(rank r: Int) {
        if states[r] != nil { states[r]!.conversions += 1 }
    }

    /// The controllers' tick: `share` is the interval's share of a day's traffic.
    mutating func update(share: Double, intervalHours: Double, ledger: Ledger) {
        let keep = exp2(-intervalHours / Self.halfLifeHours)
        for r in ranks {
            let account = ledger.accounts[r]
            guard account.entered, account.dailyBudget > 0, var s = states[r] else { continue }
            let spend = account.periodSpend
            ledger.accounts[r].periodSpend = 0
            switch s.kind {
            case .fixedCPC: break
            case .maxConversions:
                s.multiplier = DualDescentBidder.step(s.multiplier, stepSize: s.stepSize, target: account.dailyBudget * share, spend: spend,
                                                      floor: 1 / (Self.maxValueMultiple * s.base))
            case .targetCPA, .targetROAS:
                // keep·S + s, written as the measured runs computed it ((S + s) − s rounds differently
                // from S, and twelve weeks of churn amplify a last-bit change).
                s.spent = keep * ((s.spent + spend) - spend) + spend
                s.conversions *= keep
                if s.spent > 0 {
                    s.multiplier = TargetCPABidder.step(s.multiplier, stepSize: s.stepSize, ratio: s.spent / (s.base * max(s.conversions, 1)))
                }
            }
            states[r] = s
            ledger.accounts[r].pacedBid = s.perConversion * s.shading
            ledger.refreshOffer(r)
        }
    }

    /// Each autobidder's bid per conversion at the end (shaded) and its target per conversion (NaN
    /// for max-conversions), by account rank; NaN for fixed-CPC advertisers.
    func finalState() -> (bidPerConversion: [Double], target: [Double]) {
        var b = [Double](repeating: .nan, count: states.count), t = b
        for r in ranks {
            let s = states[r]!
            b[r] = s.perConversion * s.shading
            if s.kind != .maxConversions { t[r] = s.base }
        }
        return (b, t)
    }
}
