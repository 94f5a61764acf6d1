import Foundation
import Testing
@testable import Reporting
import Scenario
import Simulation
import Stochastics

@Suite("Reporting: HTML report, summary, re-rendering")
struct ReportTests {
    /// Runs the tiny scenario and writes its full output folder.
    func tinyRun() throws -> URL {
        let scenario = try Fixtures.tiny { $0.replicates = 2 }
        let cells = Runner.run(scenario, jobs: 2)
        let folder = try Fixtures.temporaryFolder()
        try RunReport.write(scenario, cells: cells, summary: RunSummary.build(scenario, cells: cells, version: "test"), to: folder.path)
        return folder
    }

    @Test func reportIsSelfContained() throws {
        let folder = try tinyRun()
        let html = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(!html.contains("<script"))
        #expect(!html.contains("<link") && !html.contains("src="))
        let external = html.components(separatedBy: "http").count - 1
        let namespaces = html.components(separatedBy: "http://www.w3.org/2000/svg").count - 1
        #expect(external == namespaces, "report.html refers to something outside itself")
        let charts = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("charts").path)
        #expect(html.components(separatedBy: "<svg class=\"chart\"").count - 1 == charts.count)
        // All six kinds of chart are there for a scenario with entrants.
        for prefix in ["spend-delivery", "exposure-", "lorenz", "trade-off", "ramp-", "calibration-"] {
            #expect(charts.contains { $0.hasPrefix(prefix) }, "missing chart \(prefix)")
        }
        let summary = try String(contentsOf: folder.appendingPathComponent("summary.md"), encoding: .utf8)
        for chart in charts { #expect(summary.contains("](charts/\(chart))")) }
    }

    @Test func reRenderingFromSavedResultsIsIdentical() throws {
        let folder = try tinyRun()
        let before = try ["report.html", "summary.md"].map { try Data(contentsOf: folder.appendingPathComponent($0)) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("report.html"))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("charts"))
        try RunReport.rerender(directory: folder.path)
        let after = try ["report.html", "summary.md"].map { try Data(contentsOf: folder.appendingPathComponent($0)) }
        #expect(before == after)
    }

    @Test func findingsOnlyCallIntervalsExcludingZeroChanges() throws {
        func e(_ m: Double, _ lo: Double, _ hi: Double) -> Estimate { Estimate(mean: m, lower: lo, upper: hi, count: 5) }
        let scenario = try Fixtures.tiny { $0.replicates = 2 }
        var summary = RunSummary.build(scenario, cells: Runner.run(scenario, jobs: 2), version: "test")
        var cmp = try #require(summary.policies[1].vsBaseline)
        cmp.tiers["small"]!.spendDelivery = e(0.27, 0.24, 0.30)
        cmp.tiers["large"]!.spendDelivery = e(0.02, -0.01, 0.05)
        cmp.tiers["new"]!.spendDelivery = e(-0.1, -0.2, 0.01)
        cmp.revenueRelative = e(-0.012, -0.016, -0.008)
        summary.policies[1].vsBaseline = cmp
        let findings = Findings.list(summary)
        #expect(findings.contains { $0.contains("raised small-tier spend delivery") && $0.contains("+27.0 pp (+24.0 to +30.0)") })
        #expect(!findings.contains { $0.contains("large-tier") || $0.contains("new-advertiser") })
        #expect(findings.contains { $0.contains("cost 1.2% of revenue") })
    }

    /// The revenue verdict, word for word: a change when the interval excludes zero; otherwise
    /// "inconclusive" — never "no difference" — with the replicates that would resolve it: mean +1%,
    /// 4 replicates, s = 2% (half-width t(3)·s/2 = 3.182446%) needs the smallest N with
    /// t(N − 1)·2%/√N < 1%: N = 18 (t(17) = 2.1098 → 17.80 < 18; t(16) = 2.1199 → 17.98 > 17).
    @Test func revenueVerdictWording() {
        let half = 3.182446 / 100
        let r = Estimate(mean: 0.01, lower: 0.01 - half, upper: 0.01 + half, count: 4)
        #expect(Findings.revenueSentence(policy: "explore", baseline: "global", r: r, replicates: 4)
                == "**explore**: revenue change against global inconclusive, +1.0% (-2.2% to +4.2%) over 4 replicates; "
                + "if the change is +1.0%, about 18 replicates would tell it from zero.")
        #expect(Findings.revenueSentence(policy: "a", baseline: "b", r: Estimate(mean: 0.055, lower: 0.05, upper: 0.06, count: 2), replicates: 2)
                == "**a** earned 5.5% more revenue, +5.5% (+5.0% to +6.0%), compared with b.")
        let flat = Estimate(mean: 0, lower: -0.01, upper: 0.01, count: 8)
        #expect(Findings.revenueSentence(policy: "a", baseline: "b", r: flat, replicates: 8)
                == "**a**: revenue change against b inconclusive, +0.0% (-1.0% to +1.0%) over 8 replicates.")
        let tiny = Estimate(mean: 1e-6, lower: -0.01, upper: 0.01, count: 8)
        #expect(Findings.revenueSentence(policy: "a", baseline: "b", r: tiny, replicates: 8).hasSuffix("would take more than 100,000 replicates to tell from zero."))
        // Read back from metrics.json an estimate has no count: the run's replicates stand in.
        var decoded = r
        decoded.count = 0
        #expect(Findings.revenueSentence(policy: "explore", baseline: "global", r: decoded, replicates: 4).contains("over 4 replicates; "))
    }
}

/// Renders report.html in headless Chromium and measures every chart's drawn size, so a chart that
/// renders empty or collapsed cannot pass. Chromium is installed by `make test` (scripts/setup.sh).
@Suite("Reporting: the report in a real browser")
struct BrowserTests {
    static func chromium() -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                let path = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        return nil
    }

    @Test func everyChartHasADrawnSize() throws {
        let scenario = try Fixtures.tiny { $0.replicates = 2 }
        let cells = Runner.run(scenario, jobs: 2)
        let folder = try Fixtures.temporaryFolder()
        try RunReport.write(scenario, cells: cells, summary: RunSummary.build(scenario, cells: cells, version: "test"), to: folder.path)
        let script = """
            return [...d.querySelectorAll('svg.chart')].map(s => {
              const r = s.getBoundingClientRect(), b = s.querySelector('g.plot').getBBox();
              return [r.width, r.height, b.width, b.height, s.querySelectorAll('g.plot > *').length];
            });
            """
        let sizes = try #require(try Self.probe(folder.appendingPathComponent("report.html"), script: script, width: 1280, in: folder) as? [[Double]])
        let charts = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("charts").path)
        #expect(sizes.count == charts.count && sizes.count >= 8)
        for (i, s) in sizes.enumerated() {
            #expect(s[0] >= 300 && s[1] >= 150, "chart \(i) laid out at \(s[0])×\(s[1])")
            #expect(s[2] >= 20 && s[3] >= 10 && s[4] >= 1, "chart \(i) draws nothing: marks \(s[2])×\(s[3]), \(s[4]) elements")
        }
    }

    /// Loads the report at `page` in an iframe `width` px wide (headless Chromium will not make
    /// its window narrower than 500 px) and returns what `script` computes from the frame's
    /// window `w` and document `d`, as JSON.
    static func probe(_ page: URL, script: String, width: Int, in folder: URL) throws -> Any {
        let browser = try #require(chromium(), "Chromium not found: run `make test`, which installs it")
        let outer = page.deletingLastPathComponent().appendingPathComponent("probe-\(width).html")
        try """
            <!doctype html><html><body><iframe id="f" src="\(page.lastPathComponent)" style="width:\(width)px;height:900px;border:0"></iframe>
            <script>
            document.getElementById('f').addEventListener('load', () => {
              const w = document.getElementById('f').contentWindow, d = w.document;
              document.body.setAttribute('data-probe', JSON.stringify((() => { \(script) })()));
            });
            </script></body></html>
            """.write(to: outer, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files", "--window-size=1400,1000",
                             "--user-data-dir=\(folder.appendingPathComponent("profile-\(width)").path)", "--dump-dom", outer.absoluteString]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let dom = String(decoding: Fixtures.readAll(out.fileHandleForReading), as: UTF8.self)
        process.waitUntilExit()
        let attribute = try #require(dom.range(of: "data-probe=\""), "the page did not load or the probe did not run")
        let json = dom[attribute.upperBound...].prefix { $0 != "\"" }.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
        return try JSONSerialization.jsonObject(with: Data(json.utf8))
    }

    /// No horizontal overflow at a phone's 390 px or a desktop's 1280 px: the page is never wider
    /// than the window (wide tables and charts scroll inside their own containers), and chart text
    /// is drawn at 11 px or more (charts are never scaled down).
    @Test func noHorizontalOverflowAndReadableChartText() throws {
        let scenario = try Fixtures.tiny { $0.replicates = 2 }
        let cells = Runner.run(scenario, jobs: 2)
        let folder = try Fixtures.temporaryFolder()
        try RunReport.write(scenario, cells: cells, summary: RunSummary.build(scenario, cells: cells, version: "test"), to: folder.path)
        // Drawn size of every chart text: font size × the scale its element is drawn at.
        let script = """
            const texts = [...d.querySelectorAll('svg.chart text')].filter(t => t.textContent.trim() !== '')
              .map(t => { const m = t.getScreenCTM(); return parseFloat(w.getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b); });
            return [d.documentElement.scrollWidth, w.innerWidth, Math.min(...texts), texts.length];
            """
        for width in [390, 1280] {
            let m = try #require(try Self.probe(folder.appendingPathComponent("report.html"), script: script, width: width, in: folder) as? [Double])
            #expect(m[0] <= m[1], "at \(width) px the page is \(m[0]) px wide (window \(m[1]))")
            #expect(m[3] > 50 && m[2] >= 11 - 1e-6, "at \(width) px the smallest chart text is \(m[2]) px")
        }
    }

    /// Every chart against time in the run ends its x axis at the horizon (2 days), not past it.
    @Test func timeAxesEndAtTheHorizon() throws {
        let scenario = try Fixtures.tiny { $0.replicates = 2 }
        let cells = Runner.run(scenario, jobs: 2)
        let folder = try Fixtures.temporaryFolder()
        try RunReport.write(scenario, cells: cells, summary: RunSummary.build(scenario, cells: cells, version: "test"), to: folder.path)
        let charts = folder.appendingPathComponent("charts")
        let timed = try FileManager.default.contentsOfDirectory(atPath: charts.path)
            .filter { $0.hasPrefix("exposure-") || $0.hasPrefix("ramp-") || $0.hasPrefix("disparity") }
        #expect(timed.count >= 5)
        for file in timed {
            let svg = try String(contentsOf: charts.appendingPathComponent(file), encoding: .utf8)
            let domain = try #require(svg.range(of: "data-x-domain=\""), "\(file) records no x domain")
            let values = svg[domain.upperBound...].prefix { $0 != "\"" }.split(separator: " ").compactMap { Double($0) }
            #expect(values == [0, scenario.horizon.days], "\(file): x axis \(values)")
        }
    }
}
