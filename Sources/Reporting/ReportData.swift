import Foundation
import Simulation
import Stochastics

/// Everything the charts and tables need, read back from a run's saved files.
///
/// Built from the same text whether the run just finished or `fairground report DIR` re-renders
/// an old run, so both paths produce identical reports.
public struct ReportData: Sendable {
    public var summary: RunSummary
    /// Group names: the tiers, then "new".
    public var groups: [String]
    /// policy → replicate → hour → exposure per group.
    var hourlyExposure: [String: [Int: [[Double]]]] = [:]
    /// policy → replicate → hour → exposure-for-merit disparity between tiers (true merit).
    var hourlyDisparity: [String: [Int: [Double]]] = [:]
    /// policy → replicate → exposures of the active advertisers.
    var advertiserExposure: [String: [Int: [Double]]] = [:]
    /// policy → replicate → rows (hoursSinceEntry, entrants, impressions, clicks, spend).
    var ramp: [String: [Int: [(hour: Int, entrants: Double, impressions: Double, clicks: Double, spend: Double)]]] = [:]
    /// policy → group → reliability points.
    var calibration: [String: [String: [(predicted: Double, observed: Double, count: Double)]]] = [:]

    /// The files a report is built from.
    public static let inputFiles = ["metrics.json", "timeseries.csv", "advertisers.csv", "ramp.csv", "calibration.csv"]

    /// Reads a finished run's folder.
    public static func load(directory: String) throws -> ReportData {
        func read(_ name: String) throws -> String {
            try String(contentsOfFile: (directory as NSString).appendingPathComponent(name), encoding: .utf8)
        }
        return try ReportData(metrics: read("metrics.json"), timeseries: read("timeseries.csv"),
                              advertisers: read("advertisers.csv"), ramp: read("ramp.csv"), calibration: read("calibration.csv"))
    }

    public init(metrics: String, timeseries: String, advertisers: String, ramp rampText: String, calibration calibrationText: String) throws {
        summary = try MetricsJSON.decode(metrics)
        groups = summary.scenario.tiers + [RunSummary.newGroup]
        let ts = CSVTable(timeseries)
        let exposureColumns = groups.map { ts.column("exposure_\($0)") }
        if let p = ts.column("policy"), let r = ts.column("replicate"), exposureColumns.allSatisfy({ $0 != nil }) {
            for row in ts.rows {
                let values = exposureColumns.map { Double(row[$0!]) ?? 0 }
                hourlyExposure[String(row[p]), default: [:]][Int(row[r]) ?? 0, default: []].append(values)
            }
        }
        if let p = ts.column("policy"), let r = ts.column("replicate"), let dcol = ts.column("disparity") {
            for row in ts.rows {
                hourlyDisparity[String(row[p]), default: [:]][Int(row[r]) ?? 0, default: []].append(Double(row[dcol]) ?? .nan)
            }
        }
        let adv = CSVTable(advertisers)
        if let p = adv.column("policy"), let r = adv.column("replicate"), let e = adv.column("exposure") {
            for row in adv.rows {
                advertiserExposure[String(row[p]), default: [:]][Int(row[r]) ?? 0, default: []].append(Double(row[e]) ?? 0)
            }
        }
        let rp = CSVTable(rampText)
        if let p = rp.column("policy"), let r = rp.column("replicate"), let h = rp.column("hoursSinceEntry"),
           let n = rp.column("entrants"), let i = rp.column("impressions"), let c = rp.column("clicks"), let s = rp.column("spend") {
            for row in rp.rows {
                ramp[String(row[p]), default: [:]][Int(row[r]) ?? 0, default: []].append(
                    (Int(row[h]) ?? 0, Double(row[n]) ?? 0, Double(row[i]) ?? 0, Double(row[c]) ?? 0, Double(row[s]) ?? 0))
            }
        }
        let cal = CSVTable(calibrationText)
        if let p = cal.column("policy"), let g = cal.column("tier"), let x = cal.column("predicted"),
           let y = cal.column("observed"), let n = cal.column("impressions") {
            for row in cal.rows {
                calibration[String(row[p]), default: [:]][String(row[g]), default: []].append(
                    (Double(row[x]) ?? 0, Double(row[y]) ?? 0, Double(row[n]) ?? 0))
            }
        }
    }

    public var policyNames: [String] { summary.policies.map(\.name) }

    /// The tier the trade-off chart puts on its x axis: "small" if there is one, else the last tier.
    public var focusTier: String { groups.contains("small") ? "small" : (summary.scenario.tiers.last ?? "new") }
}
