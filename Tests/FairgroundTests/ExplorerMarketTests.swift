import Foundation
import Testing
import Reporting
@testable import Marketplace
import Exploration
import Stochastics
@testable import Scenario
@testable import Simulation

@Suite("Simulation: the top-of-funnel explorer")
struct ExplorerMarketTests {
    /// The tiny market with popularity retrieval, a policy without and one with an explorer.
    func scenario(rate: Double = 0.2, pricing: String = "auction") throws -> Scenario {
        let yaml = Fixtures.tinyYAML
            .replacingOccurrences(of: "placement: {examination: [1.0, 0.5], maxCandidates: 12}",
                                  with: "placement: {examination: [1.0, 0.5], maxCandidates: 12, retrieval: popularity}")
            .replacingOccurrences(of: "  - {name: oracle, ranker: oracle}", with: """
                  - name: explore
                    ranker: global
                    explorer: {algorithm: thompson, rate: \(rate), pool: new, pricing: \(pricing), graduation: {impressions: 100}}
                """)
        return try ScenarioLoader.parse(yaml: yaml, file: "explore.yaml")
    }

    @Test func explorerSettingsAreParsedAndValidated() throws {
        let s = try scenario()
        let e = try #require(s.policies[1].explorer)
        #expect(e.algorithm == .thompson && e.rate == 0.2 && e.pool == .new && e.pricing == .auction && e.slot == 2)
        #expect(e.graduation == .impressions(100))
        #expect(s.policies[0].explorer == nil)
        do {
            _ = try ScenarioLoader.parse(yaml: "policies:\n  - name: x\n    explorer: {algorithm: thompsen, rate: 2, pool: tiny}\n")
            Issue.record("expected errors")
        } catch {
            guard case .invalid(_, let issues) = error else { Issue.record("\(error)"); return }
            #expect(Set(issues.map(\.path)) == ["policies[0].explorer.algorithm", "policies[0].explorer.rate", "policies[0].explorer.pool"])
            #expect(issues.allSatisfy { $0.line == 3 })
        }
    }

    @Test func explorationBringsNewAdsTheirFirstImpressions() throws {
        let s = try scenario()
        let without = Runner.runCell(s, policy: 0, replicate: 0), with = Runner.runCell(s, policy: 1, replicate: 0)
        func newImpressions(_ c: CellResult) -> Double {
            (0..<c.advertiserTier.count).filter { c.advertiserIsNew[$0] }.reduce(0) { $0 + c.metrics.impressions[$1] }
        }
        #expect(with.metrics.exploredImpressions > 0 && without.metrics.exploredImpressions == 0)
        #expect(newImpressions(with) > 3 * max(newImpressions(without), 1))
        #expect(with.metrics.newAdsWithClick > without.metrics.newAdsWithClick)
        // Same traffic under both policies.
        #expect(with.metrics.requests == without.metrics.requests)
        // Explored impressions are at most the rate's share of requests (a slot each).
        #expect(with.metrics.exploredImpressions <= 0.2 * Double(with.metrics.requests) * 1.1)
    }

    @Test func freeExplorationChargesNothingAndKeepsTheLedgerBalanced() throws {
        let free = try scenario(pricing: "free")
        let cell = Runner.runCell(free, policy: 1, replicate: 0)
        let m = cell.metrics
        let width = m.tierCount + 1
        let hourly = (0..<m.hours).reduce(0.0) { t, h in t + (0..<m.tierCount).reduce(0) { $0 + m.hourlySpend[h * width + $1] } }
        #expect(abs(hourly - cell.revenue) <= 1e-9 * cell.revenue)
        #expect(m.largestOverspend <= 1e-9, "spend passed a day's cap by \(m.largestOverspend)")
        // With free exploration the entrants' spend can only come from regular auctions.
        let priced = Runner.runCell(try scenario(pricing: "auction"), policy: 1, replicate: 0)
        func newSpend(_ c: CellResult) -> Double {
            (0..<c.advertiserTier.count).filter { c.advertiserIsNew[$0] }.reduce(0) { $0 + c.metrics.spend[$1] }
        }
        #expect(newSpend(cell) < newSpend(priced))
    }

    @Test func metricsCarryTheExplorerConfigurationOrNull() throws {
        var s = try scenario()
        s.replicates = 2
        let summary = RunSummary.build(s, cells: Runner.run(s, jobs: 2), version: "test")
        let json = try MetricsJSON.encode(summary)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let policies = try #require(object["policies"] as? [[String: Any]])
        #expect(policies[0]["explorer"] is NSNull)
        let explorer = try #require(policies[1]["explorer"] as? [String: Any])
        #expect(explorer["algorithm"] as? String == "thompson" && explorer["rate"] as? Double == 0.2 && explorer["pool"] as? String == "new")
        // Each figure recomputed here from its definition, per replicate, with its t interval.
        let exploration = try #require(policies[1]["exploration"] as? [String: Any])
        let runs = Runner.run(s, jobs: 2).filter { $0.policy == 1 }.sorted { $0.replicate < $1.replicate }
        #expect(runs.count == 2)
        EstimateCheck.expect(exploration["impressionShare"], runs.map { $0.metrics.exploredImpressions / $0.metrics.impressions.reduce(0, +) }, "impressionShare")
        EstimateCheck.expect(exploration["newAdsWithClick"], runs.map { $0.metrics.newAdsWithClick / $0.metrics.newAds }, "newAdsWithClick")
        EstimateCheck.expect(exploration["graduationRate"], runs.map { $0.metrics.graduations / $0.metrics.poolAds }, "graduationRate")
        EstimateCheck.expect(exploration["hitsFound"], runs.map(\.metrics.hitsFound), "hitsFound")
        #expect(runs.allSatisfy { $0.metrics.exploredImpressions > 0 && $0.metrics.newAds > 0 }, "not vacuous")
        for key in ["cost", "hitsGained", "hoursToFirstClick"] { #expect(exploration[key] is [String: Any], "exploration.\(key)") }
        #expect(summary.policies[1].exploration.costBaseline == "global")
        // Decoding what was written gives the same configuration back.
        #expect(try MetricsJSON.decode(json).policies[1].explorer == s.policies[1].explorer)
    }

    @Test func explorationIsDeterministicAcrossJobs() throws {
        var s = try scenario()
        s.replicates = 2
        let a = try MetricsJSON.encode(RunSummary.build(s, cells: Runner.run(s, jobs: 1), version: "t"))
        let b = try MetricsJSON.encode(RunSummary.build(s, cells: Runner.run(s, jobs: 2), version: "t"))
        #expect(a == b)
    }
}

@Suite("Simulation: what the explorer learns to find")
struct ExplorerObjectiveTests {
    func explorer(_ objective: String?) throws -> (BanditExplorer, World) {
        let yaml = Fixtures.tinyYAML.replacingOccurrences(of: "  - {name: oracle, ranker: oracle}", with: """
              - name: explore
                ranker: global
                explorer: {algorithm: thompson, rate: 0.2, pool: all\(objective.map { ", objective: \($0)" } ?? "")}
            """)
        let s = try ScenarioLoader.parse(yaml: yaml, file: "objective.yaml")
        let world = WorldGenerator.generate(s, replicate: 0)
        return (BanditExplorer(settings: s.policies[1].explorer!, world: world, scenario: s, seed: 5), world)
    }

    /// Under `clicks` a click is the success; under `conversions` and `order-value` only the
    /// (delayed) conversion is, and impressions are trials under every objective.
    @Test func successesAreTheObjectives() throws {
        for (objective, clickCounts) in [(nil, true), ("clicks", true), ("conversions", false), ("order-value", false)] {
            let (e, _) = try explorer(objective)
            e.recordImpression(ad: 3, examination: 1)
            e.recordImpression(ad: 3, examination: 0.5)
            e.recordClick(ad: 3)
            #expect(e.bandit.trials[3] == 1.5)
            #expect(e.bandit.successes[3] == (clickCounts ? 1 : 0), "\(objective ?? "default")")
            e.recordConversion(ad: 3, value: 40)
            #expect(e.bandit.successes[3] == 1, "\(objective ?? "default"): one success either way")
        }
        let (clicks, _) = try explorer("clicks")
        clicks.recordConversion(ad: 3, value: 40)
        #expect(clicks.bandit.successes[3] == 0, "a conversion is not a success under clicks")
    }

    /// `order-value` weights each arm's index by its advertiser's value per conversion: with equal
    /// posteriors, Thompson picks each arm with probability P(w₁·θ₁ > w₂·θ₂), which for θ ~ Beta(1, 1)
    /// and w₁ = 2·w₂ is 3/4 (∫∫ 1[2x > y] dx dy over the unit square); with weights 1 it is the
    /// unweighted choice, draw for draw.
    @Test func weightsScaleThompsonsSamples() throws {
        let bandit = BernoulliBandit(arms: 2, algorithm: .thompson)
        let arms = [0, 1], heavy = [2.0, 1.0], equal = [1.0, 1.0]
        let a = RandomStream(seed: 3), b = RandomStream(seed: 3), c = RandomStream(seed: 9)
        var same = true, first = 0
        let n = 20_000
        arms.withUnsafeBufferPointer { arm in
            equal.withUnsafeBufferPointer { w in
                for _ in 0..<200 where bandit.select(among: arm, weights: w, a) != bandit.select(among: arm, b) { same = false }
            }
            heavy.withUnsafeBufferPointer { w in
                for _ in 0..<n where bandit.select(among: arm, weights: w, c) == 0 { first += 1 }
            }
        }
        #expect(same)
        let share = Double(first) / Double(n), se = (0.75 * 0.25 / Double(n)).squareRoot()
        #expect(abs(share - 0.75) < 4 * se, "\(share)")
    }
}
