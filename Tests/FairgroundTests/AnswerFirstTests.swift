import Foundation
import Testing
@testable import Reporting
@testable import Scenario
@testable import Simulation
import Stochastics

/// The verdict block, the findings' order, intent-level keys, `init` and `compare`.
@Suite("Reporting: the answer first, init and compare")
struct AnswerFirstTests {
    func e(_ m: Double, _ lo: Double, _ hi: Double, _ n: Int = 4) -> Estimate { Estimate(mean: m, lower: lo, upper: hi, count: n) }

    /// A summary of the tiny scenario with a third, deployable policy whose comparison the test sets.
    func summary() throws -> RunSummary {
        let scenario = try Fixtures.tiny {
            $0.replicates = 2
            $0.policies.insert(Policy(name: "explore", ranker: $0.policies[0].ranker), at: 1)
        }
        return RunSummary.build(scenario, cells: Runner.run(scenario, jobs: 2), version: "test")
    }

    /// The verdict's words, line for line: "better"/"worse" only when the paired interval excludes
    /// zero, "inconclusive" with the replicates that would resolve it otherwise (mean +1 pp, 4
    /// replicates, half-width t(3)·s/2 = 3.182446 pp ⇒ N = 18, as in the revenue sentence's test),
    /// hours to first click better when lower, and the oracle never in a verdict.
    @Test func verdictWording() throws {
        var s = try summary()
        s.scenario.replicates = 4
        var p = s.policies[1]
        var cmp = try #require(p.vsBaseline)
        let half = 0.03182446
        cmp.tiers["small"]!.spendDelivery = e(0.027, 0.024, 0.030)
        cmp.tiers["small"]!.exposureShare = e(0.01, 0.01 - half, 0.01 + half)
        cmp.tiers["new"]!.spendDelivery = e(-0.05, -0.08, -0.02)
        cmp.hoursToFirstClick = e(-3.5, -5.0, -2.0)
        cmp.revenueRelative = e(0, -0.01, 0.01)
        p.vsBaseline = cmp
        p.tiers["small"]!.spendDelivery.mean = 0.70
        s.policies[0].tiers["small"]!.spendDelivery.mean = 0.673
        s.policies[1] = p
        let verdicts = Verdict.build(s)
        #expect(verdicts.map(\.policy) == ["explore"], "the oracle is a reference, never in a verdict")
        let lines = try #require(verdicts.first).lines
        let byMetric = Dictionary(lines.map { ($0.metric, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byMetric["Small advertisers' spend delivery"]?.text == "Small advertisers' spend delivery: 67.3% → 70.0%, +2.7 pp (+2.4 to +3.0): **better**.")
        #expect(byMetric["Small advertisers' exposure share"]?.text.hasSuffix(": **inconclusive**; about 18 replicates would resolve it.") == true)
        #expect(byMetric["New advertisers' spend delivery"]?.status == .worse)
        #expect(byMetric["Hours from entry to first click"]?.status == .better)
        #expect(byMetric["Hours from entry to first click"]?.text.contains("-3.5 h (-5.0 to -2.0)") == true)
        let revenue = try #require(byMetric["Platform revenue"])
        #expect(revenue.status == .inconclusive && revenue.text.hasSuffix("+0.0% (-1.0% to +1.0%): **inconclusive**."))
        let headline = verdicts[0].headline
        #expect(headline.hasPrefix("**explore** against global: better for small advertisers' delivery and time to first click; worse for new advertisers' delivery; inconclusive on"))
        #expect(!headline.contains("no difference"))
    }

    /// One replicate has no interval: the verdict calls nothing, findings say why, and `compare`
    /// says "no interval" (or "identical"), never "higher in B".
    @Test func oneReplicateCallsNothing() throws {
        var s = try summary()
        s.scenario.replicates = 1
        var cmp = try #require(s.policies[1].vsBaseline)
        cmp.tiers["small"]!.spendDelivery = e(0.03, 0.03, 0.03, 1)
        s.policies[1].vsBaseline = cmp
        let line = try #require(Verdict.build(s).first?.lines.first { $0.metric == "Small advertisers' spend delivery" })
        #expect(line.status == .inconclusive && line.text.contains("one replicate gives no interval"))
        #expect(Findings.ranked(s).isEmpty && ReportText.findings(s).top.first?.contains("One replicate") == true)
        #expect(ComparisonReport.verdict(e(5, 5, 5, 1)) == "no interval (one replicate)" && !ComparisonReport.changed(e(5, 5, 5, 1)))
        #expect(ComparisonReport.verdict(e(0, 0, 0, 3)) == "identical" && ComparisonReport.verdict(e(1, 0.5, 1.5, 3)) == "higher in B")
    }

    @Test func findingsRankBySizeAndSetTheOracleApart() throws {
        var s = try summary()
        var cmp = try #require(s.policies[1].vsBaseline)
        cmp.tiers["small"]!.spendDelivery = e(0.01, 0.005, 0.015)
        cmp.tiers["new"]!.spendDelivery = e(0.20, 0.10, 0.30)
        s.policies[1].vsBaseline = cmp
        let ranked = Findings.ranked(s)
        let deployable = ranked.filter { !$0.reference }
        #expect(deployable.first?.text.contains("new-advertiser spend delivery") == true, "the largest effect first")
        #expect(zip(deployable, deployable.dropFirst()).allSatisfy { $0.size >= $1.size })
        let firstReference = ranked.firstIndex(where: \.reference) ?? ranked.count
        #expect(ranked[firstReference...].allSatisfy { $0.policy == "oracle" }, "reference findings come after every deployable one")
        let split = ReportText.findings(s)
        #expect(split.top.count <= Findings.shown && split.reference.allSatisfy { $0.contains("**oracle**") })
    }

    @Test func thousandsSeparatorsInTextNeverInData() throws {
        #expect(Format.grouped(30991) == "30,991" && Format.grouped(-1_234_567.4) == "-1,234,567" && Format.grouped(999) == "999")
        #expect(Format.money(30991.2) == "30,991" && Format.money(12.5) == "12.50")
        let scenario = try Fixtures.tiny { $0.replicates = 2; $0.currency = "EUR" }
        let cells = Runner.run(scenario, jobs: 2)
        let folder = try Fixtures.temporaryFolder()
        try RunReport.write(scenario, cells: cells, summary: RunSummary.build(scenario, cells: cells, version: "test"), to: folder.path)
        let html = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("revenue (EUR over 2 days)") && html.contains("Money in EUR"))
        for file in ["advertisers.csv", "replicates.csv", "timeseries.csv"] {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(!text.contains("EUR"))
            // No field of a data file is a grouped number ("1,234" would be two fields anyway:
            // the header's width checks that every row has exactly its fields).
            let table = try CSVTable(text, file: file)
            #expect(table.rows.allSatisfy { $0.count == table.header.count })
        }
    }

    // MARK: - Intent-level keys

    func issues(_ yaml: String) -> [ScenarioIssue] {
        do { _ = try ScenarioLoader.parse(yaml: yaml); Issue.record("expected the scenario to be rejected"); return [] } catch {
            guard case .invalid(_, let issues) = error else { return [] }
            #expect(error.exitCode == 65)
            return issues
        }
    }

    /// share s of all advertisers by the end: E/(N₀ + E) = s ⇒ E = s·N₀/(1 − s); 0.3 with
    /// N₀ = 24 (tiny) over 2 days: E = 10.2857…, 5.142857… per day, reported back as 30%.
    @Test func newAdvertisersShareIsAnEntryRate() throws {
        let yaml = Fixtures.tinyYAML.replacingOccurrences(of: "newAdvertisers: {perDay: 3, tierMix: {small: 1}}",
                                                          with: "newAdvertisers: {share: 0.3, tierMix: {small: 1}}")
        let s = try ScenarioLoader.parse(yaml: yaml)
        #expect(abs(s.newAdvertisers.perDay - 0.3 * 24 / 0.7 / 2) < 1e-12)
        #expect(s.newAdvertisers.requestedShare == 0.3)
        let info = try #require(RunSummary.entrants(s))
        #expect(abs(info.expectedShare - 0.3) < 1e-12 && info.requestedShare == 0.3)
        let both = issues(Fixtures.tinyYAML.replacingOccurrences(of: "newAdvertisers: {perDay: 3, tierMix: {small: 1}}",
                                                                 with: "newAdvertisers:\n  perDay: 3\n  share: 0.3"))
        #expect(both.contains { $0.path == "newAdvertisers.share" && $0.message.contains("either share or perDay") && $0.line == 20 })
        let tooMuch = issues(Fixtures.tinyYAML.replacingOccurrences(of: "perDay: 3,", with: "share: 1.5,"))
        #expect(tooMuch.contains { $0.path == "newAdvertisers.share" })
        let currency = issues("currency: \"\"\n")
        #expect(currency.contains { $0.path == "currency" && $0.line == 1 })
    }

    // MARK: - init

    @Test func everyStarterTemplateLoadsAndOneRuns() throws {
        for name in StarterTemplates.names {
            let text = try #require(StarterTemplates.text(name))
            let s = try ScenarioLoader.parse(yaml: text, file: "\(name).yaml")
            #expect(s.name == "\(name)-starter" && s.policies.count >= 3)
        }
        let folder = try Fixtures.temporaryFolder()
        let first = try Fixtures.runCLI(["init", "--template", "fairness", "--out", "f.yaml"], in: folder)
        #expect(first.status == 0)
        let again = try Fixtures.runCLI(["init", "--template", "fairness", "--out", "f.yaml"], in: folder)
        #expect(again.status == 73 && again.stderr.contains("--force"))
        let typo = try Fixtures.runCLI(["init", "--template", "exploratoin"], in: folder)
        #expect(typo.status == 64 && typo.stderr.contains("did you mean 'exploration'"))
        let run = try Fixtures.runCLI(["run", "f.yaml", "--replicates", "2", "--out", "out", "--quiet"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/report.html").path))
    }

    // MARK: - compare

    /// Two runs of the same world with different policy lists pair by replicate, and the paired
    /// difference is the mean of the per-replicate differences read from replicates.csv by hand;
    /// another seed is compared unpaired.
    @Test func comparePairsRunsOfTheSameWorldByReplicate() throws {
        let folder = try Fixtures.temporaryFolder()
        func write(_ name: String, _ edit: @escaping (inout Scenario) -> Void) throws -> String {
            let scenario = try Fixtures.tiny(edit)
            let cells = Runner.run(scenario, jobs: 2)
            let path = folder.appendingPathComponent(name).path
            try RunReport.write(scenario, cells: cells, summary: RunSummary.build(scenario, cells: cells, version: "test"), to: path)
            return path
        }
        let a = try write("a") { $0.replicates = 3 }
        let b = try write("b") {
            $0.replicates = 3
            $0.policies[0].ranker.updateEveryHours = 24  // the 'global' policy changed; 'oracle' did not
        }
        let c = try write("c") { $0.replicates = 3; $0.seed = 12 }
        let paired = try RunComparison.load(a, b)
        #expect(paired.paired && paired.replicatesA == 3)
        func column(_ path: String, policy: String, _ metric: String) throws -> [Double] {
            let table = try CSVTable(try String(contentsOfFile: path + "/replicates.csv", encoding: .utf8), file: "replicates.csv")
            let p = table.column("policy")!, m = table.column(metric)!
            return table.rows.filter { $0[p] == policy }.map { Double($0[m])! }
        }
        let ra = try column(a, policy: "global", "revenue"), rb = try column(b, policy: "global", "revenue")
        let row = try #require(paired.rows.first { $0.policy == "global" && $0.metric == "revenue" })
        #expect(abs(row.difference.mean - zip(ra, rb).map { $1 - $0 }.reduce(0, +) / 3) < 1e-9)
        let oracle = try #require(paired.rows.first { $0.policy == "oracle" && $0.metric == "revenue" })
        #expect(oracle.difference.mean == 0 && oracle.difference.lower == 0, "the same policy on the same world: identical")
        let unpaired = try RunComparison.load(a, c)
        #expect(!unpaired.paired && unpaired.why.contains("different seeds"))
        let cli = try Fixtures.runCLI(["compare", a, b, "--out", folder.appendingPathComponent("cmp").path])
        #expect(cli.status == 0 && cli.stdout.contains("paired by replicate"))
        let md = try String(contentsOfFile: folder.appendingPathComponent("cmp/comparison.md").path, encoding: .utf8)
        #expect(md.contains("Paired by replicate"))
        let missing = try Fixtures.runCLI(["compare", a, folder.appendingPathComponent("nowhere").path])
        #expect(missing.status == 66 && missing.stderr.contains("metrics.json"))
    }
}
