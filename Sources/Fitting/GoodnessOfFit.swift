import Foundation
import Reporting
import Scenario
import Simulation
import Stochastics

/// The log against the fitted world's simulated log, side by side: click rate per position, the
/// ads' click-rate quantiles, how concentrated impressions are (Gini, the most shown tenth's share,
/// Lorenz curve). Log figures carry delete-one-block jackknife intervals; simulated ones t-intervals over
/// replicates of the fitted scenario's first policy.
public struct GoodnessOfFit: Sendable {
    public struct Row: Sendable {
        public var statistic: String
        public var log: Estimate
        public var simulated: Estimate
    }
    public var rows: [Row]
    public var logLorenz: [Double]
    public var simulatedLorenz: [Double]
    public var replicates: Int
    public var simulatedRequestsPerDay: Double
    public var scaledDown: Bool

    /// Ads with fewer impressions than this are left out of the click-rate quantiles.
    public static let minimumImpressions = 20.0
    static let grid = (0...50).map { Double($0) / 50 }

    /// Per-log statistics from per-ad counts: CTR per position, CTR quantiles, Gini, top 10%.
    static func statistics(slots: Int, impressions: [[Double]], clicks: [[Double]]) -> [Double] {
        var out: [Double] = []
        for k in 0..<slots {
            let n = impressions.reduce(0) { $0 + $1[k] }, c = clicks.reduce(0) { $0 + $1[k] }
            out.append(n > 0 ? c / n : .nan)
        }
        let perAd = zip(impressions, clicks).compactMap { n, c -> Double? in
            let total = n.reduce(0, +)
            return total >= minimumImpressions ? c.reduce(0, +) / total : nil
        }
        for q in [0.1, 0.5, 0.9] { out.append(perAd.count >= 2 ? Statistics.quantile(perAd, q) : .nan) }
        let volumes = impressions.map { $0.reduce(0, +) }
        out.append(Inequality.gini(volumes))
        let sorted = volumes.sorted(by: >), total = volumes.reduce(0, +)
        out.append(total > 0 ? sorted.prefix(max(1, volumes.count / 10)).reduce(0, +) / total : .nan)
        return out
    }

    static func names(slots: Int) -> [String] {
        (1...slots).map { "click rate, slot \($0)" } + ["ads' click rate, 10th percentile", "ads' click rate, median", "ads' click rate, 90th percentile",
                                                          "impression Gini across ads", "top 10% of ads' share of impressions"]
    }

    /// Runs the fitted scenario (at most `maxRequests` requests per replicate: a larger log is
    /// compared with a scaled-down world, and the report says so) and compares.
    public static func compare(_ t: LogTally, scenario fitted: Scenario, replicates: Int = 3, maxRequests: Double = 400_000, jobs: Int) throws -> GoodnessOfFit {
        let K = t.slots
        func table(leaving out: Int?) -> (n: [[Double]], c: [[Double]]) {
            var n: [[Double]] = [], c: [[Double]] = []
            for ad in 0..<t.ads {
                var rowN = [Double](repeating: 0, count: K), rowC = rowN
                for k in 1...K { let x = t.counts(ad: ad, position: k, leaving: out); rowN[k - 1] = x.n; rowC[k - 1] = x.c }
                n.append(rowN); c.append(rowC)
            }
            return (n, c)
        }
        let whole = table(leaving: nil)
        let full = statistics(slots: K, impressions: whole.n, clicks: whole.c)
        let jack = (0..<LogTally.blocks).map { b -> [Double] in let x = table(leaving: b); return statistics(slots: K, impressions: x.n, clicks: x.c) }
        let logEstimates = full.indices.map { i -> Estimate in
            let values = jack.map { $0[i] }.filter(\.isFinite)
            guard full[i].isFinite, values.count == jack.count else { return Estimate(mean: full[i], lower: .nan, upper: .nan, count: 0) }
            let se = LogTally.jackknifeStandardError(values)
            return Estimate(mean: full[i], lower: full[i] - 1.959964 * se, upper: full[i] + 1.959964 * se, count: jack.count)
        }
        // The fitted world, its first policy only, with every impression logged.
        var scenario = fitted
        scenario.replicates = replicates
        scenario.policies = [scenario.policies[0]]
        let requests = scenario.horizon.days * scenario.horizon.requestsPerDay
        let scaledDown = requests > maxRequests
        if scaledDown { scenario.horizon.requestsPerDay *= maxRequests / requests }
        let collected = Locked<[Int: [Double]]>([:])
        let lorenzCurves = Locked<[Int: [Double]]>([:])
        _ = try Runner.run(scenario, jobs: jobs) { _, replicate, log in
            let ads = log.ad.max().map { Int($0) + 1 } ?? 0
            var n = [[Double]](repeating: [Double](repeating: 0, count: K), count: ads), c = n
            for i in 0..<log.count where Int(log.position[i]) <= K {
                n[Int(log.ad[i])][Int(log.position[i]) - 1] += 1
                if log.click[i] { c[Int(log.ad[i])][Int(log.position[i]) - 1] += 1 }
            }
            let shown = n.indices.filter { n[$0].reduce(0, +) > 0 }
            let stats = statistics(slots: K, impressions: shown.map { n[$0] }, clicks: shown.map { c[$0] })
            let curve = Inequality.lorenz(shown.map { n[$0].reduce(0, +) }, at: grid)
            collected.update { $0[replicate] = stats }
            lorenzCurves.update { $0[replicate] = curve }
        }
        let sims = collected.value.keys.sorted().map { collected.value[$0]! }
        let rows = names(slots: K).indices.map { i in
            Row(statistic: names(slots: K)[i], log: logEstimates[i], simulated: Statistics.estimate(sims.map { $0[i] }))
        }
        let curves = lorenzCurves.value.keys.sorted().map { lorenzCurves.value[$0]! }
        let simulatedLorenz = grid.indices.map { i in curves.map { $0[i] }.reduce(0, +) / Double(max(1, curves.count)) }
        let logVolumes = whole.n.map { $0.reduce(0, +) }.filter { $0 > 0 }
        return GoodnessOfFit(rows: rows, logLorenz: Inequality.lorenz(logVolumes, at: grid), simulatedLorenz: simulatedLorenz, replicates: replicates,
                             simulatedRequestsPerDay: scenario.horizon.requestsPerDay, scaledDown: scaledDown)
    }
}

/// A value shared by the runner's workers, behind a lock.
final class Locked<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()
    init(_ value: Value) { stored = value }
    var value: Value { lock.lock(); defer { lock.unlock() }; return stored }
    func update(_ body: (inout Value) -> Void) { lock.lock(); body(&stored); lock.unlock() }
}
