import Marketplace

/// A run's delivery by adgroup objective, when the scenario declares adgroups
/// (`tiers.<t>.adgroupsPerAdvertiser`): the declared adgroups are grouped by the cohort they target
/// (whose objective is theirs; adgroups of tiers without the key target none and are left out), and
/// each group's impressions are split by the cohort of the user who saw them — the share reaching
/// the target cohort is how well the allocation serves the adgroup's purpose.
public struct AdgroupTallies: Sendable {
    /// Targets (= cohorts) and user cohorts.
    public let targets: Int
    /// Per target: adgroups (entered by the end), daily budget opened (Σ the adgroup's share of its
    /// advertiser's day cap; adgroups without shares split it evenly).
    public internal(set) var adgroups: [Double]
    public internal(set) var budget: [Double]
    /// Per target × user cohort (target-major): impressions.
    public internal(set) var impressions: [Double]
    /// Per target: clicks, spend, conversions and their order value.
    public internal(set) var clicks: [Double]
    public internal(set) var spend: [Double]
    public internal(set) var conversions: [Double]
    public internal(set) var value: [Double]
    /// The target of each ad's adgroup (−1: none), each adgroup's target and share of its
    /// advertiser's budget, and each account rank's first adgroup and adgroup count (read while
    /// recording; not results).
    let adTarget: [Int32]
    private let groupTarget: [Int32], groupShare: [Double]
    private let rankFirstGroup: [Int32], rankGroupCount: [Int32]

    init?(world: World, cohorts: Int) {
        guard world.adgroupsDeclared else { return nil }
        targets = cohorts
        adgroups = Array(repeating: 0, count: cohorts)
        budget = adgroups; clicks = adgroups; spend = adgroups; conversions = adgroups; value = adgroups
        impressions = Array(repeating: 0, count: cohorts * cohorts)
        adTarget = world.adAdgroup.map { world.adgroupTarget[Int($0)] }
        groupTarget = world.adgroupTarget
        rankFirstGroup = world.rankAdvertiser.map { world.firstAdgroup[Int($0)] }
        rankGroupCount = world.rankAdvertiser.map { world.adgroupCount[Int($0)] }
        // Shares normalised per advertiser: its own when the tier sets them (they sum to 1), else
        // an even split (every share is 1).
        var share = world.adgroupBudgetShare
        for adv in 0..<world.advertiserCount {
            let first = Int(world.firstAdgroup[adv]), groups = first..<(first + Int(world.adgroupCount[adv]))
            let total = groups.reduce(0.0) { $0 + share[$1] }
            for g in groups { share[g] /= total }
        }
        groupShare = share
    }

    @inline(__always)
    mutating func recordImpression(ad: Int, cohort: Int) {
        let t = Int(adTarget[ad])
        if t >= 0 { impressions[t * targets + cohort] += 1 }
    }
    @inline(__always)
    mutating func recordClick(ad: Int, price: Double) {
        let t = Int(adTarget[ad])
        guard t >= 0 else { return }
        clicks[t] += 1
        spend[t] += price
    }
    mutating func recordConversion(ad: Int, value v: Double) {
        let t = Int(adTarget[ad])
        guard t >= 0 else { return }
        conversions[t] += 1
        value[t] += v
    }
    /// Budget opened (or, negative, taken back) for account rank `r`: each adgroup's share of it.
    mutating func recordBudget(rank r: Int, dayCap: Double) {
        forEachTargeted(rank: r) { budget[$0] += dayCap * $1 }
    }
    /// An advertiser entered (or was present from the start): its adgroups count.
    mutating func recordEntry(rank r: Int) {
        forEachTargeted(rank: r) { t, _ in adgroups[t] += 1 }
    }

    private func forEachTargeted(rank r: Int, _ body: (Int, Double) -> Void) {
        let first = Int(rankFirstGroup[r])
        for g in first..<(first + Int(rankGroupCount[r])) where groupTarget[g] >= 0 { body(Int(groupTarget[g]), groupShare[g]) }
    }
}
