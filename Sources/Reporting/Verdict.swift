import Foundation
import Simulation
import Stochastics

/// The answer first: for each deployable policy, its paired change against the baseline on the
/// metrics a scenario about small and new advertisers is about, in plain words.
///
/// A change is called only when its 95% interval excludes zero; otherwise the line says
/// "inconclusive" with the replicates that would tell a change of the observed size from zero
/// (`Estimate.replicatesToResolve`). The oracle ranker is never in a verdict: it is a reference.
public struct PolicyVerdict: Sendable {
    public var policy: String
    public var baseline: String
    public var lines: [VerdictLine]

    /// One sentence: what got better, what got worse, what the replicates cannot tell.
    public var headline: String {
        func names(_ s: VerdictLine.Status) -> [String] { lines.filter { $0.status == s }.map(\.shortName) }
        var parts: [String] = []
        let better = names(.better), worse = names(.worse), open = names(.inconclusive)
        if !better.isEmpty { parts.append("better for \(Self.list(better))") }
        if !worse.isEmpty { parts.append("worse for \(Self.list(worse))") }
        if !open.isEmpty { parts.append("inconclusive on \(Self.list(open))") }
        return "**\(policy)** against \(baseline): " + (parts.isEmpty ? "nothing measured." : parts.joined(separator: "; ") + ".")
    }

    static func list(_ items: [String]) -> String {
        items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " and " + items.last!
    }
}

/// One metric of a verdict: baseline value, policy value, and the paired change.
public struct VerdictLine: Sendable {
    public enum Status: String, Sendable { case better, worse, inconclusive }
    public enum Unit: Sendable { case points, relative, hours }

    /// "Small advertisers' spend delivery".
    public var metric: String
    /// "small advertisers' delivery", for the headline.
    public var shortName: String
    /// Glossary entry the metric links to.
    public var glossary: String
    public var from: String
    public var to: String
    public var change: Estimate
    public var unit: Unit
    public var status: Status
    /// Replicates that would resolve an inconclusive change of the observed size (nil: more than 100,000, or none needed).
    public var replicatesNeeded: Int?

    /// The line in words, with `**` around the verdict word.
    public var text: String {
        let changeText: String
        switch unit {
        case .points: changeText = Format.pointsEstimate(change)
        case .relative: changeText = Format.relativeEstimate(change)
        case .hours: changeText = String(format: "%+.1f h (%+.1f to %+.1f)", change.mean, change.lower, change.upper)
        }
        var s = "\(metric): \(from) → \(to), \(changeText): **\(status.rawValue)**"
        if status == .inconclusive {
            if change.count < 2 {
                s += "; one replicate gives no interval (run with --replicates 2 or more)"
            } else if let n = replicatesNeeded {
                s += "; about \(Format.grouped(Double(n))) replicates would resolve it"
            } else if change.mean != 0 && change.count > 1 {
                s += "; more than 100,000 replicates would be needed to resolve it"
            }
        }
        return s + "."
    }
}

public enum Verdict {
    /// The verdicts of every deployable policy after the first (the baseline); empty when the
    /// baseline is the only deployable policy.
    public static func build(_ s: RunSummary) -> [PolicyVerdict] {
        guard let base = s.policies.first else { return [] }
        let tier = ReportText.focusTier(s)
        let currency = s.scenario.currency ?? "money units"
        let entrants = ReportText.hasEntrants(s)
        let period = "over \(Format.number(s.scenario.days)) days"
        return s.policies.dropFirst().filter { $0.ranker != "oracle" }.compactMap { p -> PolicyVerdict? in
            guard let cmp = p.vsBaseline else { return nil }
            var lines: [VerdictLine] = []
            func add(_ metric: String, _ short: String, _ glossary: String, _ from: String, _ to: String, _ change: Estimate?,
                     _ unit: VerdictLine.Unit, lowerIsBetter: Bool = false) {
                guard var change, change.mean.isFinite else { return }
                change.count = s.scenario.replicates - change.dropped
                // One replicate has no interval: nothing can be called a change.
                let status: VerdictLine.Status = change.count < 2 || !change.excludesZero ? .inconclusive
                    : (change.mean > 0) != lowerIsBetter ? .better : .worse
                lines.append(VerdictLine(metric: metric, shortName: short, glossary: glossary, from: from, to: to, change: change, unit: unit,
                                         status: status, replicatesNeeded: status == .inconclusive ? change.replicatesToResolve() : nil))
            }
            func pct(_ e: Estimate?) -> String { e.map { Format.percent($0.mean) } ?? "–" }
            let who = tier.prefix(1).uppercased() + tier.dropFirst()
            add("\(who) advertisers' spend delivery", "\(tier) advertisers' delivery", "spend-delivery",
                pct(base.tiers[tier]?.spendDelivery), pct(p.tiers[tier]?.spendDelivery), cmp.tiers[tier]?.spendDelivery, .points)
            add("\(who) advertisers' exposure share", "\(tier) advertisers' exposure", "exposure-share",
                pct(base.tiers[tier]?.exposureShare), pct(p.tiers[tier]?.exposureShare), cmp.tiers[tier]?.exposureShare, .points)
            if entrants {
                let g = RunSummary.newGroup
                add("New advertisers' spend delivery", "new advertisers' delivery", "spend-delivery",
                    pct(base.tiers[g]?.spendDelivery), pct(p.tiers[g]?.spendDelivery), cmp.tiers[g]?.spendDelivery, .points)
                add("New advertisers' exposure share", "new advertisers' exposure", "exposure-share",
                    pct(base.tiers[g]?.exposureShare), pct(p.tiers[g]?.exposureShare), cmp.tiers[g]?.exposureShare, .points)
                add("New ads with a click", "new ads with a click", "new-ads-with-click",
                    pct(base.exploration.newAdsWithClick), pct(p.exploration.newAdsWithClick), cmp.newAdsWithClick, .points)
                add("Hours from entry to first click", "time to first click", "hours-to-first-click",
                    String(format: "%.1f h", base.exploration.hoursToFirstClick.mean), String(format: "%.1f h", p.exploration.hoursToFirstClick.mean),
                    cmp.hoursToFirstClick, .hours, lowerIsBetter: true)
            }
            if let d = p.dynamics, let b = base.dynamics {
                add("\(who) advertisers still in the market at the end", "\(tier) advertisers retained", "retention",
                    pct(b.retention[tier]?.last), pct(d.retention[tier]?.last), d.retentionVsBaseline?[tier], .points)
            }
            add("Platform revenue", "revenue", "revenue",
                "\(Format.money(base.revenue.mean)) \(currency)", "\(Format.money(p.revenue.mean)) \(currency) \(period)", cmp.revenueRelative, .relative)
            add("Advertiser welfare", "advertiser welfare", "advertiser-welfare",
                "\(Format.money(base.advertiserWelfare.mean))", "\(Format.money(p.advertiserWelfare.mean)) \(currency)", cmp.advertiserWelfareRelative, .relative)
            return PolicyVerdict(policy: p.name, baseline: base.name, lines: lines)
        }
    }

    /// The verdicts for a terminal: a headline per policy and its lines, no Markdown.
    public static func terminal(_ verdicts: [PolicyVerdict]) -> [String] {
        verdicts.flatMap { v in
            [v.headline.replacingOccurrences(of: "**", with: "")] + v.lines.map { "    " + $0.text.replacingOccurrences(of: "**", with: "") }
        }
    }
}
