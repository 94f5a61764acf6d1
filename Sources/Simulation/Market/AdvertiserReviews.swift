import Marketplace
import Scenario
import Stochastics

/// Advertisers reviewing their results (`AdvertiserDynamics`): every `reviewEveryDays`, each
/// advertiser active for a whole period leaves with the tier's logistic churn probability, or
/// raises or cuts its budget. Leaving sets the daily budget to 0 (no budget opens again, retrieval
/// and the explorer skip the advertiser: the same path as an advertiser out of budget).
///
/// Common random numbers: the leave decision uses a keyed uniform of (replicate, advertiser,
/// review), so the same advertiser in the same position decides the same way under every policy.
struct AdvertiserReviews {
    let settings: AdvertiserDynamics
    /// Per tier: the churn rule.
    let rules: [ChurnRule]
    let uniforms: CounterUniform
    /// Per account rank: the advertiser's cumulative budget, spend and conversion value at the last review.
    private var lastBudget: [Double], lastSpend: [Double], lastValue: [Double]
    private(set) var reviews = 0
    private(set) var series: DynamicsSeries

    init(settings: AdvertiserDynamics, scenario: Scenario, accounts: Int, key: UInt64) {
        self.settings = settings
        rules = scenario.tiers.map { settings.rule(tier: $0.name) }
        uniforms = CounterUniform(key: key)
        lastBudget = Array(repeating: 0, count: accounts)
        lastSpend = lastBudget
        lastValue = lastBudget
        series = DynamicsSeries(tiers: scenario.tiers.count)
    }

    /// Seconds between reviews.
    var interval: Double { settings.reviewEveryDays * 86_400 }

    /// Records the market at `day` (per tier: active advertisers, their daily budgets, incumbents still active).
    mutating func snapshot(day: Double, world: World, ledger: Ledger, revenue: Double) {
        var active = [Double](repeating: 0, count: rules.count), budget = active, incumbents = active
        for r in 0..<ledger.accounts.count {
            let account = ledger.accounts[r]
            guard account.entered, account.dailyBudget > 0 else { continue }
            let t = Int(account.tier)
            active[t] += 1
            budget[t] += account.dailyBudget
            if !account.isNew { incumbents[t] += 1 }
        }
        series.append(day: day, active: active, budget: budget, incumbents: incumbents, revenue: revenue)
    }

    /// A review at `now`: returns the ranks of the advertisers who left.
    ///
    /// The period's budget is what was opened since the last review, today's counting only as far
    /// as it was spent (a review at midnight runs just after the day's budget opened: that day
    /// belongs to the next period). A leaver's unspent budget of the day is taken back from its
    /// total, so its spend delivery covers the time it was in the market.
    mutating func review(now: Double, world: World, ledger: Ledger, tallies: inout RunTallies) -> [Int] {
        reviews += 1
        var left: [Int] = []
        for r in 0..<ledger.accounts.count {
            let adv = Int(world.rankAdvertiser[r])
            let open = ledger.accounts[r].entered ? max(0, ledger.accounts[r].remaining) : 0
            let budget = tallies.budget[adv] - open, spend = tallies.tallies[r].spend, value = tallies.value[adv]
            defer { lastBudget[r] = budget; lastSpend[r] = spend; lastValue[r] = value }
            let account = ledger.accounts[r]
            guard account.entered, account.dailyBudget > 0, now - world.entryTime[adv] >= interval - 1e-6 else { continue }
            let periodBudget = budget - lastBudget[r], periodSpend = spend - lastSpend[r], periodValue = value - lastValue[r]
            guard periodBudget > 0 else { continue }
            let delivery = periodSpend / periodBudget
            let roi = periodSpend > 0 ? periodValue / periodSpend : .nan
            let rule = rules[Int(account.tier)]
            if settings.churns && uniforms.uniform(UInt64(adv), UInt64(reviews)) < rule.probability(delivery: delivery, roi: roi) {
                tallies.recordBudget(advertiser: adv, cap: -open)
                tallies.adgroups?.recordBudget(rank: r, dayCap: -open)
                ledger.accounts[r].dailyBudget = 0
                ledger.accounts[r].dayCap = ledger.accounts[r].spentToday
                ledger.refreshOffer(r)
                series.churned[Int(account.tier)] += 1
                left.append(r)
            } else if delivery >= 0.95 && roi >= rule.expectedROI {
                ledger.accounts[r].dailyBudget *= 1 + settings.budgetStep
            } else if roi < rule.expectedROI {
                ledger.accounts[r].dailyBudget *= 1 - settings.budgetStep
            }
        }
        return left
    }
}

/// The market over a run with advertiser dynamics, at the start and after each review.
public struct DynamicsSeries: Sendable {
    public let tiers: Int
    /// Days of the snapshots (0, then each review).
    public internal(set) var days: [Double] = []
    /// Per snapshot × tier: active advertisers, the sum of their daily budgets, incumbents still active.
    public internal(set) var active: [Double] = []
    public internal(set) var budget: [Double] = []
    public internal(set) var incumbents: [Double] = []
    /// Platform revenue up to each snapshot.
    public internal(set) var revenue: [Double] = []
    /// Advertisers who left, per tier.
    public internal(set) var churned: [Double]
    /// Revenue up to each snapshot of the same policy and replicate without churn (the
    /// counterfactual run: budgets still move, nobody leaves; empty when it is off).
    public internal(set) var revenueWithoutChurn: [Double] = []

    init(tiers: Int) {
        self.tiers = tiers
        churned = Array(repeating: 0, count: tiers)
    }

    mutating func append(day: Double, active a: [Double], budget b: [Double], incumbents i: [Double], revenue r: Double) {
        days.append(day)
        active += a
        budget += b
        incumbents += i
        revenue.append(r)
    }
}
