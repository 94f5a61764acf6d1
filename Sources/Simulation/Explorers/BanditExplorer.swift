import Exploration
import Marketplace
import Scenario
import Stochastics

/// A policy's explorer in the marketplace: a bandit whose arms are ads, the pool rule and
/// graduation. Learns from every impression of every ad (explored or not); its successes are the
/// objective's: clicks (arriving through click events, at the impression's instant) or conversions
/// (arriving with their delay), and under `order-value` each arm's index is weighted by its
/// advertiser's value per conversion when choosing.
///
/// It works at the top of the funnel: in an explored request it proposes a pool ad whether or not
/// retrieval found it. The pool is an explicit list (O(1) insertion and removal); the bandit
/// chooses among at most `choiceLimit` pool ads per explored request (a random window of the
/// list when it is longer), so the cost does not grow with the pool.
final class BanditExplorer: Explorer {
    let settings: ExplorerSettings
    var bandit: BernoulliBandit
    let stream: RandomStream
    var graduated: [Bool]
    var graduations = 0
    /// Logged impressions per ad (history plus the run), for the `under-N` pool.
    var loggedImpressions: [Double]
    let poolTier: Int32?
    /// Ads currently in the pool, and each ad's position in that list (-1: not in it).
    var pool: [Int] = []
    var poolPosition: [Int]
    /// Scratch for the arms offered to the bandit, and their weights (order-value objective).
    var arms: [Int]
    var weights: [Double]
    let objective: ExplorerObjective
    static let choiceLimit = 64

    static var explores: Bool { true }
    var rate: Double { settings.rate }
    var slot: Int { settings.slot }
    var pricing: ExplorerPricing { settings.pricing }

    init(settings: ExplorerSettings, world: World, scenario: Scenario, seed: UInt64) {
        self.settings = settings
        bandit = BernoulliBandit(arms: world.adCountTotal, algorithm: BanditAlgorithm(rawValue: settings.algorithm.rawValue)!)
        stream = RandomStream(seed: seed)
        graduated = Array(repeating: false, count: world.adCountTotal)
        loggedImpressions = Array(repeating: 0, count: world.adCountTotal)
        if case .under = settings.pool { for a in world.history.ad { loggedImpressions[Int(a)] += 1 } }
        if case .tier(let name) = settings.pool { poolTier = scenario.tierIndex(name).map(Int32.init) } else { poolTier = nil }
        poolPosition = Array(repeating: -1, count: world.adCountTotal)
        arms = Array(repeating: 0, count: Self.choiceLimit)
        weights = Array(repeating: 1, count: Self.choiceLimit)
        objective = settings.objective ?? .clicks
        for ad in 0..<world.adCountTotal where !world.isNew[Int(world.adAdvertiser[ad])] && inPool(ad, world) { add(ad) }
    }

    func add(_ ad: Int) {
        guard poolPosition[ad] < 0 else { return }
        poolPosition[ad] = pool.count
        pool.append(ad)
    }

    func remove(_ ad: Int) {
        let i = poolPosition[ad]
        guard i >= 0 else { return }
        let last = pool.removeLast()
        if last != ad { pool[i] = last; poolPosition[last] = i }
        poolPosition[ad] = -1
    }

    /// An advertiser entered: its ads join the pool if they qualify.
    func enter(advertiser adv: Int, _ world: World) {
        let first = Int(world.firstAd[adv])
        for ad in first..<(first + Int(world.adCount[adv])) where inPool(ad, world) { add(ad) }
    }

    /// Whether `ad` meets the pool's rule now (graduation aside).
    func matchesPool(_ ad: Int, _ world: World) -> Bool {
        switch settings.pool {
        case .new: return world.isNew[Int(world.adAdvertiser[ad])]
        case .all: return true
        case .tier: return world.advertiserTier[Int(world.adAdvertiser[ad])] == poolTier
        case .under(let n): return loggedImpressions[ad] < Double(n)
        }
    }

    /// Whether `ad` may be explored now (in the pool and not graduated).
    func inPool(_ ad: Int, _ world: World) -> Bool { !graduated[ad] && matchesPool(ad, world) }

    /// Whether `ad` was ever eligible for the pool: the denominator of the graduation rate.
    func eligible(_ ad: Int, _ world: World) -> Bool { graduated[ad] || matchesPool(ad, world) }

    /// The bandit's choice among (a window of) the pool ads whose advertiser (and adgroup) can still pay today,
    /// or nil when there is none.
    func choose(world: World, ledger: Ledger) -> Int? {
        choose(world: world, ledger: ledger, stream: stream)
    }

    var hasPool: Bool { !pool.isEmpty }

    func selectionProbability(of ad: Int, world: World, ledger: Ledger, draws: Int, stream: RandomStream) -> Double {
        // The choice actually made is one draw from the same distribution: counted, it keeps the
        // estimate above 0 (an importance weight must be finite).
        var hits = 1
        for _ in 0..<max(0, draws) where choose(world: world, ledger: ledger, stream: stream) == ad { hits += 1 }
        return Double(hits) / Double(max(0, draws) + 1)
    }

    /// `choose` with the random numbers of `stream`.
    func choose(world: World, ledger: Ledger, stream: RandomStream) -> Int? {
        guard !pool.isEmpty else { return nil }
        let window = min(pool.count, Self.choiceLimit)
        let start = pool.count > window ? stream.integer(below: pool.count) : 0
        var m = 0
        for j in 0..<window {
            let ad = pool[(start + j) % pool.count], adv = Int(world.adAdvertiser[ad])
            guard ledger.canPay(rank: world.rank(of: adv), position: Int(world.adPosition[ad])) else { continue }
            arms[m] = ad
            if objective == .orderValue { weights[m] = world.valuePerConversion[adv] }
            m += 1
        }
        guard m > 0 else { return nil }
        return arms.withUnsafeBufferPointer { a in
            let offered = UnsafeBufferPointer(rebasing: a[0..<m])
            guard objective == .orderValue else { return bandit.select(among: offered, stream) }
            return weights.withUnsafeBufferPointer { bandit.select(among: offered, weights: UnsafeBufferPointer(rebasing: $0[0..<m]), stream) }
        }
    }

    /// Asks for the per-ad state `recordImpression(ad:…)` will update for the placed ads (the
    /// arm's counts, the logged impressions, the graduation flag): a cache miss each for a random
    /// ad in a large marketplace. One call per request, so each array is reached once.
    func prefetchImpressions(_ request: RequestScratch, placed: Int) {
        func ask<T>(_ array: [T]) {
            array.withUnsafeBufferPointer { a in
                for r in 0..<placed { prefetch(a.baseAddress! + request.candidates[request.placedCandidate[r]]) }
            }
        }
        ask(bandit.trials)
        ask(bandit.successes)
        ask(loggedImpressions)
        ask(graduated)
    }

    func discovery(world: World, entered: (Int) -> Bool) -> (graduations: Double, poolAds: Double) {
        var pool = 0.0
        for ad in 0..<world.adCountTotal where entered(Int(world.adAdvertiser[ad])) && eligible(ad, world) { pool += 1 }
        return (Double(graduations), pool)
    }

    /// An impression of `ad` examined with probability `e`; graduates the ad when it qualifies.
    func recordImpression(ad: Int, examination e: Double) {
        bandit.update(ad, reward: 0, trials: e)
        loggedImpressions[ad] += 1
        if case .under(let n) = settings.pool, loggedImpressions[ad] >= Double(n) { remove(ad) }
        guard !graduated[ad] else { return }
        let done: Bool
        switch settings.graduation {
        case .impressions(let n): done = bandit.trials[ad] >= n
        case .relativeError(let r): done = bandit.posteriorSD(ad) <= r * bandit.posteriorMean(ad)
        }
        if done {
            graduated[ad] = true
            graduations += 1
            remove(ad)
        }
    }

    /// A click: a success under the clicks objective.
    func recordClick(ad: Int) { if objective == .clicks { bandit.update(ad, reward: 1, trials: 0) } }

    /// A conversion: a success under the conversions and order-value objectives (delayed feedback:
    /// the arm has had its impressions' trials since the click).
    func recordConversion(ad: Int, value: Double) { if objective != .clicks { bandit.update(ad, reward: 1, trials: 0) } }
}
