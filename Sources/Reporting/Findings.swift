import Simulation
import Stochastics

/// One finding: a sentence, the policy it is about, and the size used to rank it.
public struct Finding: Sendable, Equatable {
    public var policy: String
    public var text: String
    /// The effect in percent (points or relative change), for ranking; 0 for an inconclusive one.
    public var size: Double
    /// About a reference policy (the oracle ranker) that cannot be deployed.
    public var reference: Bool
}

/// Plain-language findings from a summary: only differences whose interval excludes zero, and the
/// revenue verdict of every policy ("inconclusive" when its interval spans zero).
public enum Findings {
    /// How many findings the report shows before "more findings".
    public static let shown = 5

    /// Every finding, deployable policies' first, each group by size of effect (largest first).
    public static func ranked(_ s: RunSummary) -> [Finding] {
        let all = collect(s)
        return all.filter { !$0.reference }.sorted(by: larger) + all.filter(\.reference).sorted(by: larger)
    }

    static func larger(_ a: Finding, _ b: Finding) -> Bool { a.size > b.size }

    /// The findings' sentences in ranked order (for the terminal and tests).
    public static func list(_ s: RunSummary) -> [String] { ranked(s).map(\.text) }

    static func collect(_ s: RunSummary) -> [Finding] {
        guard let base = s.policies.first else { return [] }
        // One replicate has no intervals: no difference can be called a change.
        guard s.scenario.replicates >= 2 else { return [] }
        let groups = s.scenario.tiers + [RunSummary.newGroup]
        var out: [Finding] = []
        for p in s.policies.dropFirst() {
            guard let cmp = p.vsBaseline else { continue }
            let reference = p.ranker == "oracle"
            func add(_ text: String, _ size: Double) { out.append(Finding(policy: p.name, text: text, size: size.isFinite ? abs(size) : 0, reference: reference)) }
            for g in groups {
                guard let d = cmp.tiers[g]?.spendDelivery, d.excludesZero,
                      let from = base.tiers[g]?.spendDelivery.mean, let to = p.tiers[g]?.spendDelivery.mean else { continue }
                let verb = d.mean > 0 ? "raised" : "lowered"
                let who = g == RunSummary.newGroup ? "new-advertiser" : "\(g)-tier"
                add("**\(p.name)** \(verb) \(who) spend delivery from \(Format.percent(from)) to \(Format.percent(to)), \(Format.pointsEstimate(d)), compared with \(base.name).", d.mean * 100)
            }
            // Exposure shares of the tiers add up to 100%: one tier's gain is another's loss, so
            // only the focus tier and new advertisers are reported.
            for g in [ReportText.focusTier(s), RunSummary.newGroup] {
                guard let d = cmp.tiers[g]?.exposureShare, d.excludesZero,
                      let from = base.tiers[g]?.exposureShare.mean, let to = p.tiers[g]?.exposureShare.mean else { continue }
                let who = g == RunSummary.newGroup ? "new advertisers'" : "the \(g) tier's"
                add("**\(p.name)** \(d.mean > 0 ? "raised" : "lowered") \(who) exposure share from \(Format.percent(from)) to \(Format.percent(to)), \(Format.pointsEstimate(d)), compared with \(base.name).", d.mean * 100)
            }
            if let d = cmp.newAdsWithClick, d.excludesZero {
                add("**\(p.name)** \(d.mean > 0 ? "raised" : "lowered") the share of new ads with a click from \(Format.percent(base.exploration.newAdsWithClick.mean)) to \(Format.percent(p.exploration.newAdsWithClick.mean)), \(Format.pointsEstimate(d)).", d.mean * 100)
            }
            if let d = cmp.hoursToFirstClick, d.excludesZero, base.exploration.hoursToFirstClick.mean > 0 {
                add("**\(p.name)**: new ads got their first click \(String(format: "%.1f", abs(d.mean))) hours \(d.mean < 0 ? "sooner" : "later") (\(String(format: "%.1f → %.1f h; %+.1f to %+.1f", base.exploration.hoursToFirstClick.mean, p.exploration.hoursToFirstClick.mean, d.lower, d.upper))) than under \(base.name).",
                    d.mean / base.exploration.hoursToFirstClick.mean * 100)
            }
            for (name, c) in cmp.cohorts.sorted(by: { $0.key < $1.key }) where cmp.cohorts.count > 1 {
                let objective = p.cohorts[name]?.objective ?? "clicks"
                let (what, e) = objective == "order-value" ? ("order value", c.orderValueRelative)
                    : objective == "conversions" ? ("conversions", c.conversionsRelative) : ("clicks", c.clicksRelative)
                guard e.excludesZero else { continue }
                add("**\(p.name)** \(e.mean > 0 ? "raised" : "lowered") the \(name) cohort's \(what) by \(String(format: "%.1f%%", abs(e.mean) * 100)), \(Format.relativeEstimate(e)), compared with \(base.name).", e.mean * 100)
            }
            if let gained = p.exploration.hitsGained, let baseline = p.exploration.costBaseline, gained.excludesZero {
                let baseHits = s.policies.first { $0.name == baseline }?.exploration.hitsFound.mean ?? 0
                add("**\(p.name)** found \(String(format: "%.1f", abs(gained.mean))) \(gained.mean > 0 ? "more" : "fewer") new hits per run (\(String(format: "%+.1f to %+.1f", gained.lower, gained.upper))) than \(baseline): new ads of top-quartile quality that reached regular traffic.",
                    baseHits > 0 ? gained.mean / baseHits * 100 : gained.mean)
            }
            if let rc = p.rankerComparison {
                for g in groups {
                    guard let d = rc.tiers[g]?.logloss, d.excludesZero else { continue }
                    let who = g == RunSummary.newGroup ? "new advertisers'" : "the \(g) tier's"
                    let level = s.policies.first { $0.name == rc.baseline }?.tiers[g]?.logloss?.mean ?? 0
                    add("**\(p.name)** predicted \(who) clicks \(d.mean < 0 ? "better" : "worse") than \(rc.baseline): log-loss \(Format.signedEstimate(d)), paired per replicate.",
                        level > 0 ? d.mean / level * 100 : 0)
                }
            }
            if let dy = p.dynamics, let bd = base.dynamics {
                for g in s.scenario.tiers {
                    guard let d = dy.retentionVsBaseline?[g], d.excludesZero,
                          let from = bd.retention[g]?.last?.mean, let to = dy.retention[g]?.last?.mean else { continue }
                    add("**\(p.name)** kept \(String(format: "%.1f", abs(d.mean) * 100)) pp \(d.mean > 0 ? "more" : "fewer") of the \(g) tier's advertisers in the market to the end (\(Format.percent(from)) → \(Format.percent(to)); \(Format.pointsEstimate(d))) than \(base.name).",
                        d.mean * 100)
                }
                if let lost = dy.revenueLostToChurn, let baseLost = bd.revenueLostToChurn {
                    add("**\(p.name)** lost \(Format.percent(lost.mean)) of its revenue to churn (\(Format.percent(lost.lower)) to \(Format.percent(lost.upper))), against \(Format.percent(baseLost.mean)) under \(base.name).",
                        0)
                }
            }
            let r = cmp.revenueRelative
            add(revenueSentence(policy: p.name, baseline: base.name, r: r, replicates: s.scenario.replicates), r.excludesZero ? r.mean * 100 : 0)
        }
        return out
    }

    /// The revenue finding: a change when the interval excludes zero, else "inconclusive" with the
    /// replicates that would resolve a change of the observed size (`Estimate.replicatesToResolve`).
    /// `replicates` is the run's count (an estimate read back from metrics.json does not carry it);
    /// the replicates the estimate dropped are taken off.
    public static func revenueSentence(policy: String, baseline: String, r: Estimate, replicates: Int) -> String {
        var r = r
        r.count = replicates - r.dropped
        if r.excludesZero {
            return "**\(policy)** \(r.mean > 0 ? "earned" : "cost") \(String(format: "%.1f%%", abs(r.mean) * 100)) \(r.mean > 0 ? "more" : "of") revenue, \(Format.relativeEstimate(r)), compared with \(baseline)."
        }
        let start = "**\(policy)**: revenue change against \(baseline) inconclusive, \(Format.relativeEstimate(r)) over \(r.count) replicates"
        guard let n = r.replicatesToResolve() else {
            return start + (r.mean == 0 || r.count < 2 ? "." : "; a change this small would take more than 100,000 replicates to tell from zero.")
        }
        return start + "; if the change is \(String(format: "%+.1f%%", r.mean * 100)), about \(n) replicates would tell it from zero."
    }
}
