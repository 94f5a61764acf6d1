import Marketplace
import Scenario
import Stochastics

extension MarketSimulation {
    // MARK: - Days, budgets, entry, pacing, learning

    /// Whether advertiser `adv` has entered the market (present from the start, or since its entry).
    func entered(_ adv: Int) -> Bool { ledger.accounts[world.rank(of: adv)].entered }

    /// Day `day` begins: budgets refill (prorated on a partial last day) and drift moves.
    mutating func startDay(_ day: Int) {
        let start = Double(day) * 86_400
        let share = arrivals.share(from: start, to: min(start + 86_400, horizon))
        let driftScale = scenario.truth.drift
        let accounts = ledger.accounts
        // In account order (each advertiser's update is independent of the others').
        for r in 0..<accounts.count {
            let adv = Int(world.rankAdvertiser[r])
            if day > 0 && driftScale > 0 {
                accounts[r].drift += driftScale * driftNoise.gaussian(UInt64(adv), UInt64(day))
            }
            guard accounts[r].entered else { continue }
            tallies.recordOverspend(-accounts[r].remaining)
            let cap = ledger.openBudget(rank: r, share: share)
            tallies.recordBudget(advertiser: adv, cap: cap)
            tallies.adgroups?.recordBudget(rank: r, dayCap: cap)
        }
    }

    /// An advertiser enters: its ads join retrieval and it gets the rest of today's budget.
    mutating func enter(_ adv: Int) {
        let r = world.rank(of: adv)
        ledger.accounts[r].entered = true
        explorer.enter(advertiser: adv, world)
        disparity.activeAds[Int(world.advertiserTier[adv])] += Double(world.adCount[adv])
        disparity.activeAds[disparity.tiers] += Double(world.adCount[adv])
        fairness.enter(advertiser: adv, world: world)
        tallies.recordEntry(hoursLeft: Int(((horizon - queue.now) / 3600).rounded(.up)))
        activeAds += Int(world.adCount[adv])
        ranker.enter(advertiser: adv, now: queue.now)
        let dayEnd = min((Double(Int(queue.now / 86_400)) + 1) * 86_400, horizon)
        let cap = ledger.openBudget(rank: r, share: arrivals.share(from: queue.now, to: dayEnd))
        tallies.recordBudget(advertiser: adv, cap: cap)
        tallies.adgroups?.recordBudget(rank: r, dayCap: cap)
        tallies.adgroups?.recordEntry(rank: r)
    }

    /// The pacing tick: the bidders' controllers compare the interval's spend with its share of
    /// the daily budget.
    mutating func updatePacing(interval: Double) {
        let share = arrivals.share(from: queue.now - interval, to: queue.now)
        guard share > 0 else { return }
        if scenario.pacing.kind != .none { bidders.updatePacing(share: share, ledger: ledger, prefetching: plan.prefetchRecords) }
        if autobidding { autobidders.update(share: share, intervalHours: interval / 3600, ledger: ledger) }
    }

    /// An advertiser review (`AdvertiserReviews`): leavers leave the disparity ledger — their ads
    /// and the exposure they received — so exposure per active ad describes the advertisers still
    /// in the market (otherwise a tier losing advertisers would look over-exposed to FairCo).
    mutating func review() {
        let left = reviews!.review(now: queue.now, world: world, ledger: ledger, tallies: &tallies)
        for r in left {
            let adv = Int(world.rankAdvertiser[r]), ads = Double(world.adCount[adv]), tier = Int(world.advertiserTier[adv])
            let exposure = tallies.tallies[r].exposure
            disparity.activeAds[tier] -= ads
            disparity.exposure[tier] -= exposure
            if world.isNew[adv] {
                disparity.activeAds[disparity.tiers] -= ads
                disparity.exposure[disparity.tiers] -= exposure
            }
        }
        reviews!.snapshot(day: queue.now / 86_400, world: world, ledger: ledger, revenue: tallies.revenue)
    }

    /// The model-update tick: popularity retrieval rebuilds its index; the ranker retrains on the
    /// feedback since the last tick (personal blocks are meta-updated and re-adapted).
    mutating func updateModel() {
        modelUpdates += 1
        if scenario.placement.retrieval == .popularity {
            retriever.rebuildPopularity(activeAds: activeAds, world: world, logged: tallies.adTallies)
        }
        guard R.learns else { return }
        ranker.modelUpdate(now: queue.now,
                           trainingSeed: deriveSeed(scenario.seed, replicate: replicate, stream: "learning-update-\(modelUpdates)"),
                           metaSeed: deriveSeed(scenario.seed, replicate: replicate, stream: "meta-update-\(modelUpdates)"))
    }
}
