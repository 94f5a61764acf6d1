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
}
