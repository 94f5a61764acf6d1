import Scenario
import Simulation
import Stochastics

/// The CSV outputs: one row per policy × replicate × advertiser, and per policy × replicate × hour.
///
/// Names (policies, tiers) go through `CSVField.encode`, so a tier named `small, local` is one
/// quoted field; every other field is a number or a fixed word.
public enum CSVTables {
    /// advertisers.csv.
    public static func advertisers(_ scenario: Scenario, cells: [CellResult]) -> String {
        var out = "policy,replicate,advertiser,tier,new,budget,spend,spendDelivery,impressions,exposure,clicks,conversions,value\n"
        let tierNames = scenario.tiers.map { CSVField.encode($0.name) }
        for cell in cells {
            let m = cell.metrics, policy = CSVField.encode(scenario.policies[cell.policy].name)
            for a in 0..<cell.advertiserTier.count where m.budget[a] > 0 {
                let fields: [String] = [
                    policy, String(cell.replicate), String(a), tierNames[Int(cell.advertiserTier[a])],
                    cell.advertiserIsNew[a] ? "true" : "false",
                    Format.number(m.budget[a]), Format.number(m.spend[a]), Format.number(m.spend[a] / m.budget[a]),
                    Format.number(m.impressions[a]), Format.number(m.exposure[a]), Format.number(m.clicks[a]),
                    Format.number(m.conversions[a]), Format.number(m.value[a]),
                ]
                out += fields.joined(separator: ",") + "\n"
            }
        }
        return out
    }

    /// timeseries.csv: revenue, spend per group and exposure share per group for each hour.
    public static func timeseries(_ scenario: Scenario, cells: [CellResult]) -> String {
        let groups = scenario.tiers.map(\.name) + [RunSummary.newGroup]
        var out = "policy,replicate,hour,revenue"
        func columns(_ prefix: String) -> String { groups.map { "," + CSVField.encode(prefix + $0) }.joined() }
        out += columns("spend_") + columns("exposure_") + columns("exposureShare_") + ",disparity,disparityEstimated\n"
        let tiers = scenario.tiers.count, width = tiers + 1
        for cell in cells {
            let m = cell.metrics, policy = CSVField.encode(scenario.policies[cell.policy].name)
            let path = cell.disparityPath
            for h in 0..<m.hours {
                let row = h * width
                let revenue = (0..<tiers).reduce(0) { $0 + m.hourlySpend[row + $1] }
                let exposure = (0..<tiers).reduce(0) { $0 + m.hourlyExposure[row + $1] }
                var line = "\(policy),\(cell.replicate),\(h),\(Format.number(revenue))"
                for g in 0..<width { line += "," + Format.number(m.hourlySpend[row + g]) }
                for g in 0..<width { line += "," + Format.number(m.hourlyExposure[row + g]) }
                for g in 0..<width { line += "," + (exposure > 0 ? Format.number(m.hourlyExposure[row + g] / exposure) : "") }
                line += "," + Format.number(path[h].true) + "," + Format.number(path[h].estimated)
                out += line + "\n"
            }
        }
        return out
    }

    /// ramp.csv: new advertisers by hours since entry (sums over entrants; `entrants` = how many
    /// reached that age before the horizon).
    public static func ramp(_ scenario: Scenario, cells: [CellResult]) -> String {
        var out = "policy,replicate,hoursSinceEntry,entrants,impressions,clicks,spend\n"
        for cell in cells {
            let m = cell.metrics, policy = CSVField.encode(scenario.policies[cell.policy].name)
            for h in 0..<m.rampEntrants.count where m.rampEntrants[h] > 0 {
                out += "\(policy),\(cell.replicate),\(h),\(Format.number(m.rampEntrants[h])),\(Format.number(m.rampImpressions[h])),"
                out += "\(Format.number(m.rampClicks[h])),\(Format.number(m.rampSpend[h]))\n"
            }
        }
        return out
    }

    /// calibration.csv: reliability-diagram points of each policy's ranker per tier (and `new`),
    /// pooled over replicates: mean predicted click probability, observed click rate, impressions.
    public static func calibration(_ scenario: Scenario, cells: [CellResult]) -> String {
        let groups = scenario.tiers.map(\.name) + [RunSummary.newGroup]
        var out = "policy,tier,predicted,observed,impressions\n"
        for (p, policy) in scenario.policies.enumerated() {
            for (g, group) in groups.map(CSVField.encode).enumerated() {
                var pooled = PredictionQuality()
                for cell in cells where cell.policy == p { pooled.merge(cell.metrics.prediction[g]) }
                for point in pooled.reliability() {
                    out += "\(CSVField.encode(policy.name)),\(group),\(Format.number(point.predicted)),\(Format.number(point.observed)),\(Format.number(point.count))\n"
                }
            }
        }
        return out
    }

    /// replicates.csv: each policy's headline values per replicate — what `fairground compare`
    /// pairs two runs on (empty cells: no value, e.g. no new ad got a click).
    public static func replicates(_ scenario: Scenario, cells: [CellResult]) -> String {
        let groups = scenario.tiers.map(\.name) + [RunSummary.newGroup]
        var out = "policy,replicate,revenue,advertiserWelfare,clicks,conversions"
        out += groups.map { "," + CSVField.encode("spendDelivery_" + $0) }.joined()
        out += groups.map { "," + CSVField.encode("exposureShare_" + $0) }.joined()
        out += ",newAdsWithClick,hoursToFirstClick\n"
        for cell in cells {
            let m = cell.metrics, total = cell.totalExposure
            let totals = groups.indices.map { cell.totals(group: $0) }
            var fields = [CSVField.encode(scenario.policies[cell.policy].name), String(cell.replicate), Format.number(cell.revenue),
                          Format.number(cell.welfare), Format.number(m.clicks.reduce(0, +)),
                          Format.number(m.conversions.reduce(0, +))]
            fields += totals.map { Format.number($0.spendDelivery) }
            fields += totals.map { total > 0 ? Format.number($0.exposure / total) : "" }
            fields += [Format.number(cell.newAdsWithClickShare), Format.number(m.hoursToFirstClick)]
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }
}
