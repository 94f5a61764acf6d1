import Testing
@testable import Scenario
@testable import Simulation
@testable import Marketplace

/// The deployment footprint a report states for personal blocks (issue 19, item 6) against what
/// the ranker really allocates.
@Suite("Ranker footprint: the bytes per ad the report states are the bytes the blocks keep")
struct FootprintTests {
    static func world(small: Int) throws -> (Scenario, World) {
        let scenario = try ScenarioLoader.parse(yaml: """
            name: footprint
            truth: {latentDimension: 6}
            tiers:
              large: {count: 3, adsPerAdvertiser: 2, historyImpressions: 30}
              small: {count: \(small), adsPerAdvertiser: 1, historyImpressions: 5}
            policies:
              - {name: meta, ranker: {kind: meta, supportSize: 12, querySize: 7}}
              - {name: bias, ranker: {kind: finetune, personalBlock: bias, supportSize: 5}}
            """, file: "footprint.yaml")
        return (scenario, WorldGenerator.generate(scenario, replicate: 0))
    }

    @Test func bytesPerAdMatchTheAllocation() throws {
        let (scenario, a) = try Self.world(small: 10), (_, b) = try Self.world(small: 70)
        #expect(b.adCountTotal - a.adCountTotal == 60)
        for policy in scenario.policies {
            let small = PersonalBlocks(world: a, ranker: policy.ranker, cohorts: 1, tuned: true)
            let large = PersonalBlocks(world: b, ranker: policy.ranker, cohorts: 1, tuned: true)
            let measured = (large.bytes - small.bytes) / (b.adCountTotal - a.adCountTotal)
            let stated = RankerFootprint(settings: policy.ranker.meta, dimension: 6, ads: [Double(a.adCountTotal)], cohorts: 1)
            #expect(stated.bytesPerAd == measured, "\(policy.name): stated \(stated.bytesPerAd), allocated \(measured) per ad")
            // d = 6: a last-layer block is 7 parameters, a bias block 1; serving reads 13 values (7 for the global model).
            #expect(stated.personalParametersPerAd == (policy.ranker.meta.personalBlock == .lastLayer ? 7 : 1))
            #expect(stated.servedValuesPerAd == 13 && stated.globalServedValuesPerAd == 7)
            #expect(stated.multiplyAddsPerCandidate == 12 && stated.globalMultiplyAddsPerCandidate == 6)
        }
    }

    /// With personal conversion blocks the stated bytes per ad cover them too: the click blocks'
    /// allocation plus the conversion blocks' (ring, block) and their served q.
    @Test func conversionBlocksAreInTheFootprint() throws {
        let (scenario, a) = try Self.world(small: 10), (_, b) = try Self.world(small: 70)
        var settings = scenario.policies[0].ranker
        settings.conversionModel = .learned
        settings.meta.conversionBlocks = true
        let measured = { (w: World) in
            PersonalBlocks(world: w, ranker: settings, cohorts: 1, tuned: true).bytes
                + ConversionModel(world: w, settings: settings, cohorts: 1, seed: 1).personalBytes
        }
        let perAd = (measured(b) - measured(a)) / (b.adCountTotal - a.adCountTotal)
        let stated = RankerFootprint(settings: settings.meta, dimension: 6, ads: [Double(a.adCountTotal)], cohorts: 1)
        #expect(stated.bytesPerAd == perAd, "stated \(stated.bytesPerAd), allocated \(perAd) per ad")
        #expect(stated.personalParametersPerAd == 14 && stated.servedValuesPerAd == 19 && stated.multiplyAddsPerCandidate == 18)
    }
}

/// The memory check before a run counts the rankers' per-ad state (issue 19).
@Suite("Memory estimate: the rankers' state")
struct RankerMemoryEstimateTests {
    /// A meta policy adds at least its stated footprint to a cell's estimate; a learned conversion
    /// model with conversion blocks adds more again. 10⁵ ads, so the footprint is ~400 MB.
    @Test func personalBlocksAndConversionModelsAreCounted() throws {
        func scenario(_ ranker: String) throws -> Scenario {
            try ScenarioLoader.parse(yaml: """
                tiers:
                  small: {count: 100000, adsPerAdvertiser: 1, historyImpressions: 0}
                cohorts:
                  - {name: a, share: 0.5}
                  - {name: b, share: 0.5}
                replicates: 1
                policies:
                  - {name: p, ranker: \(ranker)}
                """, file: "memory.yaml")
        }
        let global = MemoryEstimate.bytes(try scenario("global"), jobs: 1)
        let metaScenario = try scenario("{kind: meta}")
        let meta = MemoryEstimate.bytes(metaScenario, jobs: 1)
        let footprint = RankerFootprint(settings: metaScenario.policies[0].ranker.meta, dimension: 8, ads: [100_000], cohorts: 2)
        #expect(meta - global >= footprint.totalBytes.mean && footprint.totalBytes.mean > 3e8, "meta adds \(meta - global)")
        let blocks = MemoryEstimate.bytes(try scenario("{kind: meta, conversionModel: learned, conversionBlocks: true}"), jobs: 1)
        #expect(blocks - meta > 100_000 * 40 * 8 * 12, "a ring of 40 labelled clicks per adgroup: \(blocks - meta)")
    }
}
