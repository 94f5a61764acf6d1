import Foundation
import Testing

/// The output-folder guarantee of README.md, against the built CLI: a run's folder moves from one
/// complete run to another, whatever interrupts it; a second writer is refused; other files are
/// never deleted.
@Suite("Output folders: staged, swapped in whole, locked, never mixed")
struct OutputFolderTests {
    static let small = HostileInputTests.corpus.appendingPathComponent("scenarios/small.yaml").path

    /// Every file under `folder` (relative path → bytes).
    func snapshot(_ folder: URL) -> [String: Data] {
        var files: [String: Data] = [:]
        let walker = FileManager.default.enumerator(atPath: folder.path)
        while let path = walker?.nextObject() as? String {
            if let data = FileManager.default.contents(atPath: folder.appendingPathComponent(path).path) { files[path] = data }
        }
        return files
    }

    func siblings(of folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.deletingLastPathComponent().path).sorted()
    }

    func run(_ scenario: String, _ out: URL, _ extra: [String] = []) throws -> Fixtures.CLIResult {
        try Fixtures.runCLI(["run", scenario, "--out", out.path, "--jobs", "1", "--quiet"] + extra)
    }

    @Test func rerunReplacesTheWholeFolderAndItsCharts() throws {
        let root = try Fixtures.temporaryFolder(), out = root.appendingPathComponent("out")
        #expect(try run(Self.small, out).status == 0)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("charts/exposure-oracle.svg").path))
        let other = root.appendingPathComponent("other.yaml")
        try (try String(contentsOfFile: Self.small, encoding: .utf8)).replacingOccurrences(of: "name: oracle", with: "name: second")
            .write(to: other, atomically: true, encoding: .utf8)
        #expect(try run(other.path, out).status == 0)
        let charts = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("charts").path)
        #expect(charts.contains("exposure-second.svg"))
        #expect(!charts.contains("exposure-oracle.svg"), "a stale chart of the earlier run survived")
        #expect(try siblings(of: out) == [".out.lock", "other.yaml", "out"], "no staging or set-aside folder is left")
    }

    @Test func aKilledRerunLeavesTheOldRunOrTheNewOneNeverAMix() throws {
        let root = try Fixtures.temporaryFolder(), out = root.appendingPathComponent("out")
        let scenario = root.appendingPathComponent("wide.yaml")
        // Many advertisers: the write phase takes long enough to be interrupted.
        try """
            name: wide
            replicates: 2
            horizon: {days: 0.2, requestsPerDay: 1000}
            tiers:
              large: {count: 20, adsPerAdvertiser: 1, historyImpressions: 10}
              small: {count: 20000, adsPerAdvertiser: 1, historyImpressions: 1}
            truth: {latentDimension: 2}
            policies: [{name: global}, {name: oracle, ranker: oracle}]
            """.write(to: scenario, atomically: true, encoding: .utf8)
        #expect(try run(scenario.path, out).status == 0)
        let old = snapshot(out)
        let reference = root.appendingPathComponent("reference")
        #expect(try run(scenario.path, reference, ["--seed", "9"]).status == 0)
        let new = snapshot(reference)
        var interruptedWhileWriting = 0
        for _ in 0..<5 {
            let (process, _, _) = Fixtures.process(["run", scenario.path, "--out", out.path, "--seed", "9", "--jobs", "1", "--quiet"])
            try process.run()
            // Kill it as soon as its staging folder holds a data file: in the middle of the write phase.
            while process.isRunning {
                let staged = try siblings(of: out).filter { $0.hasPrefix(".out.staging-") }
                if staged.contains(where: { FileManager.default.fileExists(atPath: root.appendingPathComponent("\($0)/advertisers.csv").path) }) {
                    kill(process.processIdentifier, SIGKILL)
                    interruptedWhileWriting += 1
                    break
                }
                usleep(1000)
            }
            process.waitUntilExit()
            let now = snapshot(out)
            #expect(now == old || now == new, "the folder mixes two runs")
            if now == new {   // the kill came after the swap: start again from the old run
                #expect(try run(scenario.path, out).status == 0)
            }
        }
        #expect(interruptedWhileWriting > 0, "never caught the run while it wrote")
        // The next run removes what the killed ones left and replaces the folder.
        #expect(try run(scenario.path, out, ["--seed", "9"]).status == 0)
        #expect(snapshot(out) == new)
        #expect(try siblings(of: out) == [".out.lock", ".reference.lock", "out", "reference", "wide.yaml"])
    }

    @Test func aSecondWriterIsRefused() throws {
        let root = try Fixtures.temporaryFolder(), out = root.appendingPathComponent("out")
        #expect(try run(Self.small, out).status == 0)
        let before = snapshot(out)
        // Hold the folder's lock as a running fairground would.
        let descriptor = open(root.appendingPathComponent(".out.lock").path, O_RDWR | O_CREAT, 0o644)
        #expect(descriptor >= 0 && flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        defer { close(descriptor) }
        let second = try run(Self.small, out, ["--seed", "4"])
        #expect(second.status == 73)
        #expect(second.stderr.contains("another fairground process is writing this folder"))
        let report = try Fixtures.runCLI(["report", out.path])
        #expect(report.status == 73, "report waits for no one: it refuses while a run writes")
        let merge = try Fixtures.runCLI(["merge", root.path, "--out", out.path])
        #expect(merge.status == 73, "\(merge.stderr)")
        #expect(snapshot(out) == before)
    }

    @Test func aFolderHoldingOtherFilesIsRefusedAndKept() throws {
        let root = try Fixtures.temporaryFolder(), out = root.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: out.appendingPathComponent("charts"), withIntermediateDirectories: true)
        try "notes".write(to: out.appendingPathComponent("charts/notes.txt"), atomically: true, encoding: .utf8)
        let result = try run(Self.small, out)
        #expect(result.status == 73)
        #expect(result.stderr.contains("charts/notes.txt"))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("charts/notes.txt").path))
        #expect(try siblings(of: out) == ["mine"], "nothing is created beside a folder that is refused")
    }

    @Test func leftoversOfInterruptedRunsAreRemoved() throws {
        let root = try Fixtures.temporaryFolder(), out = root.appendingPathComponent("out")
        #expect(try run(Self.small, out).status == 0)
        for leftover in [".out.staging-12345", ".out.old-777"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(leftover), withIntermediateDirectories: true)
            try "x".write(to: root.appendingPathComponent("\(leftover)/metrics.json"), atomically: true, encoding: .utf8)
        }
        try "x".write(to: out.appendingPathComponent(".advertisers.csv.partial-99"), atomically: true, encoding: .utf8)
        #expect(try run(Self.small, out).status == 0)
        #expect(try siblings(of: out) == [".out.lock", "out"])
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent(".advertisers.csv.partial-99").path))
    }

    @Test func reportRemovesChartsItNoLongerDraws() throws {
        let root = try Fixtures.temporaryFolder(), out = root.appendingPathComponent("out")
        #expect(try run(Self.small, out).status == 0)
        let charts = out.appendingPathComponent("charts")
        try "<svg/>".write(to: charts.appendingPathComponent("exposure-gone.svg"), atomically: true, encoding: .utf8)
        try "x".write(to: charts.appendingPathComponent(".lorenz.svg.partial-5"), atomically: true, encoding: .utf8)
        let before = try FileManager.default.contentsOfDirectory(atPath: charts.path).filter { !$0.hasPrefix(".") && $0 != "exposure-gone.svg" }.sorted()
        #expect(try Fixtures.runCLI(["report", out.path]).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: charts.path).sorted() == before)
    }

    @Test func anUnusableFolderIsFoundBeforeSimulating() throws {
        let root = try Fixtures.temporaryFolder()
        let file = root.appendingPathComponent("afile")
        try "x".write(to: file, atomically: true, encoding: .utf8)
        let long = root.appendingPathComponent("long.yaml")
        // Days of simulation if it started; the folder check must come first.
        try "horizon: {days: 3000, requestsPerDay: 1000000}\n".write(to: long, atomically: true, encoding: .utf8)
        let started = Date()
        let result = try run(long.path, file.appendingPathComponent("sub"))
        #expect(result.status == 73)
        #expect(result.stderr.contains("\(file.path) is not a folder"))
        #expect(Date().timeIntervalSince(started) < 10)
    }
}
