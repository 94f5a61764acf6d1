import Foundation
import Testing
@testable import Fitting
import Reporting
@testable import Scenario
@testable import Simulation
import Stochastics

/// `fairground fit` and `run --log-impressions`: a round trip through a known world, the Open
/// Bandit Dataset's real logs, and bad logs.
@Suite("Fit: logs in, logs out")
struct FitTests {
    /// A world where the position-based model holds: users alike (cohort spread 0, so an ad's
    /// click rate does not depend on who sees it) and four candidates per request for three slots
    /// (nearly every ad is shown). docs/impression-log.md reports what happens when neither holds.
    static let knownYAML = """
        name: known
        seed: 3
        replicates: 1
        horizon: {days: 2, requestsPerDay: 30000}
        placement: {examination: [1.0, 0.6, 0.35], maxCandidates: 4}
        tiers:
          large: {count: 20, adsPerAdvertiser: 3, historyImpressions: {distribution: lognormal, median: 2000, sigma: 0.5}}
          small: {count: 100, adsPerAdvertiser: 1, historyImpressions: {distribution: lognormal, median: 50, sigma: 0.6}}
        truth: {baseCTR: 0.05}
        cohorts: [{name: everyone, share: 1, center: 0, spread: 0}]
        policies:
          - {name: global, ranker: global}
        """

    /// The tiny scenario, one replicate, its global policy with an explorer at rate 0.2.
    static let explorerYAML = Fixtures.tinyYAML.replacingOccurrences(of: "replicates: 3", with: "replicates: 1")
        .replacingOccurrences(of: "- {name: global, ranker: global}", with: "- {name: global, ranker: global, explorer: {rate: 0.2}}")

    /// Runs `scenario` with every impression logged and returns the folder holding impressions.csv.
    func export(_ scenario: Scenario) throws -> URL {
        let folder = try Fixtures.temporaryFolder()
        _ = try Runner.run(scenario, jobs: 2) { policy, replicate, log in
            try ImpressionLogCSV.writePart(log, scenario: scenario, policy: policy, replicate: replicate, directory: folder.path)
        }
        try ImpressionLogCSV.join(scenario: scenario, directory: folder.path)
        return folder
    }

    /// The round trip: a log exported from the known world gives back its examination
    /// probabilities within 10% and its base click rate within 15%.
    @Test func fitRecoversAKnownWorldFromItsOwnLog() throws {
        let scenario = try ScenarioLoader.parse(yaml: Self.knownYAML)
        let folder = try export(scenario)
        let tally = try LogTally.read(path: folder.appendingPathComponent("impressions.csv").path)
        #expect(tally.rows > 100_000)
        #expect(!tally.uniformLogging, "propensity 1 everywhere is a deterministic policy, not a randomised one")
        let fit = ScenarioFit.fit(tally, source: "known", tiers: 2, defaultDays: 1)
        #expect(fit.position.method == .em)
        for (k, truth) in [1.0, 0.6, 0.35].enumerated() {
            #expect(abs(fit.position.ratios[k] / truth - 1) < 0.10, "slot \(k + 1): \(fit.position.ratios[k]) vs \(truth)")
        }
        let base = 1 / (1 + exp(-fit.clickRates.logitCenter))
        #expect(abs(base / 0.05 - 1) < 0.15, "base click rate \(base) vs 0.05")
        // The fitted scenario is one `run` accepts, and the timestamps gave the horizon.
        let fitted = try ScenarioLoader.parse(yaml: fit.yaml(name: "fitted-known"))
        #expect(fitted.placement.slots == 3 && abs(fitted.horizon.days - 2) < 0.01)
    }

    /// Every column of impressions.csv as documented; propensities of regular impressions are
    /// those of their request's branch, of explored ones rate × the explorer's choice.
    @Test func exportedLogCarriesPropensities() throws {
        let scenario = try ScenarioLoader.parse(yaml: FitTests.explorerYAML)
        let folder = try export(scenario)
        let text = try String(contentsOf: folder.appendingPathComponent("impressions.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines[0] == "policy,replicate,request,timestamp,advertiser,ad,tier,new,cohort,position,click,cost,conversion,value,conversionDelay,explored,propensity,user_0,user_1,user_2,user_3")
        var explored = 0
        for line in lines.dropFirst() where line.hasPrefix("global,") {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            let p = try #require(Double(f[16]))
            if f[15] == "1" { explored += 1; #expect(p > 0 && p <= 0.2 + 1e-12) } else { #expect([1, 0.8, 0.2].contains { abs($0 - p) < 1e-12 }) }
            if f[10] == "0" { #expect(f[11] == "0" && f[12] == "0") }
        }
        #expect(explored > 0)
        // Logging never changes a run.
        let plain = Runner.run(scenario, jobs: 1)
        let logged = try Runner.run(scenario, jobs: 1) { _, _, _ in }
        #expect(zip(plain, logged).allSatisfy { $0.metrics.clicks == $1.metrics.clicks && $0.metrics.spend == $1.metrics.spend })
    }

    // MARK: - Bad logs

    func fitCLI(_ csv: String) throws -> Fixtures.CLIResult {
        let folder = try Fixtures.temporaryFolder()
        let path = folder.appendingPathComponent("log.csv").path
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        return try Fixtures.runCLI(["fit", path, "--out", folder.appendingPathComponent("f.yaml").path, "--quiet"])
    }

    @Test(arguments: [
        ("ad,position\n1,1\n", "missing required column click (the header has: ad, position) (line 1)"),
        ("ad,position,click\n1,1,0\n2,x,1\n", "position: 'x' is not a number (line 3)"),
        ("ad,position,click\n1,0,0\n", "position: 0 is out of range"),
        ("ad,position,click\n1,1,2\n", "click: must be 0 or 1, got 2 (line 2)"),
        ("ad,position,click,propensity\n1,1,0,1.5\n", "propensity: must be in (0, 1], got 1.5 (line 2)"),
        ("ad,position,click,propensity\n1,1,0,0\n", "propensity: must be in (0, 1], got 0 (line 2)"),
        ("ad,position,click\n1,1\n", "expected 3 fields (as in the header), got 2 (line 2)"),
        ("ad,position,click\n", "no rows after the header"),
        ("", "empty"),
        ("ad,position,click,timestamp\n1,1,0,yesterday\n", "timestamp: 'yesterday' is neither seconds nor a date-time"),
    ])
    func badLogsExit65NamingColumnAndLine(csv: String, message: String) throws {
        let r = try fitCLI(csv)
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }

    /// `--where COLUMN=VALUE` keeps one policy of a multi-policy log; a missing column or a value
    /// no row has is bad data.
    @Test func whereSelectsRows() throws {
        let folder = try Fixtures.temporaryFolder()
        let path = folder.appendingPathComponent("log.csv").path
        try "policy,ad,position,click\na,1,1,1\nb,1,1,0\nb,2,2,0\n".write(toFile: path, atomically: true, encoding: .utf8)
        let kept = try LogTally.read(path: path, only: ["policy": "b"])
        #expect(kept.rows == 2 && kept.ads == 2)
        let none = try Fixtures.runCLI(["fit", path, "--where", "policy=c", "--out", folder.appendingPathComponent("f.yaml").path])
        #expect(none.status == 65 && none.stderr.contains("no row matches --where (3 rows read)"))
        let unknown = try Fixtures.runCLI(["fit", path, "--where", "team=a", "--out", folder.appendingPathComponent("f.yaml").path])
        #expect(unknown.status == 65 && unknown.stderr.contains("--where: no column 'team'") && unknown.stderr.contains("(line 1)"))
    }

    /// A spreadsheet's byte-order mark is not part of the first column's name; a log of several
    /// policies, fitted whole, and a log with few clicks carry cautions.
    @Test func byteOrderMarkAndCautions() throws {
        let folder = try Fixtures.temporaryFolder()
        let path = folder.appendingPathComponent("log.csv").path
        try "\u{FEFF}ad,position,click,policy\n1,1,1,a\n2,2,0,b\n".write(toFile: path, atomically: true, encoding: .utf8)
        let tally = try LogTally.read(path: path)
        #expect(tally.rows == 2 && tally.policies == ["a", "b"])
        let fit = ScenarioFit.fit(tally, source: "log", tiers: 1, defaultDays: 1)
        #expect(fit.warnings.contains { $0.contains("2 policies") && $0.contains("--where policy=NAME") })
        #expect(fit.warnings.contains { $0.contains("only 1 click:") } && fit.yaml(name: "x").contains("# Caution: "))
    }

    @Test func missingLogExits66() throws {
        let r = try Fixtures.runCLI(["fit", "/nonexistent/log.csv"])
        #expect(r.status == 66 && r.stderr.contains("/nonexistent/log.csv: cannot read"))
    }

    @Test func timestampsParse() {
        #expect(Timestamp.seconds("1970-01-02 00:00:00+00:00") == 86_400)
        #expect(Timestamp.seconds("2019-11-24 00:00:34.5+00:00") == 1_574_553_634.5)
        #expect(Timestamp.seconds("2019-11-24T01:00:34Z") == 1_574_557_234)
        #expect(Timestamp.seconds("2019-11-24 01:00:00+01:00") == 1_574_553_600)
        #expect(Timestamp.seconds("2019-13-01") == nil && Timestamp.seconds("noon") == nil)
    }
}

/// The Open Bandit Dataset sample inside the `obp` 0.5.7 sdist on PyPI (ZOZOTOWN; three positions;
/// a uniform-random and a Bernoulli-Thompson-sampling logging policy; 10,000 rows each), fetched
/// at test time into `.build/obd/` and read from the archive's members; never committed.
enum OpenBanditFiles {
    static let folder = Fixtures.fetched("obd", files: ["random.csv", "bts.csv"], script: """
        import glob, subprocess, sys, tarfile
        d = sys.argv[1]
        subprocess.run([sys.executable, "-m", "pip", "download", "obp==0.5.7", "--no-deps", "--no-binary", ":all:",
                        "--ignore-requires-python", "-q", "-d", d], check=True, timeout=300)
        with tarfile.open(glob.glob(d + "/obp-0.5.7.tar.gz")[0]) as t:
            for policy in ("random", "bts"):
                data = t.extractfile("obp-0.5.7/obp/dataset/obd/%s/all/all.csv" % policy).read()
                open(d + "/" + policy + ".csv.part", "wb").write(data)
        """)

    /// The schema's names for the dataset's columns.
    static let mapping = ["ad": "item_id", "propensity": "propensity_score"]
}

@Suite("Fit: the Open Bandit Dataset (real logs)")
struct OpenBanditTests {
    static let skipNote: Comment = "the Open Bandit Dataset comes from the obp 0.5.7 sdist on PyPI (python3 -m pip download); the index could not be reached"

    /// Click and impression counts per position, counted here from the raw file.
    func rawCounts(_ path: String) throws -> (n: [Double], c: [Double]) {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let p = try #require(header.firstIndex(of: "position")), c = try #require(header.firstIndex(of: "click"))
        var n = [Double](repeating: 0, count: 3), clicks = n
        for line in lines.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            let k = try #require(Int(f[p])) - 1
            n[k] += 1
            clicks[k] += try #require(Double(f[c]))
        }
        return (n, clicks)
    }

    /// The random log: positions randomised (every propensity 1/80), so the fit takes the direct
    /// route; its examination ratios and mean click rate fall inside intervals computed here from
    /// the raw counts (delta method on the log ratio; binomial for the rate). The Thompson log's
    /// positions follow the policy, so the position model does the work: its ratios must land
    /// inside the random log's intervals — independent data.
    @Test(.enabled(if: OpenBanditFiles.folder != nil, skipNote))
    func fitRecoversTheRandomLogAndTheThompsonLogAgrees() throws {
        let folder = try #require(OpenBanditFiles.folder)
        let randomPath = folder + "/random.csv"
        let (n, c) = try rawCounts(randomPath)
        #expect(n.reduce(0, +) == 10_000)
        var bands: [ClosedRange<Double>] = []
        for k in 1..<3 {
            let pk = c[k] / n[k], p1 = c[0] / n[0], r = pk / p1
            let se = ((1 - pk) / (n[k] * pk) + (1 - p1) / (n[0] * p1)).squareRoot()
            bands.append((r * exp(-1.959964 * se))...(r * exp(1.959964 * se)))
        }
        let random = try LogTally.read(path: randomPath, columns: OpenBanditFiles.mapping)
        #expect(random.uniformLogging && random.ads == 80 && random.slots == 3)
        let fit = ScenarioFit.fit(random, source: "random", tiers: 2, defaultDays: 1)
        #expect(fit.position.method == .randomised)
        for k in 1..<3 { #expect(bands[k - 1].contains(fit.position.ratios[k]), "slot \(k + 1): \(fit.position.ratios[k]) outside \(bands[k - 1])") }
        let rate = c.reduce(0, +) / n.reduce(0, +), half = 1.959964 * (rate * (1 - rate) / n.reduce(0, +)).squareRoot()
        #expect(abs(fit.clickRates.mean - rate) <= half, "mean click rate \(fit.clickRates.mean) vs \(rate) ± \(half)")

        let bts = try LogTally.read(path: folder + "/bts.csv", columns: OpenBanditFiles.mapping)
        #expect(!bts.uniformLogging)
        let btsFit = ScenarioFit.fit(bts, source: "bts", tiers: 2, defaultDays: 1)
        #expect(btsFit.position.method == .em)
        for k in 1..<3 { #expect(bands[k - 1].contains(btsFit.position.ratios[k]), "Thompson log, slot \(k + 1): \(btsFit.position.ratios[k]) outside \(bands[k - 1])") }
    }

    /// `fit` on the real log writes a scenario that runs, and a goodness-of-fit report.
    @Test(.enabled(if: OpenBanditFiles.folder != nil, skipNote))
    func fittedScenarioRunsAndItsReportRenders() throws {
        let folder = try #require(OpenBanditFiles.folder)
        let out = try Fixtures.temporaryFolder()
        let fit = try Fixtures.runCLI(["fit", folder + "/bts.csv", "--column", "ad=item_id", "--column", "propensity=propensity_score",
                                       "--out", out.appendingPathComponent("obd.yaml").path, "--report", out.appendingPathComponent("gof").path])
        #expect(fit.status == 0, "\(fit.stderr)")
        let html = try String(contentsOf: out.appendingPathComponent("gof/fit.html"), encoding: .utf8)
        #expect(html.contains("click rate, slot 3") && html.contains("<svg class=\"chart\""))
        let run = try Fixtures.runCLI(["run", out.appendingPathComponent("obd.yaml").path, "--replicates", "2", "--out", out.appendingPathComponent("run").path, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
    }
}

/// impressions.csv loads with pandas into the fields of Open Bandit Pipeline's bandit feedback,
/// in the mapping docs/impression-log.md documents. pandas is installed from PyPI at test time
/// into `.build/pylib` (never committed); skipped when the index cannot be reached.
enum PandasLibrary {
    static let path: String? = {
        let target = Fixtures.repositoryRoot.appendingPathComponent(".build/pylib")
        func importable() -> Bool { Fixtures.python("import pandas", [], pythonPath: target.path) }
        if importable() { return target.path }
        Fixtures.python("import subprocess, sys; subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', '--target', sys.argv[1], 'pandas>=2,<4'], check=True)", [target.path])
        return importable() ? target.path : nil
    }()
}

@Suite("Fit: impression logs in pandas")
struct PandasTests {
    @Test(.enabled(if: PandasLibrary.path != nil, "pandas comes from PyPI (pip install --target .build/pylib); the index could not be reached"))
    func impressionLogLoadsAsBanditFeedback() throws {
        let folder = try Fixtures.temporaryFolder()
        let path = folder.appendingPathComponent("run").path
        try FitTests.explorerYAML.write(to: folder.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        let run = try Fixtures.runCLI(["run", folder.appendingPathComponent("s.yaml").path, "--out", path, "--log-impressions", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let script = """
            import sys, pandas as pd
            df = pd.read_csv(sys.argv[1])
            df = df[df.policy == "global"]
            feedback = dict(n_rounds=len(df), n_actions=int(df.ad.max()) + 1, action=df.ad.values, position=df.position.values - 1,
                            reward=df.click.values, pscore=df.propensity.values, context=df.filter(like="user_").values)
            assert feedback["context"].shape == (len(df), 4), feedback["context"].shape
            assert set(feedback["position"]) <= {0, 1} and set(feedback["reward"]) <= {0, 1}
            assert ((feedback["pscore"] > 0) & (feedback["pscore"] <= 1)).all()
            assert df.explored.sum() > 0
            print(feedback["n_rounds"], feedback["context"].shape[1], round(float(df.click.mean()), 6))
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, path + "/impressions.csv"]
        p.environment = ["PYTHONPATH": try #require(PandasLibrary.path), "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let printed = String(decoding: Fixtures.readAll(out.fileHandleForReading), as: UTF8.self)
        let problem = String(decoding: Fixtures.readAll(err.fileHandleForReading), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(problem)")
        // The same counts, read here without pandas.
        let rows = try String(contentsOfFile: path + "/impressions.csv", encoding: .utf8).split(separator: "\n").dropFirst().filter { $0.hasPrefix("global,") }
        let clicks = rows.filter { $0.split(separator: ",", omittingEmptySubsequences: false)[10] == "1" }.count
        #expect(printed.hasPrefix("\(rows.count) 4 "), "pandas read \(printed)")
        #expect(abs((Double(printed.split(separator: " ")[2].trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1) - Double(clicks) / Double(rows.count)) < 1e-6)
    }
}
