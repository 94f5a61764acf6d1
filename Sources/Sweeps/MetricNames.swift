import Reporting
import Stochastics

/// Plain names and formats for sweep metric paths, for reports and the terminal.
public enum MetricNames {
    /// "new advertisers' spend delivery" for `tiers.new.spendDelivery`; unknown paths as written.
    public static func plain(_ path: String) -> String {
        let parts = path.split(separator: ".").map(String.init)
        switch parts.count {
        case 1:
            return ["revenue": "revenue", "advertiserWelfare": "advertiser welfare", "regretVsOracle": "regret against the oracle"][parts[0]] ?? path
        case 2 where parts[0] == "fairness":
            return ["exposureGini": "Gini of exposure", "jain": "Jain index of exposure", "disparity": "exposure-for-merit disparity between tiers",
                    "disparityEstimated": "estimated-merit disparity between tiers", "disparityNew": "exposure-for-merit disparity of new advertisers",
                    "disparateTreatmentRatio": "disparate-treatment ratio"][parts[1]] ?? path
        case 2 where parts[0] == "exploration":
            return ["impressionShare": "explorer's share of impressions", "cost": "cost of exploration", "hitsFound": "hits found",
                    "hitsGained": "hits gained", "newAdsWithClick": "new ads with a click", "hoursToFirstClick": "hours to a first click"][parts[1]] ?? path
        case 3 where parts[0] == "tiers":
            let who = parts[1] == "new" ? "new advertisers'" : "\(parts[1]) advertisers'"
            let field = ["spend": "spend", "budget": "budget", "spendDelivery": "spend delivery", "impressions": "impressions",
                         "exposureShare": "exposure share", "clicks": "clicks", "conversions": "conversions", "logloss": "log-loss",
                         "auc": "AUC", "calibration": "calibration"][parts[2]] ?? parts[2]
            return "\(who) \(field)"
        default:
            return path
        }
    }

    /// Whether the metric is a share of something (printed as a percentage).
    public static func isShare(_ path: String) -> Bool {
        ["spendDelivery", "exposureShare", "impressionShare"].contains { path.hasSuffix("." + $0) }
    }

    /// A value of the metric: "43.1%" for shares, `Format.compact` otherwise.
    public static func value(_ path: String, _ x: Double) -> String { isShare(path) ? Format.percent(x) : Format.compact(x) }

    /// "43.1% (26.7–59.5)" or "53093 (46668–59518)".
    public static func estimate(_ path: String, _ e: Estimate) -> String {
        isShare(path) ? Format.percentEstimate(e) : Format.compactEstimate(e)
    }

    /// A paired difference: "+4.2 pp (+1.0 to +7.4)" for shares, "+312 (+40 to +584)" otherwise.
    public static func difference(_ path: String, _ e: Estimate) -> String {
        if isShare(path) { return Format.pointsEstimate(e) }
        func s(_ x: Double) -> String { x.isFinite ? (x >= 0 ? "+" : "−") + Format.compact(abs(x)) : "–" }
        return "\(s(e.mean)) (\(s(e.lower)) to \(s(e.upper)))"
    }
}
