import Marketplace
import Scenario
import Stochastics

/// How one tier's autobidders did under a policy (metrics.json `policies[].autobidding.<tier>`),
/// every figure a mean over replicates with its 95% interval.
public struct AutobiddingSummary: Sendable, Codable {
    /// `max-conversions`, `target-cpa` or `target-roas`.
    public var strategy: String
    /// The CPA (money per conversion) or ROAS (value ÷ spend) target; absent for max-conversions.
    public var target: Double?
    /// The tier's spend ÷ its conversions, and the value of its conversions ÷ its spend.
    public var realisedCPA: Estimate
    public var realisedROAS: Estimate
    /// Share of the tier's autobidders that spent something and met their goal within ±10%: cost
    /// per conversion within 10% of the target per conversion (target-CPA; target-ROAS on value ÷
    /// ROAS target), or at least 90% of their budget spent (max-conversions).
    public var withinTarget: Estimate
    /// AuctionNet's score summed over the tier: conversions × min(1, (target ÷ realised CPA)²)
    /// (conversions alone for max-conversions).
    public var auctionNetScore: Estimate
    /// The bid landscape: mean bid per click of the tier's candidacies, mean price per click paid,
    /// impressions per candidacy, and the median bid per conversion at the end.
    public var bidPerClick: Estimate
    public var costPerClick: Estimate
    public var winRate: Estimate
    public var bidPerConversion: Estimate
}

extension PolicyRuns {
    /// Per tier with autobidders under policy `p`: their summary (nil when nobody autobids).
    func autobidding(_ p: Int) -> [String: AutobiddingSummary]? {
        guard scenario.autobids(policy: p) else { return nil }
        var out: [String: AutobiddingSummary] = [:]
        for (t, tier) in scenario.tiers.enumerated() {
            let bidding = scenario.bidding(policy: p, tier: t)
            guard bidding.strategy.autobids else { continue }
            var cpa: [Double] = [], roas: [Double] = [], within: [Double] = [], score: [Double] = []
            var bidPerClick: [Double] = [], cpc: [Double] = [], win: [Double] = [], perConversion: [Double] = []
            for run in byPolicy[p] {
                let m = run.metrics
                guard let a = m.autobidding else { continue }
                var spend = 0.0, conversions = 0.0, value = 0.0, clicks = 0.0, impressions = 0.0, met = 0.0, counted = 0.0, total = 0.0
                var bids: [Double] = []
                for adv in 0..<run.advertiserTier.count where Int(run.advertiserTier[adv]) == t && m.budget[adv] > 0 {
                    spend += m.spend[adv]; conversions += m.conversions[adv]; value += m.value[adv]
                    clicks += m.clicks[adv]; impressions += m.impressions[adv]
                    if a.bidPerConversion[adv].isFinite { bids.append(a.bidPerConversion[adv]) }
                    let realised = m.conversions[adv] > 0 ? m.spend[adv] / m.conversions[adv] : .infinity
                    if a.target[adv].isFinite {
                        total += auctionNetScore(conversions: m.conversions[adv], target: a.target[adv], realisedCPA: realised)
                    } else {
                        total += m.conversions[adv]
                    }
                    guard m.spend[adv] > 0 else { continue }
                    counted += 1
                    if a.target[adv].isFinite {
                        if realised.isFinite && abs(realised / a.target[adv] - 1) <= 0.1 { met += 1 }
                    } else if m.spend[adv] >= 0.9 * m.budget[adv] {
                        met += 1
                    }
                }
                cpa.append(conversions > 0 ? spend / conversions : .nan)
                roas.append(spend > 0 ? value / spend : .nan)
                within.append(counted > 0 ? met / counted : .nan)
                score.append(total)
                bidPerClick.append(a.candidacies[t] > 0 ? a.bidSum[t] / a.candidacies[t] : .nan)
                cpc.append(clicks > 0 ? spend / clicks : .nan)
                win.append(a.candidacies[t] > 0 ? impressions / a.candidacies[t] : .nan)
                perConversion.append(bids.isEmpty ? .nan : Statistics.quantile(bids, 0.5))
            }
            let target: Double?
            switch bidding.strategy {
            case .targetCPA(let x), .targetROAS(let x): target = x
            default: target = nil
            }
            out[tier.name] = AutobiddingSummary(
                strategy: bidding.strategy.name, target: target,
                realisedCPA: Statistics.estimate(cpa), realisedROAS: Statistics.estimate(roas),
                withinTarget: Statistics.estimate(within), auctionNetScore: Statistics.estimate(score),
                bidPerClick: Statistics.estimate(bidPerClick), costPerClick: Statistics.estimate(cpc),
                winRate: Statistics.estimate(win), bidPerConversion: Statistics.estimate(perConversion))
        }
        return out
    }
}
