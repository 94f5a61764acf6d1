import ArgumentParser
import Fitting
import Foundation
import Stochastics
import Scenario
import Simulation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Throughput of the fixed workloads in scenarios/bench/ (build with -c release).",
        discussion: """
            Per workload: one cell on one core, timed several times; the median run is reported. auctionsPerSecond \
            counts requests that reached an auction, over the event loop's time (world generation and the initial \
            model training are reported apart as setupSeconds). nsPerCandidate is loop time per scored candidate. \
            peakRSSBytes is the process's peak resident memory so far. "replicates-2-cores" runs four replicates \
            with --jobs 2 and with --jobs 1 and reports the speed-up.
            """)

    static let workloads = ["auctionnet-shape", "marketplace-10k", "autobidding-10k", "conversions-10k", "million-advertisers"]

    @Option(help: "One workload (auctionnet-shape | marketplace-10k | autobidding-10k | conversions-10k | million-advertisers | replicates-2-cores | fit-10m); default: all but fit-10m.")
    var workload: String?

    @Option(help: "Timed runs per workload (the median is reported).")
    var runs: Int = 3

    @Flag(help: "Print one JSON object per workload, one per line.")
    var json = false

    func validate() throws {
        if let workload, !(Self.workloads + ["replicates-2-cores", "fit-10m"]).contains(workload) {
            throw ValidationError("--workload must be one of \((Self.workloads + ["replicates-2-cores", "fit-10m"]).joined(separator: ", "))")
        }
        if runs < 1 { throw ValidationError("--runs must be at least 1") }
    }

    func run() throws {
        for name in workload.map({ [$0] }) ?? (Self.workloads + ["replicates-2-cores"]) {
            if name == "fit-10m" { try fitLog(rows: 10_000_000); continue }
            let path = ScenarioFiles.shipped("scenarios/bench/\(name == "replicates-2-cores" ? "auctionnet-shape" : name).yaml")
            let scenario = try ScenarioFiles.load(path)
            if name == "replicates-2-cores" { try scaling(scenario); continue }
            var samples: [(loop: Double, setup: Double, auctions: Int, candidates: Int, events: Int)] = []
            for _ in 0..<runs {
                let timed = Runner.timedCell(scenario, policy: 0, replicate: 0)
                let m = timed.result.metrics
                samples.append((timed.loop, timed.setup, m.auctions, m.candidatesScored, m.events))
            }
            let median = samples.sorted { $0.loop < $1.loop }[samples.count / 2]
            let record: [String: Any] = [
                "workload": name, "auctionsPerSecond": (Double(median.auctions) / median.loop).rounded(),
                "nsPerCandidate": (median.loop * 1e9 / Double(max(median.candidates, 1)) * 10).rounded() / 10,
                "eventsPerSecond": (Double(median.events) / median.loop).rounded(), "peakRSSBytes": peakRSS(), "cores": 1,
                "setupSeconds": (median.setup * 1000).rounded() / 1000, "loopSeconds": (median.loop * 1000).rounded() / 1000,
                "auctions": median.auctions,
            ]
            emit(record)
        }
    }

    /// `fairground fit` on a generated log of `rows` impressions (100,000 ads of 20,000
    /// advertisers, impressions per ad lognormal, three slots with examination 1, 0.6, 0.35, a
    /// position-based click model): written to a temporary file, read and fitted, deleted.
    func fitLog(rows: Int) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fairground-bench-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("log.csv").path
        let stream = RandomStream(seed: 2026)
        let ads = 100_000
        let weight = (0..<ads).map { _ in exp(1.2 * stream.gaussian()) }
        let alias = AliasTable(weights: weight)
        let relevance = (0..<ads).map { _ in 1 / (1 + exp(-(-3 + 0.5 * stream.gaussian()))) }
        let examination = [1.0, 0.6, 0.35]
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        var text = "ad,advertiser,position,click,timestamp,cost\n"
        for i in 0..<rows {
            let ad = alias.draw(stream.uniform(), stream.uniform()), k = i % 3
            let clicked = stream.uniform() < examination[k] * relevance[ad]
            text += "\(ad),\(ad / 5),\(k + 1),\(clicked ? 1 : 0),\(i / 30),\(clicked ? "0.8" : "0")\n"
            if text.utf8.count > 1 << 22 { try handle.write(contentsOf: Data(text.utf8)); text = "" }
        }
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
        let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        var samples: [(read: Double, fit: Double)] = []
        for _ in 0..<runs {
            let start = Date()
            let tally = try LogTally.read(path: path)
            let read = Date().timeIntervalSince(start)
            _ = ScenarioFit.fit(tally, source: path, tiers: 2, defaultDays: 1)
            samples.append((read, Date().timeIntervalSince(start) - read))
        }
        let median = samples.sorted { $0.read + $0.fit < $1.read + $1.fit }[samples.count / 2]
        emit(["workload": "fit-10m", "rows": rows, "fileBytes": bytes, "cores": 1,
              "readSeconds": (median.read * 100).rounded() / 100, "fitSeconds": (median.fit * 100).rounded() / 100,
              "rowsPerSecond": (Double(rows) / median.read).rounded(), "peakRSSBytes": peakRSS()])
    }

    /// Four replicates of `auctionnet-shape` with two workers against one worker (four rather than
    /// two so that one slow cell on a noisy machine does not decide the ratio).
    func scaling(_ scenario: Scenario) throws {
        var s = scenario
        s.replicates = 4
        func time(_ jobs: Int) -> Double {
            let start = Date()
            _ = Runner.run(s, jobs: jobs)
            return Date().timeIntervalSince(start)
        }
        // Interleaved, so that a slow spell of the machine hits both sides alike.
        var ones: [Double] = [], twos: [Double] = []
        for _ in 0..<runs { ones.append(time(1)); twos.append(time(2)) }
        let one = ones.sorted()[runs / 2], two = twos.sorted()[runs / 2]
        emit(["workload": "replicates-2-cores", "cores": 2, "speedup": (one / two * 100).rounded() / 100,
              "secondsOneCore": (one * 1000).rounded() / 1000, "secondsTwoCores": (two * 1000).rounded() / 1000, "peakRSSBytes": peakRSS()])
    }

    func emit(_ record: [String: Any]) {
        if json, let data = try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]) {
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(record.keys.sorted().map { "\($0)=\(record[$0]!)" }.joined(separator: "  "))
        }
    }

    func peakRSS() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
    }
}
