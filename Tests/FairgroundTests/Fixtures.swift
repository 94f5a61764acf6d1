import Foundation
import Testing
import Scenario

/// Small scenarios and paths shared by the tests.
enum Fixtures {
    /// A marketplace small enough for a debug build: two tiers, entrants, budgets that bind.
    static let tinyYAML = """
        name: tiny
        seed: 11
        replicates: 3
        horizon: {days: 2, requestsPerDay: 3000}
        placement: {examination: [1.0, 0.5], maxCandidates: 12}
        tiers:
          large:
            count: 4
            adsPerAdvertiser: 2
            budget: {distribution: lognormal, median: 12, sigma: 0.3}
            bid: {distribution: lognormal, median: 1.0, sigma: 0.2}
            historyImpressions: {distribution: lognormal, median: 800, sigma: 0.3}
          small:
            count: 20
            budget: {distribution: pareto, scale: 1.5, shape: 2.5}
            historyImpressions: {distribution: lognormal, median: 15, sigma: 0.5}
            qualityShift: 0.5
        newAdvertisers: {perDay: 3, tierMix: {small: 1}}
        truth: {latentDimension: 4}
        learning: {updateEveryHours: 12}
        policies:
          - {name: global, ranker: global}
          - {name: oracle, ranker: oracle}
        """

    static func tiny(_ edit: (inout Scenario) -> Void = { _ in }) throws -> Scenario {
        var s = try ScenarioLoader.parse(yaml: tinyYAML, file: "tiny.yaml")
        edit(&s)
        return s
    }

    /// The repository root, found from this file's path.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A fresh empty temporary folder.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fairground-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    // MARK: - The built command

    struct CLIResult { var status: Int32; var stdout: String; var stderr: String }

    /// The `fairground` executable built with this test bundle (`make test` builds release).
    static let executable: URL = {
        let build = repositoryRoot.appendingPathComponent(".build")
        let order = CommandLine.arguments[0].contains("/release/") ? ["release/fairground", "debug/fairground"] : ["debug/fairground", "release/fairground"]
        for candidate in order {
            let url = build.appendingPathComponent(candidate)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return build.appendingPathComponent("debug/fairground")
    }()

    /// A configured, not yet started `fairground` process with its output captured.
    static func process(_ arguments: [String], environment: [String: String] = [:], in folder: URL? = nil) -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in ["JOB_COMPLETION_INDEX", "FAIRGROUND_SHARDS", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_COUNT"] { env[key] = nil }
        process.environment = env.merging(environment) { $1 }
        if let folder { process.currentDirectoryURL = folder }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        return (process, out, err)
    }

    /// Everything until end of file, retrying reads a signal interrupted (Foundation's
    /// `readDataToEndOfFile` traps on EINTR, which a child process's exit can cause).
    static func readAll(_ handle: FileHandle) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
            if n > 0 { data.append(contentsOf: buffer[0..<n]) } else if n == 0 || errno != EINTR { break }
        }
        return data
    }

    /// Runs `python3 -c script args…` (with `PYTHONPATH` when given), output discarded; true when it
    /// exits 0. For the tests that fetch real data or libraries from PyPI at run time.
    @discardableResult
    static func python(_ script: String, _ arguments: [String], pythonPath: String? = nil) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script] + arguments
        if let pythonPath { p.environment = ProcessInfo.processInfo.environment.merging(["PYTHONPATH": pythonPath]) { $1 } }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    /// The folder `.build/<name>` holding `files`, fetched once by `script` (which gets the folder as
    /// its argument and writes each file as `<file>.part`, moved into place only when all is done),
    /// or nil when the script fails (the package index cannot be reached). Never committed.
    static func fetched(_ name: String, files: [String], script: String) -> String? {
        let folder = repositoryRoot.appendingPathComponent(".build/\(name)")
        let paths = files.map { folder.appendingPathComponent($0).path }
        func present() -> Bool { paths.allSatisfy { FileManager.default.fileExists(atPath: $0) } }
        if present() { return folder.path }
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        guard python(script, [folder.path]) else { return nil }
        for path in paths { try? FileManager.default.moveItem(atPath: path + ".part", toPath: path) }
        return present() ? folder.path : nil
    }

    /// Runs `fairground` to completion.
    static func runCLI(_ arguments: [String], environment: [String: String] = [:], in folder: URL? = nil) throws -> CLIResult {
        let (process, out, err) = process(arguments, environment: environment, in: folder)
        try process.run()
        let outData = readAll(out.fileHandleForReading)
        let errData = readAll(err.fileHandleForReading)
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// A seeded generator for tests that draw random inputs (SplitMix64: Steele, Lea & Flood 2014).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Checks of metrics.json estimates against numbers computed in the test from their definitions.
enum EstimateCheck {
    /// Student's t quantile t(0.975, 1), from tables (two replicates give one degree of freedom).
    static let t975df1 = 12.7062

    /// `json` (an estimate object of metrics.json) is the mean of `values` (two replicates) with
    /// the 95% t interval mean ± t(0.975, 1)·s/√2.
    static func expect(_ json: Any?, _ values: [Double], _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let object = json as? [String: Any], let mean = object["mean"] as? Double, let ci = object["ci95"] as? [Double] else {
            Issue.record("\(label): not an estimate: \(String(describing: json))", sourceLocation: sourceLocation); return
        }
        #expect(values.count == 2, sourceLocation: sourceLocation)
        let m = (values[0] + values[1]) / 2
        let sd = abs(values[0] - values[1]) / 2.0.squareRoot()
        let half = t975df1 * sd / 2.0.squareRoot()
        let tolerance = 1e-9 * max(1, abs(m), half)
        #expect(abs(mean - m) <= tolerance, "\(label): mean \(mean), from the definition \(m)", sourceLocation: sourceLocation)
        #expect(abs(ci[0] - (m - half)) <= 1e-4 * max(1, half) && abs(ci[1] - (m + half)) <= 1e-4 * max(1, half),
                "\(label): ci95 \(ci), from t(0.975, 1) \([m - half, m + half])", sourceLocation: sourceLocation)
    }

    /// Gini = Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² mean) (oracles.md).
    static func gini(_ x: [Double]) -> Double {
        let n = Double(x.count), mean = x.reduce(0, +) / n
        var total = 0.0
        for a in x { for b in x { total += abs(a - b) } }
        return total / (2 * n * n * mean)
    }

    /// Jain = (Σx)² / (n Σx²) (oracles.md).
    static func jain(_ x: [Double]) -> Double {
        let sum = x.reduce(0, +)
        return sum * sum / (Double(x.count) * x.reduce(0) { $0 + $1 * $1 })
    }
}
