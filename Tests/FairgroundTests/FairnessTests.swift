import Foundation
import Testing
import Reporting
@testable import Scenario
@testable import Simulation

@Suite("Simulation: fairness controls and disparity metrics")
struct FairnessTests {
    /// The tiny market with one baseline policy and one with `fairness`.
    func scenario(_ fairness: String, budgets: (large: String, small: String)? = nil) throws -> Scenario {
        var yaml = Fixtures.tinyYAML.replacingOccurrences(of: "  - {name: oracle, ranker: oracle}", with: """
              - name: controlled
                ranker: global
                fairness: \(fairness)
            """)
        if let budgets {
            yaml = yaml.replacingOccurrences(of: "budget: {distribution: lognormal, median: 12, sigma: 0.3}", with: "budget: \(budgets.large)")
                .replacingOccurrences(of: "budget: {distribution: pareto, scale: 1.5, shape: 2.5}", with: "budget: \(budgets.small)")
        }
        return try ScenarioLoader.parse(yaml: yaml, file: "fair.yaml")
    }

    // MARK: - Formulas

    @Test func disparityAndTreatmentRatioByHand() {
        var state = DisparityLedger(tiers: 2)
        // Tier a: 10 ads, exposure 50, merit 0.5 per impression → r = 5/0.5 = 10.
        // Tier b: 20 ads, exposure 20, merit 0.25 per impression → r = 1/0.25 = 4.
        state.activeAds = [10, 20, 0]
        state.exposure = [50, 20, 0]
        state.meritTrue = [5, 2.5, 0]; state.meritEstimated = [5, 5, 0]; state.meritCount = [10, 10, 0]
        #expect(abs(state.disparity(estimated: false) - (10.0 - 4) / 7) < 1e-12)
        #expect(abs(state.treatmentRatio() - 2.5) < 1e-12)
        // Estimated merit 0.5 for both: r = 10 and 2 → (10 − 2)/6.
        #expect(abs(state.disparity(estimated: true) - 8.0 / 6) < 1e-12)
        // FairCo pushes the lagging tier only, in proportion to its lag and to time.
        state.requests = 101
        var err = [0.0, 0.0]
        state.faircoErrors(estimated: false, into: &err)
        #expect(err[0] == 0 && abs(err[1] - 100 * 6 / 7) < 1e-9)
    }

    @Test func controlsAreParsedAndValidated() throws {
        let s = try scenario("{kind: exposure-floor, group: small, share: 0.4, windowHours: 3}")
        #expect(s.policies[1].fairness == .exposureFloor(group: "small", share: 0.4, windowHours: 3))
        #expect(try scenario("fairco").policies[1].fairness == .fairco(lambda: 0.001, merit: .true))
        do {
            _ = try scenario("{kind: exposure-floor, group: medium, lambda: 2}")
            Issue.record("expected errors")
        } catch let error as ScenarioError {
            guard case .invalid(_, let issues) = error else { Issue.record("\(error)"); return }
            #expect(Set(issues.map(\.path)) == ["policies[1].fairness.group", "policies[1].fairness.lambda", "policies[1].fairness.share"])
        }
    }

    // MARK: - Controllers

    @Test func fairCoClosesTheDisparityAndTheUncontrolledPolicyDoesNot() throws {
        // Two tiers with budgets that never bind, so exposure can follow merit (a controller cannot
        // give exposure to a tier whose budgets are spent).
        let s = try scenario("{kind: fairco, lambda: 0.001, merit: true}", budgets: ("1000", "1000"))
        let plain = Runner.runCell(s, policy: 0, replicate: 0), fair = Runner.runCell(s, policy: 1, replicate: 0)
        #expect(plain.metrics.disparity > 0.3, "the toy market starts unfair: \(plain.metrics.disparity)")
        #expect(fair.metrics.disparity < 0.5 * plain.metrics.disparity, "FairCo \(fair.metrics.disparity) vs none \(plain.metrics.disparity)")
        #expect(plain.disparityPath[47].true > 0.3)
        // Along the way, too: at the end of each day FairCo's cumulative disparity is well below
        // the uncontrolled policy's on the same traffic.
        let path = fair.disparityPath, plainPath = plain.disparityPath
        for h in [23, 47] { #expect(path[h].true < 0.5 * plainPath[h].true, "hour \(h): \(path[h].true) vs \(plainPath[h].true)") }
        #expect(fair.metrics.largestOverspend <= 1e-9)
    }

    @Test func exposureFloorHoldsInEveryWindowWhileOthersExhaustBudgets() throws {
        // New advertisers must get 20% of exposure in every 3-hour window once they exist, while
        // large advertisers run out of budget during the day.
        let s = try scenario("{kind: exposure-floor, group: new, share: 0.2, windowHours: 3}",
                             budgets: ("{distribution: constant, value: 5}", "1000"))
        let plain = Runner.runCell(s, policy: 0, replicate: 0), floor = Runner.runCell(s, policy: 1, replicate: 0)
        let m = floor.metrics
        #expect(m.floorWindows >= 20)
        #expect(m.floorWindowsMet == m.floorWindows, "floor met in \(m.floorWindowsMet) of \(m.floorWindows) windows")
        let share = { (c: CellResult) in c.totals(group: 2).exposure / c.totalExposure }
        #expect(share(plain) < 0.2 && share(floor) >= 0.2, "new share \(share(plain)) → \(share(floor))")
        #expect(plain.totals(group: 0).spendDelivery > 0.7, "large budgets should bind")
        #expect(m.largestOverspend <= 1e-9, "spend passed a day's cap by \(m.largestOverspend)")
    }

    @Test func floorNeverSpendsBudgetThatIsGone() throws {
        // The floor group's own budgets are tiny: the controller cannot boost ads that cannot pay,
        // so it may miss windows — and must say so — but never overspends.
        let s = try scenario("{kind: exposure-floor, group: small, share: 0.8, windowHours: 3}",
                             budgets: ("{distribution: lognormal, median: 12, sigma: 0.3}", "{distribution: constant, value: 0.2}"))
        let m = Runner.runCell(s, policy: 1, replicate: 0).metrics
        #expect(m.largestOverspend <= 1e-9, "spend passed a day's cap by \(m.largestOverspend)")
        for a in 0..<m.budget.count where m.budget[a] > 0 { #expect(m.spend[a] <= m.budget[a] * (1 + 1e-12) + 1e-9) }
        #expect(m.floorWindowsMet < m.floorWindows)
    }

    @Test func tierCalibrationLiftsTheUnderScoredTier() throws {
        var s = try scenario("{kind: tier-calibrated, priorClicks: 20}")
        s.learning.updateEveryHours = 1000  // keep the history-trained model, which under-scores small advertisers
        let plain = Runner.runCell(s, policy: 0, replicate: 0), calibrated = Runner.runCell(s, policy: 1, replicate: 0)
        let before = plain.metrics.prediction[1].calibration!, after = calibrated.metrics.prediction[1].calibration!
        #expect(before < 0.9)
        #expect(abs(after - 1) < abs(before - 1), "calibration \(before) → \(after)")
        #expect(calibrated.totals(group: 1).exposure / calibrated.totalExposure > plain.totals(group: 1).exposure / plain.totalExposure)
    }

    // MARK: - Reporting

    @Test func metricsCarryTheControlAndItsCost() throws {
        var s = try scenario("{kind: fairco, lambda: 0.001, merit: estimated}")
        s.replicates = 2
        let summary = RunSummary.build(s, cells: Runner.run(s, jobs: 2), version: "t")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(try MetricsJSON.encode(summary).utf8)) as? [String: Any])
        let policies = try #require(object["policies"] as? [[String: Any]])
        #expect(policies[0]["fairnessControl"] is NSNull)
        let control = try #require(policies[1]["fairnessControl"] as? [String: Any])
        #expect(control["kind"] as? String == "fairco" && control["merit"] as? String == "estimated")
        // Each figure recomputed here from its definition, per replicate, and its interval from the
        // t table: Gini and Jain over the exposures of the advertisers with a budget.
        let fairness = try #require(policies[1]["fairness"] as? [String: Any])
        let runs = Runner.run(s, jobs: 2).filter { $0.policy == 1 }.sorted { $0.replicate < $1.replicate }
        let exposures = runs.map { r in (0..<r.metrics.budget.count).filter { r.metrics.budget[$0] > 0 }.map { r.metrics.exposure[$0] } }
        EstimateCheck.expect(fairness["exposureGini"], exposures.map(EstimateCheck.gini), "exposureGini")
        EstimateCheck.expect(fairness["jain"], exposures.map(EstimateCheck.jain), "jain")
        for (key, value) in [("disparity", \CellMetrics.disparity), ("disparityEstimated", \CellMetrics.disparityEstimated),
                             ("disparateTreatmentRatio", \CellMetrics.treatmentRatio)] {
            EstimateCheck.expect(fairness[key], runs.map { $0.metrics[keyPath: value] }, key)
        }
        #expect(fairness["disparityNew"] != nil)
        #expect(summary.policies[1].fairnessCost?.baseline == "global")
        let csv = CSVTables.timeseries(s, cells: Runner.run(s, jobs: 2))
        #expect(csv.split(separator: "\n").first!.hasSuffix(",disparity,disparityEstimated"))
    }
}
