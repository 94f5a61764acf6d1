import Foundation
import Testing
@testable import Scenario

@Suite("Scenario: parsing, defaults and errors")
struct ScenarioTests {
    /// Parses `yaml` and returns the issues it must produce (failing the test if it loads).
    func issues(_ yaml: String) -> [ScenarioIssue] {
        do {
            _ = try ScenarioLoader.parse(yaml: yaml)
            Issue.record("expected the scenario to be rejected")
            return []
        } catch {
            guard case .invalid(_, let issues) = error else { Issue.record("expected .invalid, got \(error)"); return [] }
            #expect(error.exitCode == 65)
            return issues
        }
    }

    // MARK: - Defaults

    @Test func emptyDocumentGivesTheDocumentedDefaults() throws {
        let s = try ScenarioLoader.parse(yaml: "", defaultName: "empty")
        #expect(s.name == "empty" && s.seed == 1 && s.replicates == 5)
        #expect(s.horizon.days == 3 && s.horizon.requestsPerDay == 20_000)
        #expect(s.horizon.diurnal.count == 24 && abs(s.horizon.diurnal.reduce(0, +) - 24) < 1e-9)
        #expect(s.placement.examination == [1.0, 0.6, 0.35])
        #expect(s.auction.mechanism == .gsp && s.auction.reserve == 0.05)
        #expect(s.tiers.map(\.name) == ["large", "small"])
        #expect(s.policies.map(\.ranker.kind) == [.global, .oracle])
        #expect(s.pacing.kind == .multiplicative)
    }

    @Test func shippedScenariosAreValid() throws {
        let folder = Fixtures.repositoryRoot.appendingPathComponent("scenarios")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.count >= 3)
        for f in files {
            let path = folder.appendingPathComponent(f).path
            if SweepLoader.isSweep(path: path) { _ = try SweepLoader.load(path: path) } else { _ = try ScenarioLoader.load(path: path) }
        }
    }

    @Test func sharesAreNormalisedAndScalarsExpand() throws {
        let s = try ScenarioLoader.parse(yaml: """
            truth: {latentDimension: 3}
            cohorts:
              - {name: new-users, share: 1, objective: conversions, center: 0.5}
              - {name: advanced, share: 3, objective: order-value, center: [1, 2, 3]}
            pacing: throttle
            """)
        #expect(s.cohorts.map(\.share) == [0.25, 0.75])
        #expect(s.cohorts[0].center == [0.5, 0.5, 0.5] && s.cohorts[1].objective == .orderValue)
        #expect(s.pacing.kind == .throttle)
    }

    // MARK: - Errors name the field and the line

    @Test func unknownKeySuggestsTheClosestName() {
        let found = issues("seed: 1\nreplicats: 3\n")
        #expect(found.count == 1)
        #expect(found[0].path == "replicats" && found[0].line == 2)
        #expect(found[0].description.contains("did you mean 'replicates'?"))
    }

    @Test func everyProblemIsReportedAtOnceInLineOrder() {
        let found = issues("""
            horizon:
              days: -1
              requestsPerDay: many
            auction: {mechanism: vickrey}
            tiers:
              small: {count: 5, budget: {distribution: pareto, scale: 2}}
            policies:
              - name: a
                ranker: oracel
              - name: a
            """)
        let paths = found.map(\.path)
        #expect(paths == ["horizon.days", "horizon.requestsPerDay", "auction.mechanism",
                          "tiers.small.budget.shape", "policies[0].ranker", "policies[1].name"])
        #expect(found.map(\.line) == [2, 3, 4, 6, 9, 10])
        #expect(found[4].description.contains("did you mean 'oracle'?"))
    }

    @Test(arguments: [
        ("placement: {examination: [1.0, 1.5]}", "placement.examination[1]", 1),
        ("placement: {examination: [1.0, 0.5], maxCandidates: 1}", "placement.maxCandidates", 1),
        ("truth: {baseCTR: 0}", "truth.baseCTR", 1),
        ("horizon: {diurnal: [1, 2, 3]}", "horizon.diurnal", 1),
        ("tiers: {new: {count: 3}}", "tiers.new", 1),
        ("tiers: {small: {count: 0}}", "tiers", 1),
        ("newAdvertisers: {perDay: 2, tierMix: {medium: 1}}", "newAdvertisers.tierMix.medium", 1),
        ("cohorts: []", "cohorts", 1),
        ("truth: {latentDimension: 2}\ncohorts: [{name: a, center: [1, 2, 3]}]", "cohorts[0].center", 2),
        ("seed: 1\nseed: 2", "seed", 2),
        ("replicates: 2.5", "replicates", 1),
        ("policies: [{ranker: global}]", "policies[0].name", 1),
        ("tiers: {small: {bid: {distribution: lognormal, median: 1, sigma: 0.2, shape: 2}}}", "tiers.small.bid.shape", 1),
        ("policies: [{name: o, ranker: {kind: oracle, tierFeatures: true}}]", "policies[0].ranker.tierFeatures", 1),
        ("truth: {orderValueSigma: 5}", "truth.orderValueSigma", 1),
        ("policies: [{name: f, ranker: {kind: finetune, taskSampling: impressions}}]", "policies[0].ranker.taskSampling", 1),
        ("policies: [{name: m, ranker: {kind: meta, taskSampling: by-size}}]", "policies[0].ranker.taskSampling", 1),
        ("policies: [{name: o, ranker: {kind: oracle, conversionModel: learned}}]", "policies[0].ranker.conversionModel", 1),
        ("policies: [{name: g, ranker: {kind: global, conversionWindowHours: 12}}]", "policies[0].ranker.conversionWindowHours", 1),
        ("policies: [{name: g, ranker: {kind: global, conversionModel: learnt}}]", "policies[0].ranker.conversionModel", 1),
        ("cohorts: [{name: a, orderValueScale: 0}]", "cohorts[0].orderValueScale", 1),
        ("cohorts: [{name: a, conversionShift: many}]", "cohorts[0].conversionShift", 1),
        ("policies: [{name: g, ranker: {kind: global, tierFeatures: yes please}}]", "policies[0].ranker.tierFeatures", 1),
    ])
    func badFieldIsNamed(yaml: String, path: String, line: Int) {
        let found = issues(yaml)
        #expect(found.contains { $0.path == path && $0.line == line }, "got \(found.map(\.description))")
    }

    @Test func yamlSyntaxErrorsCarryTheirLine() {
        let found = issues("a: [1, 2\nb: 3\n")
        #expect(found.count == 1 && found[0].line == 2)
        #expect(found[0].message.hasPrefix("not valid YAML"))
    }

    @Test func missingFileIsUnreadableWithExitCode66() {
        do {
            _ = try ScenarioLoader.load(path: "/nonexistent/scenario.yaml")
            Issue.record("expected a missing-file error")
        } catch {
            guard case .unreadable = error else { Issue.record("expected .unreadable, got \(error)"); return }
            #expect(error.exitCode == 66)
        }
    }
}
