import Foundation
import Scenario
import Simulation

/// impressions.csv (`run --log-impressions`): every impression of every policy and replicate, in
/// the schema `fairground fit` reads, with the columns Open Bandit Pipeline's bandit feedback is
/// built from (docs/impression-log.md: action = `ad`, position = `position` − 1, reward = `click`,
/// pscore = `propensity`, context = the `user_*` columns).
///
/// Each cell's rows are written to a part file as soon as the cell ends (on its worker), and the
/// parts are joined in (policy, replicate) order, so the file is the same whatever `--jobs` is.
public enum ImpressionLogCSV {
    public static func header(dimension: Int) -> String {
        "policy,replicate,request,timestamp,advertiser,ad,tier,new,cohort,position,click,cost,conversion,value,conversionDelay,explored,propensity"
            + (0..<dimension).map { ",user_\($0)" }.joined() + "\n"
    }

    /// A number as Swift prints it (the shortest text that reads back to the same value; whole
    /// numbers without a fraction), empty when not finite. Much faster than `String(format:)`,
    /// which a log of millions of rows cannot afford.
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "" }
        return x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : x.description
    }

    static func partName(policy: Int, replicate: Int) -> String { ".impressions-\(policy)-\(replicate).part" }

    /// Writes one cell's rows to its part file in `directory`.
    public static func writePart(_ log: ImpressionLog, scenario: Scenario, policy: Int, replicate: Int, directory: String) throws {
        let name = CSVField.encode(scenario.policies[policy].name)
        let tiers = scenario.tiers.map { CSVField.encode($0.name) }, cohorts = scenario.cohorts.map { CSVField.encode($0.name) }
        var out = ""
        out.reserveCapacity(log.count * (90 + 10 * log.dimension))
        for i in 0..<log.count {
            out += name; out += ","; out += String(replicate); out += ","; out += String(log.request[i]); out += ","
            out += number((log.timestamp[i] * 1000).rounded() / 1000); out += ","; out += String(log.advertiser[i]); out += ","; out += String(log.ad[i]); out += ","
            out += tiers[Int(log.tier[i])]; out += log.isNew[i] ? ",1," : ",0,"; out += cohorts[Int(log.cohortOf[i])]; out += ","
            out += String(log.position[i]); out += log.click[i] ? ",1," : ",0,"; out += number(log.cost[i])
            out += log.conversion[i] ? ",1," : ",0,"; out += number(log.value[i]); out += ","
            out += number(log.conversionDelay[i] / 3600); out += log.explored[i] ? ",1," : ",0,"
            out += number(log.propensity[i])
            for d in 0..<log.dimension { out += ","; out += log.users[i * log.dimension + d].description }
            out += "\n"
        }
        let url = URL(fileURLWithPath: directory).appendingPathComponent(partName(policy: policy, replicate: replicate))
        try Data(out.utf8).write(to: url)
    }

    /// Joins the part files into impressions.csv (removing them) in (policy, replicate) order.
    public static func join(scenario: Scenario, directory: String) throws {
        let folder = URL(fileURLWithPath: directory)
        let target = folder.appendingPathComponent("impressions.csv")
        try Data(header(dimension: scenario.truth.latentDimension).utf8).write(to: target)
        let handle = try FileHandle(forWritingTo: target)
        defer { try? handle.close() }
        try handle.seekToEnd()
        for p in scenario.policies.indices {
            for r in 0..<scenario.replicates {
                let part = folder.appendingPathComponent(partName(policy: p, replicate: r))
                try handle.write(contentsOf: try Data(contentsOf: part))
                try FileManager.default.removeItem(at: part)
            }
        }
    }
}
