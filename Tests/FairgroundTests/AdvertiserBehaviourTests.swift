import Foundation
import Testing
@testable import Scenario
@testable import Simulation
import Stochastics

/// Autobidders and advertiser dynamics in the marketplace (issue 18): the strategies' goals, the
/// budget cap, the churn rule's probability, the counterfactual, and fixed-CPC unchanged.
@Suite("Marketplace: autobidders and advertisers who leave")
struct AdvertiserBehaviourTests {
    /// Large advertisers on target-CPA with budgets they never reach; small ones fixed-CPC.
    static let cpaYAML = """
        name: cpa
        seed: 5
        replicates: 4
        horizon: {days: 6, requestsPerDay: 20000}
        tiers:
          large: {count: 30, adsPerAdvertiser: 2, budget: 10000, bidding: {target-cpa: {target: 10}}}
          small: {count: 60, adsPerAdvertiser: 1, budget: 20, bid: 0.8}
        truth: {conversionDelayHours: 2}
        pacing: none
        policies:
          - {name: oracle, ranker: oracle}
          - {name: oracle-20, ranker: oracle, bidding: {large: {target-cpa: {target: 20}}}}
          - {name: max-conversions, ranker: oracle, bidding: {small: max-conversions}}
        """

    @Test func targetCPALandsOnItsTargetWithTheTruePCVR() throws {
        let scenario = try ScenarioLoader.parse(yaml: Self.cpaYAML, file: "cpa.yaml")
        #expect(scenario.bidding(policy: 1, tier: 0).strategy == .targetCPA(target: 20))
        #expect(scenario.bidding(policy: 1, tier: 1).strategy == .fixedCPC)
        let summary = RunSummary.build(scenario, cells: Runner.run(scenario, jobs: 2), version: "test")
        for (p, target) in [(0, 10.0), (1, 20.0)] {
            let a = try #require(summary.policies[p].autobidding?["large"])
            #expect(a.target == target && a.strategy == "target-cpa")
            // With the platform's pCVR equal to the truth and budgets out of reach, the controller
            // holds the tier's cost per conversion within 5% of the target.
            #expect(abs(a.realisedCPA.mean / target - 1) < 0.05, "policy \(p): CPA \(a.realisedCPA)")
            #expect(summary.policies[p].autobidding?["small"] == nil)
        }
        // Max-conversions spends its budget: the small tier's budgets bind, so nearly all is spent.
        let small = try #require(summary.policies[2].autobidding?["small"])
        #expect(small.strategy == "max-conversions" && small.target == nil)
        #expect(try #require(summary.policies[2].tiers["small"]).spendDelivery.mean > 0.8)
    }

    @Test func noStrategySpendsMoreThanTheDaysBudget() throws {
        let scenario = try ScenarioLoader.parse(yaml: Self.cpaYAML.replacingOccurrences(of: "budget: 10000", with: "budget: 15"), file: "cpa.yaml")
        for cell in Runner.run(scenario, jobs: 2) {
            #expect(cell.metrics.largestOverspend <= 1e-9, "policy \(cell.policy): overspend \(cell.metrics.largestOverspend)")
            #expect(cell.metrics.autobidding != nil)
        }
    }

    @Test func fixedCPCWrittenOutIsTheDefault() throws {
        let plain = try Fixtures.tiny()
        let explicit = try ScenarioLoader.parse(yaml: Fixtures.tinyYAML.replacingOccurrences(
            of: "  - {name: global, ranker: global}", with: "  - {name: global, ranker: global, bidding: {small: fixed-cpc, large: {fixed-cpc: {shading: 1}}}}"),
            file: "explicit.yaml")
        #expect(explicit.policies[0].bidding["small"] == .fixedCPC)
        let a = Runner.runCell(plain, policy: 0, replicate: 1), b = Runner.runCell(explicit, policy: 0, replicate: 1)
        #expect(a.metrics.spend == b.metrics.spend && a.metrics.clicks == b.metrics.clicks)
        #expect(a.metrics.autobidding == nil && a.metrics.dynamics == nil)
    }

    /// Under first price a fixed-CPC bidder pays its bid: by default it shades by the symmetric
    /// equilibrium (n − 1)/n (n = 10 bidders per auction here); `shading` overrides the rule.
    @Test func firstPriceFixedCPCShadesByDefault() throws {
        func largestPrice(_ shading: String) throws -> Double {
            let scenario = try ScenarioLoader.parse(yaml: """
                name: first-price
                replicates: 1
                horizon: {days: 0.5, requestsPerDay: 3000}
                placement: {examination: [1.0, 0.5], maxCandidates: 10}
                auction: {mechanism: first-price, reserve: 0.01}
                tiers:
                  all: {count: 30, adsPerAdvertiser: 1, bid: 1, budget: 1000\(shading)}
                pacing: none
                policies: [{name: oracle, ranker: oracle}]
                """, file: "first-price.yaml")
            return Runner.runCell(scenario, policy: 0, replicate: 0).metrics.largestPrice
        }
        #expect(try largestPrice("") == 0.9)
        #expect(try largestPrice(", bidding: {fixed-cpc: {shading: equilibrium}}") == 0.9)
        #expect(try largestPrice(", bidding: {fixed-cpc: {shading: 1}}") == 1)
        #expect(try largestPrice(", bidding: {fixed-cpc: {shading: 0.5}}") == 0.5)
    }

    @Test func churnRuleIsTheDocumentedLogistic() {
        let rule = ChurnRule()
        #expect(abs(rule.probability(delivery: 0.2, roi: 2) - 1 / (1 + exp(1.4))) < 1e-15)
        #expect(abs(rule.probability(delivery: 0.9, roi: 0.5) - 1 / (1 + exp(4.0))) < 1e-15)
        #expect(abs(rule.probability(delivery: 1, roi: .nan) - 1 / (1 + exp(5.0))) < 1e-15)
    }

    /// Churn on with a rule that leaves with probability ½ whatever happened: the first review's
    /// leavers are Binomial(n, ½).
    static func churnYAML(_ rule: String, counterfactual: Bool = true) -> String {
        """
        name: churn
        seed: 9
        replicates: 3
        horizon: {days: 3, requestsPerDay: 4000}
        tiers:
          large: {count: 100, adsPerAdvertiser: 1, bidding: {target-cpa: {target: 10}}}
          small: {count: 300, adsPerAdvertiser: 1, bidding: max-conversions}
        newAdvertisers: {perDay: 10, tierMix: {small: 1}}
        truth: {conversionDelayHours: 2}
        advertiserDynamics: {reviewEveryDays: 1, counterfactual: \(counterfactual), churn: \(rule)}
        policies:
          - {name: global, ranker: global}
          - {name: oracle, ranker: oracle}
        """
    }

    @Test func churnFollowsTheRulesProbability() throws {
        let scenario = try ScenarioLoader.parse(yaml: Self.churnYAML("{intercept: 0, deliverySlope: 0, roiSlope: 0}", counterfactual: false), file: "c.yaml")
        let cells = Runner.run(scenario, jobs: 2)
        var left = 0.0, reviewed = 0.0
        for cell in cells {
            let d = try #require(cell.metrics.dynamics)
            #expect(d.days == [0, 1, 2, 3] && d.revenueWithoutChurn.isEmpty)
            for t in 0..<2 { left += d.incumbents[t] - d.incumbents[2 + t]; reviewed += d.incumbents[t] }
        }
        // 400 incumbents × 6 cells at p = ½: 1,200 expected, standard error √(2400/4) ≈ 24.5.
        #expect(abs(left - reviewed / 2) < 4 * (reviewed / 4).squareRoot(), "\(left) of \(reviewed) left at the first review")
        // The same advertisers decide the same way under both policies (common random numbers):
        // the draw is keyed by (replicate, advertiser, review), and with p independent of results
        // the leavers are identical.
        let byReplicate = Dictionary(grouping: cells, by: \.replicate)
        for (_, pair) in byReplicate {
            #expect(pair[0].metrics.dynamics!.incumbents == pair[1].metrics.dynamics!.incumbents)
        }
    }

    @Test func withoutLeaversTheCounterfactualIsTheSameRun() throws {
        let scenario = try ScenarioLoader.parse(yaml: Self.churnYAML("{intercept: -20, deliverySlope: 0, roiSlope: 0}"), file: "c.yaml")
        let cells = Runner.run(scenario, jobs: 2)
        for cell in cells {
            let d = try #require(cell.metrics.dynamics)
            #expect(d.churned == [0, 0])
            #expect(d.revenue == d.revenueWithoutChurn, "nobody left, so the run without churn is this run")
        }
        let summary = RunSummary.build(scenario, cells: cells, version: "test")
        let lost = try #require(summary.policies[0].dynamics?.revenueLostToChurn)
        #expect(lost.mean == 0 && lost.upper == 0)
        // With leavers, the counterfactual differs and revenue is lost.
        let churning = try ScenarioLoader.parse(yaml: Self.churnYAML("{intercept: 0, deliverySlope: 0, roiSlope: 0}"), file: "c.yaml")
        let churned = RunSummary.build(churning, cells: Runner.run(churning, jobs: 2), version: "test")
        #expect(try #require(churned.policies[0].dynamics?.revenueLostToChurn).lower > 0)
    }

    @Test func dynamicsAreTheSameWhateverTheJobs() throws {
        let scenario = try ScenarioLoader.parse(yaml: Self.churnYAML("{intercept: -2}"), file: "c.yaml")
        let one = Runner.run(scenario, jobs: 1), two = Runner.run(scenario, jobs: 2)
        for (a, b) in zip(one, two) {
            #expect(a.metrics.spend == b.metrics.spend)
            #expect(a.metrics.dynamics?.revenue == b.metrics.dynamics?.revenue)
            #expect(a.metrics.dynamics?.revenueWithoutChurn == b.metrics.dynamics?.revenueWithoutChurn)
        }
    }
}
