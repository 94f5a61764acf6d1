import Simulation

/// Every metric the report shows, defined once; table headers and verdict lines link here.
public enum Glossary {
    public struct Entry: Sendable {
        public var id: String
        public var term: String
        public var definition: String
        /// Lower-case fragments of a column header that mean this entry (first match wins).
        var headers: [String]
    }

    /// The entries, with money in `currency` over a run of `days` days.
    /// The entries of `summary`'s run: the autobidding and churn terms only where the run has them.
    public static func entries(for summary: RunSummary, currency: String) -> [Entry] {
        let autobidding = summary.policies.contains { $0.autobidding != nil }, dynamics = summary.policies.contains { $0.dynamics != nil }
        let only: [String: Bool] = ["lost-to-churn": dynamics, "retention": dynamics, "realised-cpa": autobidding,
                                    "within-goal": autobidding, "auctionnet-score": autobidding]
        return entries(currency: currency, days: summary.scenario.days).filter { only[$0.id] ?? true }
    }

    public static func entries(currency: String, days: Double) -> [Entry] {
        let period = "over the whole \(Format.number(days))-day run, not per day"
        return [
            Entry(id: "lost-to-churn", term: "Revenue lost to churn",
                  definition: "(Revenue without churn − revenue) ÷ revenue without churn, paired per replicate: the same policy on the same world and traffic, run again with advertisers who never leave (their budgets still move at reviews).",
                  headers: ["lost to churn"]),
            Entry(id: "revenue", term: "Platform revenue",
                  definition: "What advertisers were charged, in \(currency), \(period). Its change is relative and paired: each replicate's policies saw the same users, so the per-replicate difference removes most traffic noise.",
                  headers: ["revenue"]),
            Entry(id: "advertiser-welfare", term: "Advertiser welfare",
                  definition: "The value of advertisers' conversions minus what they spent, in \(currency), \(period).", headers: ["welfare"]),
            Entry(id: "spend-delivery", term: "Spend delivery",
                  definition: "Spend ÷ budget: the share of their budgets advertisers managed to spend. Low delivery means they wanted traffic and did not get it.",
                  headers: ["spend delivery", "delivery"]),
            Entry(id: "exposure-share", term: "Exposure share",
                  definition: "A group's share of all impressions, each weighted by how often its slot is looked at (the examination probability).",
                  headers: ["exposure share", "share of exposure"]),
            Entry(id: "new-advertisers", term: "New advertisers",
                  definition: "Advertisers that entered during the run. They also belong to a tier, so the `new` column overlaps the tier columns instead of adding to them.",
                  headers: ["new vs established"]),
            Entry(id: "new-ads-with-click", term: "New ads with a click",
                  definition: "The share of new advertisers' ads that got at least one click before the run ended.", headers: ["new ads with a click"]),
            Entry(id: "hours-to-first-click", term: "Hours to first click",
                  definition: "Mean hours from a new ad's entry to its first click, over the new ads that got one. Paired changes compare the per-replicate means, whose ads may differ.",
                  headers: ["hours to first click"]),
            Entry(id: "explored-impressions", term: "Explored impressions",
                  definition: "The share of impressions the explorer handed out. An explorer at rate r takes one slot of the page on a share r of requests (when its pool has an ad), so with k slots about r ÷ k of impressions are explored.",
                  headers: ["explored impressions", "explorer"]),
            Entry(id: "hits", term: "Hits found",
                  definition: "New ads of top-quartile true quality, live at least a day, whose rate of regular-auction impressions reached the median rate of established ads of their tier.",
                  headers: ["hits"]),
            Entry(id: "graduated", term: "Graduated",
                  definition: "Ads that left the explorer's pool for regular traffic ÷ ads ever eligible for the pool.", headers: ["graduated"]),
            Entry(id: "regret", term: "Regret",
                  definition: "Expected clicks (Σ examination × true click rate) the oracle ranker's allocation earned minus this policy's, on the same traffic.",
                  headers: ["regret"]),
            Entry(id: "gini", term: "Exposure Gini",
                  definition: "Inequality of exposure across active advertisers: 0 when all get the same, near 1 when one gets everything.", headers: ["gini"]),
            Entry(id: "jain", term: "Jain index",
                  definition: "(Σx)² ÷ (n·Σx²) over advertisers' exposure: 1 when equal, 1/n when one advertiser gets everything.", headers: ["jain"]),
            Entry(id: "lorenz-shares", term: "Bottom 50% / top 10% hold",
                  definition: "The share of exposure held by the least exposed half of advertisers, and by the most exposed tenth.", headers: ["bottom 50%", "top 10%"]),
            Entry(id: "disparity", term: "Exposure-for-merit disparity",
                  definition: "For each tier, exposure per active ad ÷ merit (mean bid × click rate of its ads among the candidates); the disparity is (max − min) ÷ mean over tiers. 0: every tier is exposed in proportion to its merit. 'True merit' uses the true click rates, 'estimated' the ranker's.",
                  headers: ["disparity"]),
            Entry(id: "treatment-ratio", term: "Treatment ratio",
                  definition: "The largest tier's exposure-for-merit ÷ the smallest's (1 = equal treatment).", headers: ["treatment ratio"]),
            Entry(id: "floor", term: "Floor met in windows",
                  definition: "With an exposure floor: the share of time windows in which the protected group got at least its floor.", headers: ["floor met"]),
            Entry(id: "calibration", term: "Calibration",
                  definition: "Predicted clicks ÷ observed clicks on the impressions the ranker served: 1 is calibrated, above 1 over-predicts, below 1 under-scores the group.",
                  headers: ["calibration"]),
            Entry(id: "auc", term: "AUC",
                  definition: "The probability that the ranker scores a clicked impression above an unclicked one (0.5 = no better than chance).", headers: ["auc"]),
            Entry(id: "log-loss", term: "Log-loss",
                  definition: "Mean negative log-likelihood of the observed clicks under the ranker's predictions; lower is better.", headers: ["log-loss"]),
            Entry(id: "ramp", term: "Ramp-up",
                  definition: "An entrant's cumulative impressions, clicks and spend (in \(currency)) by days since its entry, averaged over entrants.",
                  headers: ["days since entry", "impressions", "clicks", "spend"]),
            Entry(id: "interval", term: "95% interval",
                  definition: "Every figure is a mean over replicates with its 95% t-interval. A change is called better or worse only when its interval excludes zero; otherwise it is inconclusive, and the report says how many replicates would tell a change of the observed size from zero.",
                  headers: []),
            Entry(id: "retention", term: "Retention",
                  definition: "The share of a tier's advertisers present at the start that are still in the market: they have not left at a review (advertiserDynamics). Entrants are not counted.",
                  headers: ["retained"]),
            Entry(id: "realised-cpa", term: "Realised CPA and ROAS",
                  definition: "An autobidding tier's spend ÷ its conversions (cost per acquisition, in \(currency)), and its conversions' value ÷ its spend (return on ad spend), \(period).",
                  headers: ["realised cpa", "realised roas"]),
            Entry(id: "within-goal", term: "Within ±10% of goal",
                  definition: "The share of a tier's autobidders that spent something and landed within 10% of their goal: cost per conversion within ±10% of the target (target-CPA; target-ROAS on value ÷ target) — more than 10% below counts as a miss too, conversions it could have bought —, or at least 90% of the budget spent (max-conversions).",
                  headers: ["within ±10%"]),
            Entry(id: "auctionnet-score", term: "AuctionNet score",
                  definition: "AuctionNet's score summed over a tier's autobidders: conversions × min(1, (target CPA ÷ realised CPA)²), so overshooting the CPA target discounts the conversions quadratically (conversions alone for max-conversions).",
                  headers: ["auctionnet score"]),
        ]
    }

    /// The entry a column header refers to, if any.
    public static func entry(forHeader header: String, in entries: [Entry]) -> Entry? {
        let h = header.lowercased()
        return entries.first { e in e.headers.contains { h.contains($0) } }
    }
}
