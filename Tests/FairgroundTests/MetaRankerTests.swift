import Foundation
import Testing
@testable import Scenario
@testable import Simulation
import Reporting
@testable import Marketplace
import Stochastics

@Suite("Simulation: meta-learned and fine-tuned rankers")
struct MetaRankerTests {
    static let policies = """
        policies:
          - {name: global, ranker: global}
          - name: meta
            ranker: {kind: meta, method: metasgd, metaIterations: 40}
          - name: finetune
            ranker: {kind: finetune}
          - {name: oracle, ranker: oracle}
        """

    static func scenario(_ policies: String = policies) throws -> Scenario {
        let base = Fixtures.tinyYAML.components(separatedBy: "policies:")[0]
        return try ScenarioLoader.parse(yaml: base + policies, file: "meta.yaml")
    }

    @Test func readsPersonalBlockSettingsInEitherSpelling() throws {
        let s = try Self.scenario("""
            policies:
              - name: meta
                ranker: {kind: meta, method: maml, inner_steps: 4, inner_lr: 0.2, support_size: 8, query_size: 6,
                         personal_block: bias, cold_start: meta-embedding, windowHours: 48}
            """)
        let m = s.policies[0].ranker.meta
        #expect(s.policies[0].ranker.kind == .meta)
        #expect(m.method == .maml && m.innerSteps == 4 && m.innerLearningRate == 0.2 && m.supportSize == 8 && m.querySize == 6)
        #expect(m.personalBlock == .bias && m.coldStart == .metaEmbedding && m.windowHours == 48)
    }

    /// With tier features the global model learns a shift per tier: in the warm-up world the small
    /// tier's clicks sit `qualityShift` = 1 above the large tier's on the logit, so τ_small − τ_large
    /// lands near 1 (each tier's mean advertiser and ad offsets have SE ≈ 0.05 over 60 large advertisers'
    /// 240 ads; the ID biases, shrunk toward 0, take little of it); without them no tier term exists
    /// and a new ad's served bias is its ID bias alone.
    @Test func tierFeaturesLearnTheTierShift() throws {
        var scenario = try ScenarioLoader.parse(yaml: WarmupReproduction.world, file: "<warmup>")
        scenario.policies[0].ranker.tierFeatures = true
        let world = WorldGenerator.generate(scenario, replicate: 0)
        let model = GlobalModel(world: world, settings: scenario.policies[0].ranker, seed: 7, servesRows: true)
        let newLarge = try #require((world.initialAdCount..<world.adCountTotal).first { world.advertiserTier[Int(world.adAdvertiser[$0])] == 0 })
        let newSmall = try #require((world.initialAdCount..<world.adCountTotal).first { world.advertiserTier[Int(world.adAdvertiser[$0])] == 1 })
        #expect(model.idBias(ad: newLarge) == 0 && model.idBias(ad: newSmall) == 0)
        let shift = model.servedBias(ad: newSmall) - model.servedBias(ad: newLarge)
        #expect(abs(shift - 1) < 0.25, "τ_small − τ_large = \(shift)")
        scenario.policies[0].ranker.tierFeatures = false
        let blind = GlobalModel(world: world, settings: scenario.policies[0].ranker, seed: 7, servesRows: true)
        #expect((0..<world.adCountTotal).allSatisfy { blind.servedBias(ad: $0) == blind.idBias(ad: $0) }, "no tier term without tier features")
    }

    @Test func personalBlockKeysOnAGlobalRankerAreErrorsWithTheirLine() throws {
        let yaml = Fixtures.tinyYAML.components(separatedBy: "policies:")[0] + """
            policies:
              - name: g
                ranker: {kind: global, innerSteps: 3}
              - name: f
                ranker: {kind: finetune, method: maml}
              - name: m
                ranker: {kind: meta, method: sgd}
            """
        let lines = yaml.components(separatedBy: "\n")
        do {
            _ = try ScenarioLoader.parse(yaml: yaml, file: "bad.yaml")
            Issue.record("expected errors")
        } catch {
            let text = error.description
            #expect(text.contains("policies[0].ranker.innerSteps"))
            #expect(text.contains("line \((lines.firstIndex { $0.contains("innerSteps: 3") } ?? 0) + 1)"))
            #expect(text.contains("policies[1].ranker.method"))
            #expect(text.contains("policies[2].ranker.method"))
        }
    }

    @Test func metaRunIsIdenticalAcrossJobCountsAndNamesItsRanker() throws {
        let scenario = try Self.scenario()
        let one = Runner.run(scenario, jobs: 1), two = Runner.run(scenario, jobs: 2)
        let a = RunSummary.build(scenario, cells: one, version: "test"), b = RunSummary.build(scenario, cells: two, version: "test")
        #expect(try MetricsJSON.encode(a) == MetricsJSON.encode(b))
        #expect(a.policies.map(\.ranker) == ["global", "meta", "finetune", "oracle"])
        for p in a.policies where p.ranker == "meta" || p.ranker == "finetune" {
            let comparison = try #require(p.rankerComparison)
            #expect(comparison.baseline == "global")
            #expect(Set(comparison.tiers.keys) == ["large", "small", "new"])
            #expect(comparison.tiers.values.allSatisfy { $0.logloss.count == 3 })
        }
        #expect(a.policies[0].rankerComparison == nil)
        for p in a.policies where p.ranker != "oracle" {
            for tier in ["large", "small", "new"] {
                #expect(p.tiers[tier]?.logloss != nil && p.tiers[tier]?.auc != nil, "\(p.name) \(tier)")
            }
        }
    }
}

extension MetaRankerTests {
    /// The mission's claim in miniature: small advertisers with better products and thin history.
    /// The meta-learned blocks must predict the small tier's clicks better than the global model
    /// they build on — paired over replicates, the interval of the log-loss change below zero.
    @Test func metaRankerPredictsTheSmallTierBetterThanTheGlobalModel() throws {
        let scenario = try ScenarioLoader.parse(yaml: """
            name: meta-check
            seed: 5
            replicates: 4
            horizon: {days: 3, requestsPerDay: 8000}
            placement: {examination: [1.0, 0.5], maxCandidates: 20}
            tiers:
              large:
                count: 8
                adsPerAdvertiser: 2
                budget: {distribution: lognormal, median: 60, sigma: 0.3}
                historyImpressions: {distribution: lognormal, median: 1500, sigma: 0.3}
              small:
                count: 60
                budget: {distribution: pareto, scale: 3, shape: 2.5}
                historyImpressions: {distribution: lognormal, median: 20, sigma: 0.5}
                qualityShift: 1.0
            newAdvertisers: {perDay: 4, tierMix: {small: 1}}
            truth: {latentDimension: 4}
            learning: {updateEveryHours: 24}
            policies:
              - {name: global, ranker: global}
              - name: meta
                ranker: {kind: meta, coldStart: meta-embedding}
            """, file: "meta-check.yaml")
        let summary = RunSummary.build(scenario, cells: Runner.run(scenario, jobs: 2), version: "test")
        let small = try #require(summary.policies[1].rankerComparison?.tiers["small"])
        #expect(small.logloss.upper < 0, "log-loss change \(small.logloss.mean) (\(small.logloss.lower) to \(small.logloss.upper))")
        #expect(small.auc.lower > 0)
    }
}

@Suite("Simulation: cohort personal blocks")
struct CohortBlockTests {
    /// With two cohorts and cohort blocks on, the scenario builds cohort blocks and runs deterministically.
    @Test func cohortBlocksRunDeterministically() throws {
        let base = Fixtures.tinyYAML.components(separatedBy: "policies:")[0]
        let yaml = base + """
            cohorts:
              - {name: new-users, share: 0.4, objective: conversions, center: -0.5}
              - {name: advanced, share: 0.6, objective: order-value, center: 0.5}
            policies:
              - name: meta
                ranker: {kind: meta, cohortBlocks: true, metaIterations: 20}
            """
        let scenario = try ScenarioLoader.parse(yaml: yaml, file: "cohorts.yaml")
        #expect(scenario.policies[0].ranker.meta.cohortBlocks)
        let world = WorldGenerator.generate(scenario, replicate: 0)
        let ranker = PersonalBlockRanker(world: world, settings: scenario.policies[0].ranker, cohorts: 2, seed: 3, tuned: true)
        #expect(ranker.personal.cohorts != nil)
        let a = Runner.runCell(scenario, policy: 0, replicate: 1), b = Runner.runCell(scenario, policy: 0, replicate: 1)
        #expect(a.revenue == b.revenue && a.metrics.impressions == b.metrics.impressions)
    }
}

extension CohortBlockTests {
    /// A cohort block adapts by plain logistic gradient descent on its latest 10 × supportSize rows:
    /// with zero user vectors only the bias has an input, so from 0 with step 0.5 and three steps,
    /// b ← b − 0.5 (σ(b) − click rate) gives −0.3302293 at a click rate of 1/4 and 0.5287397 at 9/10
    /// (computed by hand outside the project). The weights, whose inputs are all zero, stay 0, and a
    /// cohort with no impressions keeps the start.
    @Test func cohortBlockAdaptsByLogisticGradientDescent() throws {
        let scenario = try ScenarioLoader.parse(yaml: Fixtures.tinyYAML, file: "tiny.yaml")
        let world = WorldGenerator.generate(scenario, replicate: 0)
        let d = world.dimension
        var settings = MetaRankerSettings()
        settings.innerSteps = 3
        settings.innerLearningRate = 0.5
        settings.supportSize = 20
        let blocks = CohortBlocks(cohorts: 3, dimension: d, settings: settings, metaTrained: false)
        let zeros = [Double](repeating: 0, count: d)
        zeros.withUnsafeBufferPointer { u in
            // Cohort 0: 60 clicks first (pushed out of the latest 200), then 200 rows with 50 clicks.
            for i in 0..<60 { blocks.record(cohort: 0, ad: i % 3, user: u, examination: 1, clicked: true, time: Double(i)) }
            for i in 0..<200 { blocks.record(cohort: 0, ad: i % 3, user: u, examination: 1, clicked: i % 4 == 0, time: Double(60 + i)) }
            // Cohort 1: 30 rows with 27 clicks (fewer than the 200 it could hold).
            for i in 0..<30 { blocks.record(cohort: 1, ad: i % 3, user: u, examination: 1, clicked: i % 10 != 0, time: Double(i)) }
        }
        blocks.adapt(world: world, now: 1_000) { _, _ in 0 }
        let b = blocks.blocks
        #expect(abs(b[d] - (-0.3302293115375963)) < 1e-12, "cohort 0 bias \(b[d])")
        #expect(abs(b[2 * (d + 1) - 1] - 0.5287396826461879) < 1e-12, "cohort 1 bias \(b[2 * (d + 1) - 1])")
        for c in 0..<3 { for k in 0..<d { #expect(b[c * (d + 1) + k] == 0) } }
        #expect(b[3 * (d + 1) - 1] == 0)
    }
}

extension MetaRankerTests {
    /// Meta-Embedding initialises a new ad's global ID bias β with the generator's output, once, at
    /// entry, and its personal block starts from the learned start like every other ad's: the served
    /// logit carries the ad's effect once (β + c). The bug this guards against started c from the
    /// generator as well, so that once a retrain had fitted β the effect was counted twice
    /// (served β + e instead of β + c₀). Checked in both kernels' adaptation paths, for an entering
    /// ad with no impressions yet (no inner step, so c is exactly the learned start c₀).
    @Test(arguments: [true, false])
    func generatedEmbeddingInitialisesTheIDBiasOnce(tuned: Bool) throws {
        let scenario = try Self.scenario("policies:\n  - {name: m, ranker: {kind: meta, coldStart: meta-embedding, metaIterations: 20}}\n")
        let world = WorldGenerator.generate(scenario, replicate: 0)
        let ranker = PersonalBlockRanker(world: world, settings: scenario.policies[0].ranker, cohorts: scenario.cohorts.count,
                                         seed: 3, tuned: tuned)
        let p = ranker.personal, base = ranker.base
        let adv = try #require(world.isNew.indices.first { world.isNew[$0] && world.entryTime[$0] > 0 })
        let first = Int(world.firstAd[adv]), ads = first..<(first + Int(world.adCount[adv]))
        let generator = try #require(p.generator)
        let c0 = p.learner.parameters[p.shared + p.width - 1]
        for ad in ads { #expect(base.idBias(ad: ad) == 0, "a new ad has no ID bias before it enters") }
        ranker.enter(advertiser: adv, now: world.entryTime[adv])
        for ad in ads {
            let e = generator.embedding(world.coldStartFeatures(ad: ad))
            #expect(e != 0)
            #expect(base.idBias(ad: ad) == e, "ad \(ad): β \(base.idBias(ad: ad)), generated \(e)")
            #expect(p.bias[ad] == c0, "ad \(ad): c \(p.bias[ad]), learned start \(c0)")
            #expect(p.served[Int(world.adPosition[ad]) * p.servedStride] == e + c0)
        }
    }
}

@Suite("Simulation: fast paths against their references")
struct FastPathTests {
    /// Runs the scenario's first policy (a `meta` or `finetune` ranker, tuned) on replicate 0 to the
    /// horizon; returns the world, the ranker and the horizon.
    static func runPersonalBlockRanker(_ scenario: Scenario) -> (World, PersonalBlockRanker, Double) {
        let world = WorldGenerator.generate(scenario, replicate: 0)
        let ranker = PersonalBlockRanker(world: world, settings: scenario.policies[0].ranker, cohorts: scenario.cohorts.count,
                                         seed: deriveSeed(scenario.seed, replicate: 0, stream: "learning"), tuned: true)
        var simulation = MarketSimulation<PersonalBlockRanker, NoExplorer, NoFairnessControl, TunedKernel>(
            scenario: scenario, world: world, policyIndex: 0, replicate: 0, ranker: ranker, explorer: NoExplorer(), fairness: NoFairnessControl())
        _ = simulation.run()
        return (world, ranker, simulation.horizon)
    }

    /// After a run, every ad's block re-adapted by the specialised inner loop equals, bit for bit,
    /// the generic `MetaLearner.adapt` on the same task batch (both block kinds, with and without a
    /// time window and cold-start generator; rows set up four at a time, and one by one under
    /// cohort blocks).
    @Test(arguments: ["{kind: meta, metaIterations: 20}",
                      "{kind: meta, coldStart: meta-embedding, metaIterations: 20}",
                      "{kind: meta, personalBlock: bias, windowHours: 10, coldStart: none, metaIterations: 20}",
                      "{kind: meta, cohortBlocks: true, metaIterations: 20}",
                      "{kind: finetune}"])
    func specialisedAdaptationMatchesTheGenericLearner(ranker: String) throws {
        let (world, ranker, now) = Self.runPersonalBlockRanker(try MetaRankerTests.scenario("policies:\n  - {name: m, ranker: \(ranker)}\n"))
        let personal = ranker.personal, base = ranker.base
        var adaptedWithData = 0
        for ad in 0..<world.adCountTotal where world.entryTime[Int(world.adAdvertiser[ad])] <= now {
            let g = personal.adgroup(of: ad)
            personal.adapt(adgroup: g, world: world, base: base, now: now)
            let reference = personal.referenceBlock(adgroup: g, world: world, base: base, now: now)
            let served = personal.servedBlock(ad: ad, world: world)
            #expect(served.bias == reference.last!, "ad \(ad): bias \(served.bias) vs \(reference.last!)")
            for k in 0..<world.dimension {
                let expected = reference.count > 1 ? reference[k] * world.adFeatures[ad * world.dimension + k] : 0
                #expect(served.q[k] == expected, "ad \(ad), weight \(k)")
            }
            if reference.last! != 0 { adaptedWithData += 1 }
        }
        #expect(adaptedWithData > world.adCountTotal / 2, "most ads have data to adapt on: \(adaptedWithData)")
    }

    /// The retrieval-order table reproduces the true click model computed straight from the
    /// world's per-advertiser and per-ad arrays.
    @Test func retrievalLayoutReproducesTheTrueModel() throws {
        let scenario = try Fixtures.tiny()
        let world = WorldGenerator.generate(scenario, replicate: 1)
        let d = world.dimension
        let user = (0..<d).map { 0.3 * Double($0) - 0.4 }
        for ad in 0..<world.adCountTotal {
            let adv = Int(world.adAdvertiser[ad])
            var z = world.clickLogit[adv] + world.adLogit[ad] + 0.25
            for k in 0..<d { z += world.personalWeights[adv * d + k] * user[k] * world.adFeatures[ad * d + k] }
            let direct = 1 / (1 + exp(-z))
            let p = Int(world.adPosition[ad])
            #expect(Int(world.retrievalOrder[p]) == ad)
            #expect(Int(world.positionAdvertiser[p]) == adv)
            #expect(Int(world.rankAdvertiser[Int(world.positionRank[p])]) == adv)
            let viaTable = user.withUnsafeBufferPointer { world.clickProbability(ad: ad, user: $0, drift: 0.25) }
            #expect(abs(viaTable - direct) <= 1e-15, "ad \(ad): \(viaTable) vs \(direct)")
        }
        // Account ranks follow first appearance in retrieval order.
        var seen = Set<Int32>(), next: Int32 = 0
        for p in 0..<world.adCountTotal where !seen.contains(world.positionAdvertiser[p]) {
            seen.insert(world.positionAdvertiser[p])
            #expect(world.positionRank[p] == next)
            next += 1
        }
    }
}
