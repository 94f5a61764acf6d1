import Marketplace

/// A run's delivery by adgroup objective, when the scenario declares adgroups
/// (`tiers.<t>.adgroupsPerAdvertiser`): adgroups are grouped by the cohort they target (whose
/// objective is theirs), and each group's impressions are split by the cohort of the user who saw
/// them — the share reaching the target cohort is how well the allocation serves the adgroup's purpose.
public struct AdgroupTallies: Sendable {
    /// Targets (= cohorts) and user cohorts.
    public let targets: Int
    /// Per target: adgroups (entered by the end), daily caps opened (Σ share × the advertiser's day cap).
    public internal(set) var adgroups: [Double]
    public internal(set) var budget: [Double]
    /// Per target × user cohort (target-major): impressions.
    public internal(set) var impressions: [Double]
    /// Per target: clicks, spend, conversions and their order value.
    public internal(set) var clicks: [Double]
    public internal(set) var spend: [Double]
    public internal(set) var conversions: [Double]
    public internal(set) var value: [Double]
    /// The target of each ad's adgroup, and each account rank's adgroups' targets and shares (read
    /// while recording; not results).
    let adTarget: [Int32]
    private let rankGroups: [[(target: Int32, share: Double)]]

    init?(world: World, cohorts: Int) {
        guard world.adgroupsDeclared else { return nil }
        targets = cohorts
        adgroups = Array(repeating: 0, count: cohorts)
        budget = adgroups; clicks = adgroups; spend = adgroups; conversions = adgroups; value = adgroups
        impressions = Array(repeating: 0, count: cohorts * cohorts)
        adTarget = world.adAdgroup.map { world.adgroupTarget[Int($0)] }
        rankGroups = world.rankAdvertiser.map { adv in
            let first = Int(world.firstAdgroup[Int(adv)])
            return (first..<(first + Int(world.adgroupCount[Int(adv)]))).map { (world.adgroupTarget[$0], world.adgroupBudgetShare[$0]) }
        }
    }

    @inline(__always)
    mutating func recordImpression(ad: Int, cohort: Int) { impressions[Int(adTarget[ad]) * targets + cohort] += 1 }
    @inline(__always)
    mutating func recordClick(ad: Int, price: Double) {
        let t = Int(adTarget[ad])
        clicks[t] += 1
        spend[t] += price
    }
    mutating func recordConversion(ad: Int, value v: Double) {
        let t = Int(adTarget[ad])
        conversions[t] += 1
        value[t] += v
    }
    /// The day opened for account rank `r` with cap `dayCap`: each adgroup's share of it.
    mutating func recordBudget(rank r: Int, dayCap: Double) {
        for g in rankGroups[r] { budget[Int(g.target)] += dayCap * g.share }
    }
    /// An advertiser entered (or was present from the start): its adgroups count.
    mutating func recordEntry(rank r: Int) {
        for g in rankGroups[r] { adgroups[Int(g.target)] += 1 }
    }
}
