import Foundation
import Testing
import Reporting
@testable import Scenario
@testable import Sweeps

@Suite("Sweeps: grids, resuming, sharding and merging")
struct SweepTests {
    /// A folder holding the tiny scenario (one day, one replicate) and a sweep over it.
    func sweepFolder(grid: String = "  tiers.small.count: [10, 20]\n  horizon.requestsPerDay: [1500, 2500]\n",
                     objective: String = "objective:\n  maximize: revenue\n  subjectTo:\n    - {metric: tiers.small.spendDelivery, atLeast: 0.2}\n") throws -> URL {
        let folder = try Fixtures.temporaryFolder()
        let base = Fixtures.tinyYAML.replacingOccurrences(of: "horizon: {days: 2, requestsPerDay: 3000}", with: "horizon: {days: 1, requestsPerDay: 3000}")
        try base.write(to: folder.appendingPathComponent("base.yaml"), atomically: true, encoding: .utf8)
        let sweep = "name: tiny-sweep\nbase: base.yaml\nreplicates: 2\npolicy: global\ngrid:\n" + grid + objective
        try sweep.write(to: folder.appendingPathComponent("sweep.yaml"), atomically: true, encoding: .utf8)
        return folder
    }

    // MARK: - The sweep file

    @Test func gridExpandsToTheCartesianProductWithOverridesApplied() throws {
        let folder = try sweepFolder()
        let sweep = try SweepLoader.load(path: folder.appendingPathComponent("sweep.yaml").path)
        #expect(sweep.cells.count == 4 && sweep.keys == ["tiers.small.count", "horizon.requestsPerDay"])
        #expect(sweep.cells.map { $0.scenario.tiers[1].count } == [10, 10, 20, 20])
        #expect(sweep.cells.map(\.scenario.horizon.requestsPerDay) == [1500, 2500, 1500, 2500])
        #expect(sweep.cells.allSatisfy { $0.scenario.replicates == 2 })
        #expect(Set(sweep.cells.map(\.hash)).count == 4)
        // The hash depends on the resolved scenario only: loading again gives the same hashes.
        #expect(try SweepLoader.load(path: folder.appendingPathComponent("sweep.yaml").path).cells.map(\.hash) == sweep.cells.map(\.hash))
    }

    @Test func badGridsAndMetricsAreNamedWithTheirLine() throws {
        let folder = try sweepFolder(grid: "  policies[5].explorer.rate: [0.1]\n  tiers.small.count: [10, -3]\n",
                                     objective: "objective:\n  maximize: tiers.tiny.revenue\n")
        do {
            _ = try SweepLoader.load(path: folder.appendingPathComponent("sweep.yaml").path)
            Issue.record("expected errors")
        } catch {
            guard case .invalid(_, let issues) = error else { Issue.record("\(error)"); return }
            #expect(issues.contains { $0.path == "objective.maximize" && $0.line == 9 })
            #expect(error.exitCode == 65)
        }
        let second = try sweepFolder(grid: "  policies[5].explorer.rate: [0.1]\n  tiers.small.count: [10, -3]\n")
        do {
            _ = try SweepLoader.load(path: second.appendingPathComponent("sweep.yaml").path)
            Issue.record("expected errors")
        } catch {
            guard case .invalid(_, let issues) = error else { Issue.record("\(error)"); return }
            #expect(issues.contains { $0.path == "grid.policies[5].explorer.rate" && $0.message.contains("has 2 items") && $0.line == 6 })
            #expect(issues.contains { $0.path == "grid.tiers.small.count" && $0.message.contains("at least 0") && $0.line == 7 })
        }
    }

    // MARK: - Running

    @Test func threeShardsInSeparateProcessesMergeToTheUnshardedResult() throws {
        let folder = try sweepFolder()
        let sweep = folder.appendingPathComponent("sweep.yaml").path
        let whole = try Fixtures.runCLI(["sweep", sweep, "--out", folder.appendingPathComponent("whole").path, "--quiet"])
        #expect(whole.status == 0, "\(whole.stderr)")
        // Three shard processes at once, each into its own folder; shard 1 from the Kubernetes environment.
        var processes: [Process] = []
        for i in 0..<3 {
            let out = folder.appendingPathComponent("shard\(i)").path
            let (p, _, _) = i == 1
                ? Fixtures.process(["sweep", sweep, "--out", out, "--quiet", "--jobs", "1"], environment: ["JOB_COMPLETION_INDEX": "1", "FAIRGROUND_SHARDS": "3"])
                : Fixtures.process(["sweep", sweep, "--out", out, "--quiet", "--jobs", "1", "--shard", "\(i)/3"])
            try p.run()
            processes.append(p)
        }
        for p in processes { p.waitUntilExit(); #expect(p.terminationStatus == 0) }
        let cellCounts = try (0..<3).map { try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("shard\($0)/cells").path).count }
        #expect(cellCounts == [2, 1, 1])
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("shard0/sweep.json").path))
        let merged = folder.appendingPathComponent("merged").path
        let merge = try Fixtures.runCLI(["merge"] + (0..<3).map { folder.appendingPathComponent("shard\($0)").path } + ["--out", merged])
        #expect(merge.status == 0, "\(merge.stderr)")
        for file in ["sweep.json", "sweep.csv", "sweep.md", "sweep.html"] {
            let a = try Data(contentsOf: folder.appendingPathComponent("whole/\(file)"))
            let b = try Data(contentsOf: URL(fileURLWithPath: merged).appendingPathComponent(file))
            #expect(a == b, "\(file) differs between the merged and the unsharded sweep")
        }
        // Merging an incomplete set says which cells are missing.
        let partial = try Fixtures.runCLI(["merge", folder.appendingPathComponent("shard0").path, "--out", folder.appendingPathComponent("partial").path])
        #expect(partial.status == 65 && partial.stderr.contains("cells 1, 2"))
        // The document: four cells; the first key (tiers.small.count) is the decision, the
        // second (requests per day) a condition, so one recommendation (or an infeasible note)
        // per request rate, each the best revenue among that rate's cells meeting the constraint
        // over the interval (by the mean when none does, and then said so).
        let document = try MetricsJSON.decode(SweepOutputs.Document.self, from: String(contentsOfFile: merged + "/sweep.json", encoding: .utf8))
        #expect(document.cells.map(\.index) == [0, 1, 2, 3] && !document.frontier.isEmpty)
        #expect(document.recommendations.count + document.infeasibleConditions.count == 2)
        #expect(document.comparisons.map(\.reference) == [0, 1, 0, 1])
        for r in document.recommendations {
            let rate = try #require(r.condition["horizon.requestsPerDay"])
            let group = document.cells.filter { $0.overrides["horizon.requestsPerDay"] == rate }
            let byInterval = group.filter { ($0.metric("tiers.small.spendDelivery")?.lower ?? 0) >= 0.2 }
            let byMean = group.filter { ($0.metric("tiers.small.spendDelivery")?.mean ?? 0) >= 0.2 }
            #expect(r.basis == (byInterval.isEmpty ? "mean" : "interval"))
            #expect(r.objective.mean == (byInterval.isEmpty ? byMean : byInterval).map { $0.metric("revenue")!.mean }.max())
        }
    }

    @Test func aKilledSweepResumesWithoutRedoingFinishedCells() throws {
        let folder = try sweepFolder(grid: "  tiers.small.count: [10, 15, 20]\n  horizon.requestsPerDay: [1500, 2500]\n")
        let sweep = folder.appendingPathComponent("sweep.yaml").path
        let out = folder.appendingPathComponent("out")
        let cells = out.appendingPathComponent("cells")
        let (process, _, _) = Fixtures.process(["sweep", sweep, "--out", out.path, "--quiet", "--jobs", "1"])
        try process.run()
        // Kill it hard once the first cell is on disk.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, ((try? FileManager.default.contentsOfDirectory(atPath: cells.path))?.filter { $0.hasSuffix(".json") }.count ?? 0) == 0 {
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let survivors = try FileManager.default.contentsOfDirectory(atPath: cells.path).filter { $0.hasSuffix(".json") }
        #expect(survivors.count >= 1 && survivors.count < 6, "\(survivors.count) cells finished before the kill")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("sweep.json").path))
        let stamps = try survivors.map { try FileManager.default.attributesOfItem(atPath: cells.appendingPathComponent($0).path)[.modificationDate] as? Date }
        let resumed = try Fixtures.runCLI(["sweep", sweep, "--out", out.path])
        #expect(resumed.status == 0)
        #expect(resumed.stdout.contains("\(6 - survivors.count) cells run, \(survivors.count) already finished"), "\(resumed.stdout)")
        let after = try survivors.map { try FileManager.default.attributesOfItem(atPath: cells.appendingPathComponent($0).path)[.modificationDate] as? Date }
        #expect(stamps == after, "finished cells were rewritten")
        // Same result as a sweep that was never interrupted.
        let clean = folder.appendingPathComponent("clean").path
        #expect(try Fixtures.runCLI(["sweep", sweep, "--out", clean, "--quiet"]).status == 0)
        let resumedJSON = try Data(contentsOf: out.appendingPathComponent("sweep.json"))
        let cleanJSON = try Data(contentsOf: URL(fileURLWithPath: clean + "/sweep.json"))
        #expect(resumedJSON == cleanJSON)
    }

    @Test func aRerunAfterTheBaseChangedNeverShowsTheOldSummary() throws {
        let folder = try sweepFolder(grid: "  tiers.small.count: [10, 20]\n")
        let sweep = folder.appendingPathComponent("sweep.yaml").path
        let out = folder.appendingPathComponent("out")
        let summary = out.appendingPathComponent("sweep.json").path
        #expect(try Fixtures.runCLI(["sweep", sweep, "--out", out.path, "--quiet", "--jobs", "1"]).status == 0)
        let old = try String(contentsOfFile: summary, encoding: .utf8)
        // The base changes; the rerun is one shard of two, so it cannot finish the new plan.
        let basePath = folder.appendingPathComponent("base.yaml")
        let base = try String(contentsOf: basePath, encoding: .utf8)
        try base.replacingOccurrences(of: "requestsPerDay: 3000", with: "requestsPerDay: 2000").write(to: basePath, atomically: true, encoding: .utf8)
        let shard = try Fixtures.runCLI(["sweep", sweep, "--out", out.path, "--quiet", "--jobs", "1", "--shard", "0/2"])
        #expect(shard.status == 0, "\(shard.stderr)")
        for name in ["sweep.json", "sweep.csv", "sweep.md", "sweep.html", "frontier.svg"] {
            #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name) of the old plan is still there")
        }
        // The old plan's cells stay (keyed by hash); the other shard completes the new plan.
        let cells = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("cells").path)
        #expect(cells.count == 3, "two old cells and one new: \(cells)")
        #expect(try Fixtures.runCLI(["sweep", sweep, "--out", out.path, "--quiet", "--jobs", "1", "--shard", "1/2"]).status == 0)
        let new = try String(contentsOfFile: summary, encoding: .utf8)
        #expect(new != old)
        let plan = try MetricsJSON.decode(SweepPlan.self, from: String(contentsOfFile: out.appendingPathComponent("sweep-plan.json").path, encoding: .utf8))
        let document = try SweepOutputs.read(out.path)
        #expect(document.cells.map(\.hash) == plan.cells.map(\.hash))
        // Back to the old base: its cells are reused, and the summary is the old one again.
        try base.write(to: basePath, atomically: true, encoding: .utf8)
        let back = try Fixtures.runCLI(["sweep", sweep, "--out", out.path, "--jobs", "1"])
        #expect(back.stdout.contains("0 cells run, 2 already finished"), "\(back.stdout)")
        #expect(try String(contentsOfFile: summary, encoding: .utf8) == old)
    }
}
