import Foundation
import Testing
import Reporting
@testable import Scenario
@testable import Simulation
import Stochastics
@testable import Sweeps

/// The tuner and the paired recommendation on synthetic objectives whose optimum is known, then
/// `fairground tune` on the shipped exploration sweep.
@Suite("Sweeps: paired recommendations and the tuner")
struct TunerTests {
    /// A policy summary from a real (tiny) run, whose figures the synthetic cells replace.
    static let template: PolicySummary = {
        let scenario = try! Fixtures.tiny { $0.replicates = 2 }
        let cells = Runner.run(scenario, jobs: 1)
        return RunSummary.build(scenario, cells: cells, version: "test").policies[0]
    }()

    /// A cell whose revenue per replicate is `revenue` and whose new advertisers' spend delivery is `delivery`.
    static func cell(_ index: Int, key: String, value: Double, revenue: [Double], delivery: [Double]) -> SweepCellResult {
        var p = template
        p.revenue = Statistics.estimate(revenue)
        p.tiers["new"]?.spendDelivery = Statistics.estimate(delivery)
        return SweepCellResult(index: index, hash: "h\(index)", overrides: [key: Format.number(value)], policy: p,
                               replicates: ["revenue": revenue, "tiers.new.spendDelivery": delivery])
    }

    /// Shared per-replicate noise (the same "traffic" in every cell, as paired seeds give).
    static let shared: [Double] = [0.8, -1.1, 0.3, 1.6, -0.9, -0.7]

    static func search(range: ClosedRange<Double>, budget: Int, constraints: [String],
                       revenue: @escaping (Double) -> Double, delivery: @escaping (Double) -> Double) -> Tuner.Search {
        Tuner.search(key: "k", range: range, budget: budget, objective: "revenue", constraints: constraints) { batch in
            batch.map { b in
                cell(b.index, key: "k", value: b.value, revenue: shared.map { revenue(b.value) + $0 },
                     delivery: shared.map { _ in delivery(b.value) })
            }
        }
    }

    @Test func findsTheKnownPeakOfAQuadraticInFarFewerCellsThanAGrid() {
        let s = Self.search(range: 0...1, budget: 13, constraints: ["tiers.new.spendDelivery >= 0.1"],
                            revenue: { 100 - 400 * ($0 - 0.37) * ($0 - 0.37) }, delivery: { $0 })
        let r = try! #require(s.recommendation)
        let best = s.steps[r.index].value
        #expect(abs(best - 0.37) <= s.resolution, "best \(best), resolution \(s.resolution)")
        #expect(s.steps.count <= 13 && s.gridCells > 4 * s.steps.count)
        #expect(r.edges.isEmpty)
        // With the shared noise cancelled in pairs, the neighbours of the peak are distinguishable.
        #expect(r.indistinguishable == [r.index])
    }

    @Test func aBindingConstraintStopsTheSearchAtItsBound() {
        let s = Self.search(range: 0...1, budget: 15, constraints: ["tiers.new.spendDelivery <= 0.6"],
                            revenue: { 10 * $0 }, delivery: { $0 })
        let r = try! #require(s.recommendation)
        let best = s.steps[r.index].value
        #expect(best <= 0.6 && 0.6 - best <= s.resolution, "best \(best), resolution \(s.resolution)")
        let metOverInterval = r.constraints.allSatisfy { $0.satisfiedByInterval }
        #expect(metOverInterval)
    }

    @Test func anOptimumBeyondTheRangeIsWarnedAboutAndAFlatObjectiveNamesEveryCell() {
        let rising = Self.search(range: 0...0.2, budget: 9, constraints: [], revenue: { 50 + 10 * $0 }, delivery: { _ in 0.5 })
        let r = try! #require(rising.recommendation)
        #expect(rising.steps[r.index].value == 0.2)
        #expect(r.edges.count == 1 && r.edges[0].contains("top of the range"))
        let falling = Self.search(range: 0.1...0.5, budget: 9, constraints: [], revenue: { 50 - 10 * $0 }, delivery: { _ in 0.5 })
        #expect(falling.recommendation?.edges.first?.contains("bottom of the range") == true)
        // Starting at 0 a falling objective is not "below the range": rates cannot be negative.
        let fromZero = Self.search(range: 0...0.5, budget: 7, constraints: [], revenue: { 50 - 10 * $0 }, delivery: { _ in 0.5 })
        #expect(fromZero.recommendation?.edges == [])
        let flat = Self.search(range: 0...1, budget: 7, constraints: [], revenue: { _ in 50 }, delivery: { _ in 0.5 })
        #expect(flat.recommendation.map { Set($0.indistinguishable) } == Set(flat.steps.map(\.cell)))
    }

    @Test func feasibilityIsJudgedOnTheIntervalAndFallsBackToTheMeanSayingSo() {
        // Cell 0 meets delivery ≥ 0.3 over its whole interval; cell 1 has more revenue but meets it by the mean only.
        let a = Self.cell(0, key: "k", value: 0, revenue: [10, 11, 12], delivery: [0.40, 0.41, 0.42])
        let b = Self.cell(1, key: "k", value: 1, revenue: [20, 21, 22], delivery: [0.10, 0.35, 0.60])
        let r = try! #require(SweepRecommendation.recommend([a, b], objective: "revenue", constraints: ["tiers.new.spendDelivery >= 0.3"], ranges: [:]))
        #expect(r.index == 0 && r.basis == "interval" && r.meanOnly == [1])
        let onlyMean = try! #require(SweepRecommendation.recommend([b], objective: "revenue", constraints: ["tiers.new.spendDelivery >= 0.3"], ranges: [:]))
        #expect(onlyMean.basis == "mean" && onlyMean.index == 1)
        #expect(SweepRecommendation.recommend([b], objective: "revenue", constraints: ["tiers.new.spendDelivery >= 0.9"], ranges: [:]) == nil)
    }

    /// Two-sided 95% quantiles of Student's t (published tables), by degrees of freedom.
    static let t95: [Int: Double] = [1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 7: 2.365]

    @Test func tuneOnTheExplorationSweepReportsItsIndistinguishableSetAndEdgeHonestly() throws {
        let folder = try Fixtures.temporaryFolder()
        let out = folder.appendingPathComponent("tune").path
        let args = ["tune", Fixtures.repositoryRoot.appendingPathComponent("scenarios/exploration-sweep.yaml").path, "--key", "policies[0].explorer.rate", "--range", "0:0.2",
                    "--budget", "7", "--out", out, "--quiet"]
        let first = try Fixtures.runCLI(args)
        #expect(first.status == 0, "\(first.stderr)")
        let text = try String(contentsOfFile: out + "/tune.json", encoding: .utf8)
        let d = try MetricsJSON.decode(TuneRunner.Document.self, from: text)
        #expect(d.steps.count == 7 && d.cells.count == 7 && d.fixed == ["tiers.small.count": "150"])
        #expect(d.gridCells > d.steps.count)
        let r = try #require(d.recommendation, "the exploration sweep has rates meeting the constraint")
        let best = try #require(d.cells.first { $0.index == r.index })
        // The set it reports: every cell meeting the constraint over its interval whose paired
        // difference from the best (recomputed here with a t table) includes zero.
        let bestRevenue = try #require(best.replicates["revenue"])
        for c in d.cells {
            let delivery = try #require(c.metric("tiers.new.spendDelivery"))
            guard delivery.lower >= 0.3 else { #expect(!r.indistinguishable.contains(c.index) || r.basis == "mean"); continue }
            let diffs = zip(try #require(c.replicates["revenue"]), bestRevenue).map { $0 - $1 }
            let n = Double(diffs.count), mean = diffs.reduce(0, +) / n
            let sd = (diffs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)).squareRoot()
            let half = try #require(Self.t95[diffs.count - 1]) * sd / n.squareRoot()
            let includesZero = mean - half <= 0 && mean + half >= 0
            #expect(r.indistinguishable.contains(c.index) == includesZero || c.index == r.index,
                    "cell \(c.index): paired difference \(mean) ± \(half)")
        }
        // The edge warning exactly when the best is the top of the range.
        #expect((best.overrides["policies[0].explorer.rate"] == "0.2") == !r.edges.isEmpty)
        // A rerun finds every cell cached and writes the same document.
        let second = try Fixtures.runCLI(args)
        let again = try String(contentsOfFile: out + "/tune.json", encoding: .utf8)
        #expect(second.status == 0 && again == text)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out + "/cells").count == 7)
    }
}
