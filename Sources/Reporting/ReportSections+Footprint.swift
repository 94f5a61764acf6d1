import Foundation
import Simulation
import Stochastics

extension ReportSections {
    /// What each personal-block policy costs to deploy next to the global model (nil when no
    /// policy uses a `meta` or `finetune` ranker).
    static func footprint(_ d: ReportData) -> ReportSection? {
        let policies = d.summary.policies.filter { $0.footprint != nil }
        guard !policies.isEmpty else { return nil }
        func bytes(_ x: Double) -> String {
            x >= 1e6 ? String(format: "%.1f MB", x / 1e6) : x >= 1e3 ? String(format: "%.1f kB", x / 1e3) : "\(Int(x)) B"
        }
        let perAdgroup = policies.contains { $0.footprint?.perAdgroup != nil }
        let rows = policies.map { p -> [String] in
            let f = p.footprint!
            let task = f.perAdgroup.map { "\($0.personalParameters) per adgroup (\(Format.compact($0.adgroups.mean)) adgroups)" }
                ?? String(f.personalParametersPerAd)
            let kept = f.perAdgroup.map { "\(bytes(Double($0.bytes))) per adgroup + \(bytes(Double(f.bytesPerAd))) per ad (global: \(bytes(Double(f.globalBytesPerAd))))" }
                ?? "\(bytes(Double(f.bytesPerAd))) (global: \(bytes(Double(f.globalBytesPerAd))))"
            return [p.name, p.ranker, task, Format.compact(f.personalParameters.mean), kept, bytes(f.totalBytes.mean),
                    "\(f.servedValuesPerAd) (global: \(f.globalServedValuesPerAd))",
                    "\(f.multiplyAddsPerCandidate) (global: \(f.globalMultiplyAddsPerCandidate))"]
        }
        return ReportSection(
            id: "footprint", title: "What do the personal blocks cost to deploy?",
            lead: perAdgroup
                ? "Counted from the ranker's data structures, per task — an adgroup, whose ads share its personal block: the personal parameters, the bytes kept per adgroup (the adapted bias and the ring of recent impressions it re-adapts on) and per ad (its served row), their total over the world (entrants included, mean over replicates), and what scoring one candidate reads and computes, next to the global model's served row."
                : "Counted from the ranker's data structures, per ad (each ad is one task): the personal parameters, the bytes kept per ad (the served row, the adapted bias and the ring of recent impressions it re-adapts on), their total over the world's ads (entrants included, mean over replicates), and what scoring one candidate reads and computes, next to the global model's served row.",
            figures: [],
            tables: [ReportTable(header: ["policy", "ranker", perAdgroup ? "personal parameters per task" : "personal parameters per ad",
                                          "personal parameters in all", perAdgroup ? "bytes kept" : "bytes per ad",
                                          "bytes in all", "values served per candidate", "multiply-adds per candidate"], rows: rows)])
    }
}
