import Foundation
import Testing
@testable import Marketplace
@testable import Scenario
@testable import Simulation
import Stochastics

/// The tuned kernel against the reference pipeline, byte for byte: every stage kind, small worlds
/// and a world above every size threshold of the memory plan. Runs in the release suite and in
/// `make test`'s debug pass (bounds and exclusivity checks on).
@Suite("Simulation: the tuned kernel against the reference pipeline")
struct DifferentialTests {
    /// A small marketplace with entrants, two cohorts and bindable budgets, for every variant below.
    static func yaml(_ extra: String, policies: String, advertisers: Int = 20, requestsPerDay: Int = 2500,
                     placement: String = "{examination: [1.0, 0.55, 0.3], maxCandidates: 16}",
                     truth: String = "{latentDimension: 4, conversionDelayHours: 3}") -> String {
        """
        name: differential
        seed: 31
        replicates: 1
        horizon: {days: 2, requestsPerDay: \(requestsPerDay)}
        placement: \(placement)
        tiers:
          large:
            count: 4
            adsPerAdvertiser: 3
            budget: {distribution: lognormal, median: 15, sigma: 0.3}
            bid: {distribution: lognormal, median: 1.2, sigma: 0.2}
            historyImpressions: {distribution: lognormal, median: 600, sigma: 0.3}
          small:
            count: \(advertisers)
            budget: {distribution: pareto, scale: 1.5, shape: 2.5}
            historyImpressions: {distribution: lognormal, median: 12, sigma: 0.5}
            qualityShift: 0.5
        newAdvertisers: {perDay: 4, tierMix: {small: 1}}
        cohorts:
          - {name: new-users, share: 0.4, objective: conversions, center: -0.4}
          - {name: advanced, share: 0.6, objective: order-value, center: 0.4}
        truth: \(truth)
        learning: {updateEveryHours: 12}
        \(extra)
        policies:
        \(policies)
        """
    }

    static let meta = "{kind: meta, metaIterations: 8, coldStart: meta-embedding}"
    static let explorer = "{algorithm: thompson, rate: 0.2, pool: new, pricing: auction, graduation: {impressions: 50}}"

    /// Every ranker, explorer, fairness control, retrieval, pacing and mechanism kind at least once.
    static let variants: [(name: String, yaml: String)] = [
        ("rankers", yaml("pacing: multiplicative", policies: """
              - {name: global, ranker: global}
              - {name: oracle, ranker: oracle}
              - {name: meta, ranker: \(meta)}
              - {name: finetune, ranker: {kind: finetune, personalBlock: bias}}
              - {name: cohort blocks, ranker: {kind: meta, metaIterations: 8, cohortBlocks: true, windowHours: 20}}
            """)),
        ("explorers and controls", yaml("pacing: multiplicative", policies: """
              - {name: explored, ranker: global, explorer: \(explorer)}
              - {name: explored meta, ranker: \(meta), explorer: \(explorer)}
              - {name: ucb under-50, ranker: global, explorer: {algorithm: ucb1, rate: 0.1, pool: under-50, pricing: free}}
              - {name: fairco, ranker: global, fairness: {kind: fairco, lambda: 0.01, merit: true}}
              - {name: fairco estimated, ranker: oracle, fairness: {kind: fairco, lambda: 0.01, merit: estimated}}
              - {name: floor small, ranker: global, fairness: {kind: exposure-floor, group: small, share: 0.6, windowHours: 3}}
              - {name: floor new, ranker: oracle, fairness: {kind: exposure-floor, group: new, share: 0.3, windowHours: 2}}
              - {name: calibrated, ranker: global, fairness: {kind: tier-calibrated, priorClicks: 20}}
            """)),
        ("popularity and throttling", yaml("pacing: throttle", policies: """
              - {name: global, ranker: global}
              - {name: explored, ranker: global, explorer: \(explorer)}
              - {name: oracle, ranker: oracle, objective: clicks}
            """, placement: "{examination: [1.0, 0.5], maxCandidates: 12, retrieval: popularity}")),
        ("mechanisms and drift", yaml("pacing: none\nauction: {mechanism: vcg, reserve: 0.1}", policies: """
              - {name: global, ranker: global}
              - {name: meta, ranker: \(meta)}
            """, truth: "{latentDimension: 4, drift: 0.3, conversionDelayHours: 0}")),
        ("second price", yaml("auction: {mechanism: second-price}", policies: """
              - {name: global, ranker: global, objective: clicks}
            """)),
        ("first price", yaml("auction: {mechanism: first-price, reserve: 0.02}", policies: """
              - {name: oracle, ranker: oracle}
              - {name: global, ranker: global}
            """, placement: "{examination: [1, 0.8, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.1], maxCandidates: 20}")),
        ("autobidders and churn", yaml("pacing: multiplicative\nadvertiserDynamics: {reviewEveryDays: 1, churn: {intercept: -2}}", policies: """
              - {name: autobid, ranker: global, bidding: {large: {target-cpa: {target: 8}}, small: max-conversions}}
              - {name: roas explored, ranker: \(meta), explorer: \(explorer), bidding: {large: {target-roas: {target: 2}}}}
              - {name: floor autobid, ranker: oracle, fairness: {kind: exposure-floor, group: new, share: 0.3, windowHours: 2}, bidding: {small: max-conversions}}
              - {name: fixed shaded, ranker: global, bidding: {small: {fixed-cpc: {shading: 0.7}}}}
            """)),
        ("conversions by cohort and tier features", yaml("pacing: multiplicative", policies: """
              - {name: oracle, ranker: oracle}
              - {name: global tier, ranker: {kind: global, tierFeatures: true}}
              - {name: meta tier, ranker: {kind: meta, metaIterations: 8, coldStart: meta-embedding, tierFeatures: true, taskSampling: impressions}}
              - {name: global learned cvr, ranker: {kind: global, conversionModel: learned, conversionWindowHours: 6}}
              - {name: explored for order value, ranker: global, explorer: {algorithm: thompson, rate: 0.2, pool: new, objective: order-value}}
              - {name: explored for conversions, ranker: global, explorer: {algorithm: ucb1, rate: 0.2, pool: all, objective: conversions}}
              - {name: meta learned cvr floor, ranker: {kind: meta, metaIterations: 8, conversionModel: learned}, fairness: {kind: exposure-floor, group: new, share: 0.3, windowHours: 2}}
            """, truth: "{latentDimension: 4, conversionInteraction: 1.2, orderValueSigma: 0.7, orderValueDeviation: 0.4, conversionDelayHours: 2}")),
    ]

    @Test(arguments: variants.indices)
    func tunedKernelMatchesTheReference(variant: Int) throws {
        let scenario: Scenario
        do { scenario = try ScenarioLoader.parse(yaml: Self.variants[variant].yaml, file: "differential.yaml") } catch {
            Issue.record("\(Self.variants[variant].name): \(String(describing: error))")
            return
        }
        let world = WorldGenerator.generate(scenario, replicate: 0)
        for p in scenario.policies.indices {
            let tuned = CellFactory.run(scenario, world: world, policy: p, replicate: 0, kernel: .tuned)
            let reference = CellFactory.run(scenario, world: world, policy: p, replicate: 0, kernel: .reference)
            #expect(tuned.metrics.requests > 0 && tuned.metrics.impressions.reduce(0, +) > 0)
            Self.expectIdentical(tuned, reference, "\(Self.variants[variant].name): \(scenario.policies[p].name)")
        }
    }

    /// A world above every threshold of the tuned kernel's memory plan: over `MemoryPlan.recordAds`
    /// ads (the records asked for ahead), and window tables larger than the last-level cache the
    /// plan is told of (the next window asked for a request ahead).
    @Test func largeWorldPathsMatchTheReference() throws {
        let yaml = Self.yaml("pacing: multiplicative", policies: """
              - {name: global, ranker: global}
              - {name: explored meta, ranker: \(Self.meta), explorer: \(Self.explorer)}
              - {name: oracle, ranker: oracle}
            """, advertisers: 4200, requestsPerDay: 1500)
        let scenario = try ScenarioLoader.parse(yaml: yaml, file: "large.yaml")
        let world = WorldGenerator.generate(scenario, replicate: 0)
        #expect(world.adCountTotal > MemoryPlan.recordAds)
        let cache = 256 << 10
        for p in scenario.policies.indices {
            let tunedCell = Cell(scenario: scenario, world: world, policy: p, replicate: 0, kernel: .tuned, cacheBytes: cache)
            let plan = MemoryPlan(ads: world.adCountTotal, servedStride: scenario.policies[p].ranker.kind == .oracle ? nil : 5,
                                  truthStride: world.truthStride, cacheBytes: cache)
            #expect(plan.prefetchRecords)
            #expect(plan.prefetchNextWindow == (scenario.policies[p].ranker.kind != .oracle))
            let tuned = CellFactory.run(tunedCell)
            let reference = CellFactory.run(scenario, world: world, policy: p, replicate: 0, kernel: .reference)
            Self.expectIdentical(tuned, reference, "large world: \(scenario.policies[p].name)")
        }
    }

    /// The reference allocator and the tuned one agree on random auctions of every size the lanes
    /// handle (up to three and seven slots) and beyond, ties included.
    @Test func auctionsAgreeOnRandomInputs() {
        let stream = RandomStream(seed: 99)
        for slots in [1, 3, 4, 7, 9] {
            var tuned = PositionAuction(capacity: slots), reference = ReferenceAuction(capacity: slots)
            let weights = (0..<slots).map { 1.0 / Double($0 + 1) }
            for _ in 0..<300 {
                let n = 1 + stream.integer(below: 40)
                // Bids on a coarse grid, so ties happen.
                let bids = (0..<n).map { _ in Double(stream.integer(below: 12)) * 0.25 }
                let quality = (0..<n).map { _ in stream.uniform() < 0.1 ? 0 : Double(1 + stream.integer(below: 4)) * 0.1 }
                for mechanism in Mechanism.allCases {
                    let (a, b) = bids.withUnsafeBufferPointer { b in
                        quality.withUnsafeBufferPointer { q in
                            weights.withUnsafeBufferPointer { w in
                                (tuned.run(mechanism, reserve: 0.25, bids: b, quality: q, weights: w),
                                 reference.run(mechanism, reserve: 0.25, bids: b, quality: q, weights: w))
                            }
                        }
                    }
                    #expect(a == b)
                    #expect(Array(tuned.winners.prefix(a)) == reference.winners)
                    #expect(Array(tuned.prices.prefix(a)).map(\.bitPattern) == reference.prices.map(\.bitPattern))
                }
            }
        }
    }

    /// Every metric of two runs, compared by bit pattern.
    static func expectIdentical(_ a: CellResult, _ b: CellResult, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let x = fingerprint(a), y = fingerprint(b)
        #expect(x.count == y.count, "\(label): fingerprints differ in length", sourceLocation: sourceLocation)
        if let i = (0..<min(x.count, y.count)).first(where: { x[$0].bits != y[$0].bits }) {
            Issue.record("\(label): first difference at value \(i) (\(x[i].name)): \(Double(bitPattern: x[i].bits)) vs \(Double(bitPattern: y[i].bits))",
                         sourceLocation: sourceLocation)
        }
    }

    /// The bit patterns of every figure a run produced, each with its name.
    static func fingerprint(_ r: CellResult) -> [(name: String, bits: UInt64)] {
        let m = r.metrics
        var out: [(String, UInt64)] = []
        func add(_ name: String, _ values: [Double]) { for v in values { out.append((name, v.bitPattern)) } }
        func add(_ name: String, _ value: Double) { out.append((name, value.bitPattern)) }
        add("budget", m.budget); add("spend", m.spend); add("impressions", m.impressions); add("exposure", m.exposure)
        add("clicks", m.clicks); add("conversions", m.conversions); add("value", m.value)
        for (g, q) in m.prediction.enumerated() {
            add("prediction[\(g)].positives", q.positives); add("prediction[\(g)].negatives", q.negatives)
            add("prediction[\(g)].predictions", q.binPredictions)
            add("prediction[\(g)].logLoss", q.logLossSum); add("prediction[\(g)].predicted", q.predictedSum)
        }
        add("hourlySpend", m.hourlySpend); add("hourlyExposure", m.hourlyExposure); add("hourlyMeritTrue", m.hourlyMeritTrue)
        add("hourlyMeritEstimated", m.hourlyMeritEstimated); add("hourlyMeritCount", m.hourlyMeritCount); add("hourlyActiveAds", m.hourlyActiveAds)
        add("disparity", m.disparity); add("disparityEstimated", m.disparityEstimated); add("disparityNew", m.disparityNew)
        add("treatmentRatio", m.treatmentRatio); add("floorWindows", m.floorWindows); add("floorWindowsMet", m.floorWindowsMet)
        add("requests", Double(m.requests)); add("auctions", Double(m.auctions)); add("candidates", Double(m.candidatesScored))
        add("events", Double(m.events))
        add("cohortImpressions", m.cohortImpressions); add("cohortClicks", m.cohortClicks); add("cohortConversions", m.cohortConversions)
        add("cohortValue", m.cohortValue); add("rampImpressions", m.rampImpressions); add("rampClicks", m.rampClicks)
        add("rampSpend", m.rampSpend); add("rampEntrants", m.rampEntrants)
        add("adRegularImpressions", m.adRegularImpressions); add("adFirstClick", m.adFirstClick); add("adFirstConversion", m.adFirstConversion)
        add("exploredImpressions", m.exploredImpressions); add("expectedClicks", m.expectedClicks); add("graduations", m.graduations)
        add("poolAds", m.poolAds); add("hitsFound", m.hitsFound); add("newAds", m.newAds); add("newAdsWithClick", m.newAdsWithClick)
        add("hoursToFirstClick", m.hoursToFirstClick); add("hoursToFirstConversion", m.hoursToFirstConversion)
        add("largestOverspend", m.largestOverspend); add("largestPrice", m.largestPrice)
        if let d = m.dynamics {
            add("dynamics.days", d.days); add("dynamics.active", d.active); add("dynamics.budget", d.budget)
            add("dynamics.incumbents", d.incumbents); add("dynamics.revenue", d.revenue); add("dynamics.churned", d.churned)
        }
        if let a = m.autobidding {
            add("autobidding.bidPerConversion", a.bidPerConversion); add("autobidding.target", a.target)
            add("autobidding.candidacies", a.candidacies); add("autobidding.bidSum", a.bidSum)
        }
        return out
    }
}
