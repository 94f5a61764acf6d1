import Foundation
import Simulation
import Stochastics

/// Two finished runs side by side (`fairground compare A B`): each policy both runs list, on
/// every headline metric both recorded per replicate in replicates.csv.
///
/// Pairing: when both runs' `world` fingerprints match (same scenario apart from the name, the
/// replicate count, the currency and the policies — so the same seed and the same worlds and
/// traffic), replicate r of A and replicate r of B saw the same simulated traffic, and the
/// difference is taken per replicate over the replicates both ran (a paired t-interval).
/// Otherwise the runs are independent samples and the difference gets Welch's interval (its
/// degrees of freedom rounded down, which widens it slightly). The report says which.
public struct RunComparison: Sendable {
    public struct Row: Sendable {
        public var policy: String
        public var metric: String
        public var a: Estimate
        public var b: Estimate
        /// B − A.
        public var difference: Estimate
    }

    public var nameA: String
    public var nameB: String
    public var folderA: String
    public var folderB: String
    public var paired: Bool
    /// Each run's replicates, and (when paired) the ones both ran, which the pairs use.
    public var replicatesA: Int
    public var replicatesB: Int
    public var sharedReplicates: Int
    public var rows: [Row]
    public var onlyInA: [String]
    public var onlyInB: [String]
    public var why: String

    /// Reads two run folders and compares them.
    /// - Throws: `ReportInputError` naming the file (and line) that is missing (66) or damaged (65).
    public static func load(_ folderA: String, _ folderB: String) throws -> RunComparison {
        let a = try RunRecord(folder: folderA), b = try RunRecord(folder: folderB)
        let fa = a.summary.scenario.fingerprint?.world, fb = b.summary.scenario.fingerprint?.world
        let paired = fa != nil && fa == fb
        let why: String
        if paired {
            why = "Paired by replicate: both runs simulated the same worlds and traffic (same seed and scenario apart from the policies), so replicate r of one saw what replicate r of the other saw."
        } else if fa == nil || fb == nil {
            why = "Unpaired (Welch's interval): a run was written by a Fairground version that does not record the scenario's fingerprint."
        } else if a.summary.scenario.seed != b.summary.scenario.seed {
            why = "Unpaired (Welch's interval): the runs used different seeds (\(a.summary.scenario.seed) and \(b.summary.scenario.seed)), so their replicates saw different traffic."
        } else {
            why = "Unpaired (Welch's interval): the scenarios differ in more than their policies (market, traffic or settings), so their replicates saw different worlds."
        }
        let policiesA = a.summary.policies.map(\.name), policiesB = Set(b.summary.policies.map(\.name))
        var rows: [Row] = []
        for policy in policiesA where policiesB.contains(policy) {
            for metric in a.metrics where b.metrics.contains(metric) {
                guard let va = a.values[policy]?[metric], let vb = b.values[policy]?[metric] else { continue }
                let ea = Statistics.estimate(va.keys.sorted().map { va[$0]! }), eb = Statistics.estimate(vb.keys.sorted().map { vb[$0]! })
                let d: Estimate
                if paired {
                    let shared = Set(va.keys).intersection(vb.keys).sorted()
                    d = Statistics.pairedDifference(shared.map { va[$0]! }, shared.map { vb[$0]! })
                } else {
                    d = welch(va.values.filter(\.isFinite), vb.values.filter(\.isFinite))
                }
                rows.append(Row(policy: policy, metric: metric, a: ea, b: eb, difference: d))
            }
        }
        let sharedReplicates = paired ? Set(a.replicates).intersection(b.replicates).count : 0
        return RunComparison(nameA: a.summary.scenario.name, nameB: b.summary.scenario.name, folderA: folderA, folderB: folderB, paired: paired,
                             replicatesA: a.replicates.count, replicatesB: b.replicates.count, sharedReplicates: sharedReplicates,
                             rows: rows, onlyInA: policiesA.filter { !policiesB.contains($0) },
                             onlyInB: b.summary.policies.map(\.name).filter { !Set(policiesA).contains($0) }, why: why)
    }

    /// Welch's 95% interval for mean(b) − mean(a), degrees of freedom rounded down.
    static func welch(_ a: [Double], _ b: [Double]) -> Estimate {
        let d = Statistics.mean(b) - Statistics.mean(a)
        guard a.count > 1, b.count > 1 else { return Estimate(mean: d, lower: d, upper: d, count: min(a.count, b.count)) }
        let va = pow(Statistics.standardDeviation(a), 2) / Double(a.count), vb = pow(Statistics.standardDeviation(b), 2) / Double(b.count)
        let se = (va + vb).squareRoot()
        guard se > 0 else { return Estimate(mean: d, lower: d, upper: d, count: min(a.count, b.count)) }
        let df = (va + vb) * (va + vb) / (va * va / Double(a.count - 1) + vb * vb / Double(b.count - 1))
        let half = Statistics.tCritical(degreesOfFreedom: max(1, Int(df.rounded(.down)))) * se
        return Estimate(mean: d, lower: d - half, upper: d + half, count: min(a.count, b.count))
    }
}

/// A finished run read back for `compare`: its summary and its per-replicate headline values.
struct RunRecord {
    var summary: RunSummary
    /// The replicates.csv metric columns, in file order.
    var metrics: [String]
    /// policy → metric → replicate → value.
    var values: [String: [String: [Int: Double]]]
    var replicates: [Int]

    init(folder: String) throws {
        func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }
        let metricsText = try ReportInputError.readText(path("metrics.json"))
        do { summary = try MetricsJSON.decode(metricsText) } catch {
            throw ReportInputError(path: path("metrics.json"), message: "not a Fairground metrics file (\(error))", line: nil)
        }
        let table = try CSVTable(try ReportInputError.readText(path("replicates.csv")), file: path("replicates.csv"))
        guard let p = table.column("policy"), let r = table.column("replicate") else {
            throw ReportInputError(path: table.file, message: "the header lacks the policy and replicate columns", line: 1)
        }
        metrics = table.header.indices.filter { $0 != p && $0 != r }.map { table.header[$0] }
        values = [:]
        var seen = Set<Int>()
        for i in table.rows.indices {
            let replicate = try table.integer(i, r)
            seen.insert(replicate)
            for c in table.header.indices where c != p && c != r {
                values[table.rows[i][p], default: [:]][table.header[c], default: [:]][replicate] = try table.number(i, c, emptyIsNaN: true)
            }
        }
        replicates = seen.sorted()
        if table.rows.isEmpty {
            throw ReportInputError(path: table.file, message: "no rows after the header: truncated?", line: nil)
        }
    }
}
