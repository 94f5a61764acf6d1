import Foundation
import Scenario
import Stochastics

/// Generates a replicate's world from the scenario: a pure function of (scenario, replicate).
public enum WorldGenerator {
    /// Builds advertisers, ads, the true model and the incumbent's history log.
    ///
    /// Streams: "world" for advertisers and ads, "entrants" for the arrival of new advertisers,
    /// "history" for the pre-run log. Each is derived from (seed, replicate, name), so adding an
    /// entrant does not shift the history and vice versa.
    public static func generate(_ scenario: Scenario, replicate: Int) -> World {
        let d = scenario.truth.latentDimension
        var world = World(dimension: d, tierNames: scenario.tiers.map(\.name))
        let worldStream = RandomStream(seed: deriveSeed(scenario.seed, replicate: replicate, stream: "world"))
        for (t, tier) in scenario.tiers.enumerated() {
            for _ in 0..<tier.count {
                addAdvertiser(&world, tier: tier, tierIndex: t, entry: 0, isNew: false, scenario.truth, cohorts: scenario.cohorts.count, worldStream)
            }
        }
        let entrants = RandomStream(seed: deriveSeed(scenario.seed, replicate: replicate, stream: "entrants"))
        let horizonSeconds = scenario.horizon.days * 86_400
        let expected = scenario.newAdvertisers.perDay * scenario.horizon.days
        if expected > 0 {
            let n = entrants.poisson(mean: expected)
            // A homogeneous Poisson process: n arrival times uniform on the horizon, sorted.
            let times = (0..<n).map { _ in entrants.uniform() * horizonSeconds }.sorted()
            var cumulative: [Double] = []
            for m in scenario.newAdvertisers.tierMix { cumulative.append((cumulative.last ?? 0) + m.weight) }
            for time in times {
                let mixIndex = entrants.index(cumulative: cumulative)
                let t = scenario.tierIndex(scenario.newAdvertisers.tierMix[mixIndex].tier)!
                addAdvertiser(&world, tier: scenario.tiers[t], tierIndex: t, entry: time, isNew: true, scenario.truth,
                              cohorts: scenario.cohorts.count, entrants)
            }
        }
        setConversionModel(&world, scenario, replicate: replicate)
        world.adgroupsDeclared = scenario.tiers.contains { $0.adgroupsPerAdvertiser > 0 }
        // Retrieval order: the initial ads shuffled, entrants appended as they enter.
        var initialAds = Array(0..<Int32(world.initialAdCount))
        for i in stride(from: initialAds.count - 1, to: 0, by: -1) {
            initialAds.swapAt(i, worldStream.integer(below: i + 1))
        }
        world.retrievalOrder = initialAds + Array(Int32(initialAds.count)..<Int32(world.adCountTotal))
        world.layOutForRetrieval()
        world.history = HistoryGenerator.generate(world, scenario, replicate: replicate)
        return world
    }

    /// The user side of conversions: cohort shifts, κ, and each advertiser's expected order value
    /// per cohort. Its own stream ("order-values"), drawn only with δ > 0, so worlds without it
    /// are what they were.
    private static func setConversionModel(_ w: inout World, _ scenario: Scenario, replicate: Int) {
        let cohorts = scenario.cohorts, truth = scenario.truth
        w.cohortConversionShift = cohorts.map(\.conversionShift)
        w.conversionInteraction = truth.conversionInteraction
        w.orderValueSigma = truth.orderValueSigma
        let δ = truth.orderValueDeviation
        let s = RandomStream(seed: deriveSeed(scenario.seed, replicate: replicate, stream: "order-values"))
        w.expectedOrderValue.reserveCapacity(w.advertiserCount * cohorts.count)
        for adv in 0..<w.advertiserCount {
            for c in cohorts {
                let factor = δ > 0 ? exp(δ * s.gaussian() - δ * δ / 2) : 1
                w.expectedOrderValue.append(min(w.valuePerConversion[adv] * c.orderValueScale * factor, 1e12))
            }
        }
    }

    private static func addAdvertiser(_ w: inout World, tier: Tier, tierIndex: Int, entry: Double, isNew: Bool,
                                      _ truth: GroundTruth, cohorts: Int, _ s: RandomStream) {
        let d = w.dimension
        w.advertiserTier.append(Int32(tierIndex))
        // Money is capped at 10¹² so that totals over any world stay finite (a heavy Pareto
        // tail can draw infinity); scenario parameters are bounded by 10⁹ (TierReader).
        w.dailyBudget.append(min(s.sample(tier.budget), 1e12))
        w.bid.append(min(s.sample(tier.bid), 1e12))
        w.valuePerConversion.append(min(s.sample(tier.valuePerConversion), 1e12))
        w.clickLogit.append(logit(truth.baseCTR) + tier.qualityShift + truth.deviationScale * s.gaussian())
        w.conversionLogit.append(logit(truth.baseCVR) + tier.conversionShift + truth.deviationScale * s.gaussian())
        for _ in 0..<d { w.personalWeights.append(1 + truth.deviationScale * s.gaussian()) }
        w.entryTime.append(entry)
        w.isNew.append(isNew)
        w.firstAd.append(Int32(w.adAdvertiser.count))
        w.adCount.append(Int32(tier.adsPerAdvertiser))
        let adv = Int32(w.dailyBudget.count - 1)
        // Ad features scaled by 1/√d so the interaction term has unit variance whatever d is.
        let scale = 1 / Double(d).squareRoot()
        for _ in 0..<tier.adsPerAdvertiser {
            w.adAdvertiser.append(adv)
            for _ in 0..<d { w.adFeatures.append(s.gaussian(sigma: scale)) }
            w.adLogit.append(truth.noise * s.gaussian())
        }
        addAdgroups(&w, tier: tier, advertiser: adv, cohorts: cohorts)
    }

    /// Splits the advertiser's ads (just added) into `tier.adgroups` adgroups in order, as evenly
    /// as possible (the first `ads mod groups` adgroups take one ad more); adgroup k targets
    /// cohort k mod `cohorts` when the tier declares adgroups (else none: −1). Draws nothing.
    private static func addAdgroups(_ w: inout World, tier: Tier, advertiser adv: Int32, cohorts: Int) {
        let groups = tier.adgroups, ads = tier.adsPerAdvertiser
        var ad = Int(w.firstAd[Int(adv)])
        w.firstAdgroup.append(Int32(w.adgroupAdvertiser.count))
        w.adgroupCount.append(Int32(groups))
        for k in 0..<groups {
            let size = ads / groups + (k < ads % groups ? 1 : 0)
            let g = Int32(w.adgroupAdvertiser.count)
            w.adgroupAdvertiser.append(adv)
            w.adgroupFirstAd.append(Int32(ad))
            w.adgroupAdCount.append(Int32(size))
            w.adgroupTarget.append(tier.adgroupsPerAdvertiser > 0 ? Int32(k % max(cohorts, 1)) : -1)
            let share = tier.adgroupBudgetShares.isEmpty ? 1 : tier.adgroupBudgetShares[k]
            w.adgroupBudgetShare.append(share)
            if share < 1 { w.hasAdgroupBudgets = true }
            for _ in 0..<size { w.adAdgroup.append(g) }
            ad += size
        }
    }
}

/// Users drawn from the cohort mix: shared by the history generator and the request stream.
public struct UserSampler: Sendable {
    public let cumulativeShares: [Double]
    public let centers: [Double]
    public let spreads: [Double]
    public let dimension: Int

    public init(_ scenario: Scenario) {
        var c: [Double] = []
        for cohort in scenario.cohorts { c.append((c.last ?? 0) + cohort.share) }
        cumulativeShares = c
        centers = scenario.cohorts.flatMap(\.center)
        spreads = scenario.cohorts.map(\.spread)
        dimension = scenario.truth.latentDimension
    }

    /// Draws a cohort and writes that user's features into `user`; returns the cohort index.
    @inlinable
    public func draw(_ s: RandomStream, into user: UnsafeMutableBufferPointer<Double>) -> Int {
        let cohort = s.index(cumulative: cumulativeShares)
        let base = cohort * dimension
        for k in 0..<dimension { user[k] = centers[base + k] + s.gaussian(sigma: spreads[cohort]) }
        return cohort
    }
}

/// The incumbent's log: each initial ad gets a tier-dependent number of logged impressions,
/// shown in a random slot to a random user, with clicks drawn from the true model.
enum HistoryGenerator {
    static func generate(_ world: World, _ scenario: Scenario, replicate: Int) -> InteractionLog {
        let s = RandomStream(seed: deriveSeed(scenario.seed, replicate: replicate, stream: "history"))
        let users = UserSampler(scenario)
        let exam = scenario.placement.examination
        var counts: [Int] = []
        for ad in 0..<world.adCountTotal {
            let adv = Int(world.adAdvertiser[ad])
            guard !world.isNew[adv] else { counts.append(0); continue }
            let tier = scenario.tiers[Int(world.advertiserTier[adv])]
            // Capped (MemoryEstimate.maxHistoryPerAd) so a heavy tail never traps the conversion.
            counts.append(Int(min(s.sample(tier.historyImpressions), 10_000_000).rounded()))
        }
        var log = InteractionLog(dimension: world.dimension, capacity: counts.reduce(0, +))
        var user = Array(repeating: 0.0, count: world.dimension)
        user.withUnsafeMutableBufferPointer { u in
            let view = UnsafeBufferPointer(u)
            for ad in 0..<world.adCountTotal {
                for _ in 0..<counts[ad] {
                    let cohort = users.draw(s, into: u)
                    let e = exam[s.integer(below: exam.count)]
                    let clicked = s.uniform() < e * world.clickProbability(ad: ad, user: view, drift: 0)
                    let converted = clicked && s.uniform() < world.conversionProbability(position: Int(world.adPosition[ad]), user: view, cohort: cohort)
                    log.append(ad: ad, user: view, cohort: cohort, examination: e, clicked: clicked, converted: converted)
                }
            }
        }
        return log
    }
}
