import Foundation
import Testing
@testable import Marketplace
@testable import Scenario
@testable import Simulation

/// The worked example of docs/architecture.md: a ranker kind defined outside the Simulation
/// module, run through the whole pipeline.
///
/// `CountingRanker` predicts each ad's click rate from what it has seen: (clicks + 1) over
/// (examined impressions + 1 / prior), a smoothed observed rate, the same for every user.
final class CountingRanker: Ranker {
    let world: World
    let prior: Double
    private var clicks: [Double]
    private var examined: [Double]
    private(set) var impressionsTold = 0
    private(set) var clicksTold = 0

    init(world: World, prior: Double = 0.02) {
        self.world = world
        self.prior = prior
        clicks = Array(repeating: 0, count: world.adCountTotal)
        examined = clicks
        // What the platform knows before the run: the logged history.
        for i in 0..<world.history.count {
            let ad = Int(world.history.ad[i])
            examined[ad] += world.history.examination[i]
            if world.history.clicked[i] { clicks[ad] += 1 }
        }
    }

    func prepare(user: UnsafeBufferPointer<Double>, cohort: Int) {}

    func score<K: Kernel>(_ request: RequestScratch, _ range: Range<Int>, kernel: K.Type) {
        for i in range {
            let ad = request.candidates[i]
            request.predicted[i] = (clicks[ad] + 1) / (examined[ad] + 1 / prior)
            request.predictedCVR[i] = 0.05
        }
    }

    func recordImpression(ad: Int, user: UnsafeBufferPointer<Double>, cohort: Int, examination: Double, clicked: Bool,
                          time: Double, logged: Bool) {
        examined[ad] += examination
        impressionsTold += 1
    }

    func recordClick(ad: Int, position: Int) {
        clicks[ad] += 1
        clicksTold += 1
    }
}

@Suite("Architecture: a ranker kind added outside the engine")
struct CustomRankerTests {
    @Test func aRankerDefinedInTheTestsRunsThroughThePipeline() throws {
        let scenario = try Fixtures.tiny()
        let world = WorldGenerator.generate(scenario, replicate: 0)
        let ranker = CountingRanker(world: world)
        let cell = Cell(scenario: scenario, world: world, policy: 0, replicate: 0, kernel: .tuned)
        let result = CellFactory.run(cell, ranker: ranker)
        let m = result.metrics
        // The feedback contract: told of every impression and every click the run counted.
        #expect(ranker.impressionsTold == Int(m.impressions.reduce(0, +)))
        #expect(ranker.clicksTold == Int(m.clicks.reduce(0, +)))
        #expect(m.impressions.reduce(0, +) > 1000)
        // It is judged like any ranker: prediction quality per tier exists.
        #expect(m.prediction[0].count > 0 && m.prediction[1].count > 0)
        // The same ranker through the reference pipeline gives the same bytes.
        let reference = CellFactory.run(Cell(scenario: scenario, world: world, policy: 0, replicate: 0, kernel: .reference),
                                        ranker: CountingRanker(world: world))
        DifferentialTests.expectIdentical(result, reference, "counting ranker")
        // And it is a different policy from the global model: the allocation changes.
        let global = CellFactory.run(scenario, world: world, policy: 0, replicate: 0, kernel: .tuned)
        #expect(global.metrics.impressions != m.impressions)
    }
}
