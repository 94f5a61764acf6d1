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
    /// policy → replicate → the active advertisers' spend and budget (for the drill-down).
    var advertiserRows: [String: [Int: [AdvertiserRow]]] = [:]
    /// policy → replicate → rows (hoursSinceEntry, entrants, impressions, clicks, spend).
    var ramp: [String: [Int: [(hour: Int, entrants: Double, impressions: Double, clicks: Double, spend: Double)]]] = [:]
    /// policy → group → reliability points.
    var calibration: [String: [String: [(predicted: Double, observed: Double, count: Double)]]] = [:]

    /// The files a report is built from.
    public static let inputFiles = ["metrics.json", "timeseries.csv", "advertisers.csv", "ramp.csv", "calibration.csv"]

    /// Reads a finished run's folder.
    /// - Throws: `ReportInputError` naming the file (and line) that cannot be read back.
    public static func load(directory: String) throws -> ReportData {
        func read(_ name: String) throws(ReportInputError) -> String {
            try ReportInputError.readText((directory as NSString).appendingPathComponent(name))
        }
        let metrics = try read("metrics.json"), timeseries = try read("timeseries.csv"), advertisers = try read("advertisers.csv")
        let ramp = try read("ramp.csv"), calibration = try read("calibration.csv")
        do {
            return try ReportData(metrics: metrics, timeseries: timeseries, advertisers: advertisers, ramp: ramp, calibration: calibration,
                                  folder: directory)
        } catch let error as DecodingError {
            throw ReportInputError(path: (directory as NSString).appendingPathComponent("metrics.json"),
                                   message: "not a Fairground metrics file (\(error))", line: nil)
        }
    }

    /// Builds the report's data from the files' texts; `folder` only prefixes file names in errors.
    /// - Throws: `DecodingError` for metrics.json, `ReportInputError` for a CSV file.
    public init(metrics: String, timeseries: String, advertisers: String, ramp rampText: String, calibration calibrationText: String,
                folder: String = "") throws {
        func named(_ file: String) -> String { folder.isEmpty ? file : (folder as NSString).appendingPathComponent(file) }
        summary = try MetricsJSON.decode(metrics)
        groups = summary.scenario.tiers + [RunSummary.newGroup]
        let ts = try CSVTable(timeseries, file: named("timeseries.csv"))
        let exposureColumns = groups.map { ts.column("exposure_\($0)") }
        if let p = ts.column("policy"), let r = ts.column("replicate"), exposureColumns.allSatisfy({ $0 != nil }) {
            for i in ts.rows.indices {
                let values = try exposureColumns.map { c throws(ReportInputError) in try ts.number(i, c!) }
                hourlyExposure[ts.rows[i][p], default: [:]][try ts.integer(i, r), default: []].append(values)
            }
            let lengths = Set(hourlyExposure.values.flatMap { $0.values.map(\.count) })
            if lengths.count > 1 {
                throw ReportInputError(path: ts.file, message: "the policies' and replicates' hourly series have different lengths (\(lengths.sorted().map(String.init).joined(separator: ", ")) hours): truncated?", line: nil)
            }
        }
        if let p = ts.column("policy"), let r = ts.column("replicate"), let dcol = ts.column("disparity") {
            for i in ts.rows.indices {
                hourlyDisparity[ts.rows[i][p], default: [:]][try ts.integer(i, r), default: []].append(try ts.number(i, dcol, emptyIsNaN: true))
            }
        }
        let adv = try CSVTable(advertisers, file: named("advertisers.csv"))
        for table in [ts, adv] where table.rows.isEmpty && !summary.policies.isEmpty {
            throw ReportInputError(path: table.file, message: "no rows after the header, but metrics.json lists \(summary.policies.count) policies: truncated?", line: nil)
        }
        if let p = adv.column("policy"), let r = adv.column("replicate"), let e = adv.column("exposure") {
            for i in adv.rows.indices {
                advertiserExposure[adv.rows[i][p], default: [:]][try adv.integer(i, r), default: []].append(try adv.number(i, e))
            }
        }
        if let p = adv.column("policy"), let r = adv.column("replicate"), let a = adv.column("advertiser"), let t = adv.column("tier"),
           let n = adv.column("new"), let b = adv.column("budget"), let sp = adv.column("spend") {
            for i in adv.rows.indices {
                advertiserRows[adv.rows[i][p], default: [:]][try adv.integer(i, r), default: []].append(
                    AdvertiserRow(id: try adv.integer(i, a), tier: adv.rows[i][t], isNew: adv.rows[i][n] == "true",
                                  budget: try adv.number(i, b), spend: try adv.number(i, sp)))
            }
        }
        let rp = try CSVTable(rampText, file: named("ramp.csv"))
        if let p = rp.column("policy"), let r = rp.column("replicate"), let h = rp.column("hoursSinceEntry"),
           let n = rp.column("entrants"), let im = rp.column("impressions"), let c = rp.column("clicks"), let s = rp.column("spend") {
            for i in rp.rows.indices {
                ramp[rp.rows[i][p], default: [:]][try rp.integer(i, r), default: []].append(
                    (try rp.integer(i, h), try rp.number(i, n), try rp.number(i, im), try rp.number(i, c), try rp.number(i, s)))
            }
        }
        let cal = try CSVTable(calibrationText, file: named("calibration.csv"))
        if let p = cal.column("policy"), let g = cal.column("tier"), let x = cal.column("predicted"),
           let y = cal.column("observed"), let n = cal.column("impressions") {
            for i in cal.rows.indices {
                calibration[cal.rows[i][p], default: [:]][cal.rows[i][g], default: []].append(
                    (try cal.number(i, x), try cal.number(i, y), try cal.number(i, n)))
            }
        }
    }

    public var policyNames: [String] { summary.policies.map(\.name) }

    /// The tier the report is about: "small" if there is one, else the last tier.
    public var focusTier: String { ReportText.focusTier(summary) }

    /// The unit money is shown in.
    public var currency: String { summary.scenario.currency ?? "money units" }

    /// Whether advertisers entered during the run.
    public var hasEntrants: Bool { ReportText.hasEntrants(summary) }
}

/// One active advertiser of one replicate, as advertisers.csv lists it.
struct AdvertiserRow {
    var id: Int
    var tier: String
    var isNew: Bool
    var budget: Double
    var spend: Double
    var delivery: Double { budget > 0 ? spend / budget : .nan }
}
