import Stochastics

/// Everything one (policy, replicate) run produced, ready to aggregate and write out.
public struct CellResult: Sendable {
    public var policy: Int
    public var replicate: Int
    public var advertiserTier: [Int32]
    public var advertiserIsNew: [Bool]
    public var metrics: CellMetrics

    public var revenue: Double { metrics.spend.reduce(0, +) }
    /// Value of conversions minus spend, summed over advertisers.
    public var welfare: Double { metrics.value.reduce(0, +) - revenue }
    /// Share of new ads that got a click (NaN without new ads).
    public var newAdsWithClickShare: Double { metrics.newAds > 0 ? metrics.newAdsWithClick / metrics.newAds : .nan }
}

/// Totals of one group of advertisers (a tier, or the new entrants) in one run.
public struct GroupTotals: Sendable {
    public var advertisers = 0
    public var budget = 0.0, spend = 0.0, impressions = 0.0, exposure = 0.0
    public var clicks = 0.0, conversions = 0.0, value = 0.0
    public var logLoss: Double?
    public var auc: Double?
    public var calibration: Double?

    public var spendDelivery: Double { budget > 0 ? spend / budget : .nan }
}

extension CellResult {
    /// Totals for tier `t`, or for new advertisers when `t == tierCount`.
    public func totals(group t: Int) -> GroupTotals {
        var g = GroupTotals()
        let m = metrics
        for a in 0..<advertiserTier.count where t == m.tierCount ? advertiserIsNew[a] : Int(advertiserTier[a]) == t {
            guard m.budget[a] > 0 else { continue }  // never active during the run
            g.advertisers += 1
            g.budget += m.budget[a]; g.spend += m.spend[a]; g.impressions += m.impressions[a]
            g.exposure += m.exposure[a]; g.clicks += m.clicks[a]; g.conversions += m.conversions[a]; g.value += m.value[a]
        }
        g.logLoss = m.prediction[t].logLoss
        g.auc = m.prediction[t].auc
        g.calibration = m.prediction[t].calibration
        return g
    }

    /// Exposure-for-merit disparity between tiers, cumulative from the start to the end of each
    /// hour, with true and with estimated merit (the time path of `fairness.disparity`).
    public var disparityPath: [(true: Double, estimated: Double)] {
        let m = metrics, width = m.tierCount + 1
        var state = DisparityLedger(tiers: m.tierCount)
        var path: [(Double, Double)] = []
        for h in 0..<m.hours {
            for g in 0..<width {
                state.exposure[g] += m.hourlyExposure[h * width + g]
                state.meritTrue[g] += m.hourlyMeritTrue[h * width + g]
                state.meritEstimated[g] += m.hourlyMeritEstimated[h * width + g]
                state.meritCount[g] += m.hourlyMeritCount[h * width + g]
                if m.hourlyActiveAds[h * width + g] > 0 { state.activeAds[g] = m.hourlyActiveAds[h * width + g] }
            }
            path.append((state.disparity(estimated: false), state.disparity(estimated: true)))
        }
        return path
    }

    /// Total position-weighted exposure over all advertisers.
    public var totalExposure: Double { metrics.exposure.reduce(0, +) }

    /// Exposure of every advertiser that was active during the run (for Gini and Jain).
    public var activeExposures: [Double] {
        (0..<advertiserTier.count).filter { metrics.budget[$0] > 0 }.map { metrics.exposure[$0] }
    }
}
