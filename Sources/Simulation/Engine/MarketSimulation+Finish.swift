import Marketplace
import Stochastics

extension MarketSimulation {
    // MARK: - The end of the run

    /// The run's result: the sink's counters, then the end-of-run figures — discovery of new ads,
    /// disparity, the floor's attainment.
    mutating func finish() -> CellResult {
        for adv in 0..<world.advertiserCount where entered(adv) {
            tallies.recordOverspend(-ledger.accounts[world.rank(of: adv)].remaining)
        }
        var metrics = tallies.finish(rankAdvertiser: world.rankAdvertiser)
        metrics.adgroupCount = world.adgroupCountTotal
        finishDiscovery(&metrics)
        metrics.disparity = disparity.disparity(estimated: false)
        metrics.disparityEstimated = disparity.disparity(estimated: true)
        metrics.disparityNew = disparity.disparityNew()
        metrics.treatmentRatio = disparity.treatmentRatio()
        if F.floors { (metrics.floorWindows, metrics.floorWindowsMet) = fairness.floorAttainment(metrics) }
        if var reviews {
            if reviews.series.days.last.map({ $0 * 86_400 < horizon - 1e-6 }) ?? true {
                reviews.snapshot(day: horizon / 86_400, world: world, ledger: ledger, revenue: tallies.revenue)
            }
            metrics.dynamics = reviews.series
        }
        if autobidding {
            let (bids, targets) = autobidders.finalState()
            var bid = [Double](repeating: .nan, count: world.advertiserCount), target = bid
            for r in 0..<bids.count { bid[Int(world.rankAdvertiser[r])] = bids[r]; target[Int(world.rankAdvertiser[r])] = targets[r] }
            metrics.autobidding = AutobidOutcome(bidPerConversion: bid, target: target,
                                                 candidacies: autobidders.candidacies, bidSum: autobidders.bidSum)
        }
        return CellResult(policy: policyIndex, replicate: replicate, advertiserTier: world.advertiserTier,
                          advertiserIsNew: world.isNew, metrics: metrics)
    }

    /// Hits found and the explorer's graduation counts.
    ///
    /// A hit is a new ad whose true quality (advertiser + ad click-logit offset) is in the top
    /// quartile of all ads, that has been live at least a day, and that reached regular traffic:
    /// its rate of impressions won in regular auctions is at least the median rate of the
    /// established ads of its tier.
    func finishDiscovery(_ metrics: inout CellMetrics) {
        var quality: [Double] = []
        quality.reserveCapacity(world.adCountTotal)
        for ad in 0..<world.adCountTotal { quality.append(world.clickLogit[Int(world.adAdvertiser[ad])] + world.adLogit[ad]) }
        let topQuartile = Statistics.quantile(quality, 0.75)
        var establishedRates = Array(repeating: [Double](), count: world.tierNames.count)
        for ad in 0..<world.adCountTotal where !world.isNew[Int(world.adAdvertiser[ad])] {
            establishedRates[Int(world.advertiserTier[Int(world.adAdvertiser[ad])])].append(metrics.adRegularImpressions[ad] / horizon)
        }
        let medianRate = establishedRates.map { $0.isEmpty ? 0 : Statistics.quantile($0, 0.5) }
        var clickHours: [Double] = [], conversionHours: [Double] = []
        for ad in 0..<world.adCountTotal where world.isNew[Int(world.adAdvertiser[ad])] && entered(Int(world.adAdvertiser[ad])) {
            let adv = Int(world.adAdvertiser[ad]), entry = world.entryTime[adv], age = horizon - entry
            if quality[ad] >= topQuartile, age >= Self.hitMinimumAge,
               metrics.adRegularImpressions[ad] / age >= medianRate[Int(world.advertiserTier[adv])] {
                metrics.hitsFound += 1
            }
            metrics.newAds += 1
            if !metrics.adFirstClick[ad].isNaN { clickHours.append((metrics.adFirstClick[ad] - entry) / 3600) }
            if !metrics.adFirstConversion[ad].isNaN { conversionHours.append((metrics.adFirstConversion[ad] - entry) / 3600) }
        }
        metrics.newAdsWithClick = Double(clickHours.count)
        if !clickHours.isEmpty { metrics.hoursToFirstClick = Statistics.mean(clickHours) }
        if !conversionHours.isEmpty { metrics.hoursToFirstConversion = Statistics.mean(conversionHours) }
        if X.explores {
            (metrics.graduations, metrics.poolAds) = explorer.discovery(world: world, entered: entered)
        }
    }
}
