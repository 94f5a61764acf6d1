import Foundation
import Reporting
import Simulation
import Stochastics

/// One finished cell as stored in `cells/<hash>.json`: its overrides, the chosen policy's
/// metrics (the policy's whole entry of metrics.json) and each metric's value per replicate.
public struct SweepCellResult: Sendable, Codable {
    public var index: Int
    public var hash: String
    public var overrides: [String: String]
    public var policy: PolicySummary
    /// Metric path → its value in each replicate (replicate order). Every cell of a sweep runs
    /// the same seed, so replicate r of two cells faces the same traffic: paired differences.
    public var replicates: [String: [Double]]

    /// The per-replicate values of a metric (nil if absent).
    public func values(_ path: String) -> [Double]? { replicates[path] }

    /// The estimate at a metric path such as `tiers.small.spendDelivery` (nil if absent).
    public func metric(_ path: String) -> Estimate? { Self.metric(path, of: policy) }

    /// The estimate at a metric path in a policy's summary (nil if absent).
    public static func metric(_ path: String, of p: PolicySummary) -> Estimate? {
        let parts = path.split(separator: ".").map(String.init)
        switch parts.count {
        case 1:
            switch parts[0] {
            case "revenue": return p.revenue
            case "advertiserWelfare": return p.advertiserWelfare
            case "regretVsOracle": return p.regretVsOracle
            default: return nil
            }
        case 2 where parts[0] == "fairness":
            let f = p.fairness
            return ["exposureGini": f.exposureGini, "jain": f.jain, "disparity": f.disparity, "disparityEstimated": f.disparityEstimated,
                    "disparityNew": f.disparityNew, "disparateTreatmentRatio": f.disparateTreatmentRatio][parts[1]]
        case 2 where parts[0] == "exploration":
            let e = p.exploration
            let table: [String: Estimate?] = ["impressionShare": e.impressionShare, "cost": e.cost, "hitsFound": e.hitsFound,
                                              "hitsGained": e.hitsGained, "newAdsWithClick": e.newAdsWithClick, "hoursToFirstClick": e.hoursToFirstClick]
            return table[parts[1]] ?? nil
        case 3 where parts[0] == "tiers":
            guard let t = p.tiers[parts[1]] else { return nil }
            let table: [String: Estimate?] = ["spend": t.spend, "budget": t.budget, "spendDelivery": t.spendDelivery, "impressions": t.impressions,
                                              "exposureShare": t.exposureShare, "clicks": t.clicks, "conversions": t.conversions,
                                              "logloss": t.logloss, "auc": t.auc, "calibration": t.calibration]
            return table[parts[2]] ?? nil
        default: return nil
        }
    }
}

/// The list of cells of a sweep, written beside the results so `merge` knows what "complete" means.
public struct SweepPlan: Sendable, Codable, Equatable {
    public struct Cell: Sendable, Codable, Equatable {
        public var index: Int
        public var hash: String
        public var overrides: [String: String]
    }
    public var name: String
    public var policy: String
    public var keys: [String]
    public var objective: String
    public var constraints: [String]
    /// The reference cell's values of the reference keys (paired comparisons).
    public var reference: [String: String]
    public var cells: [Cell]
}
