import Marketplace
import Scenario
import Stochastics

/// Purposes of counter-based uniforms, mixed into the ad counter so they never collide.
enum UniformPurpose: UInt64 {
    case click = 0, conversion = 1, conversionDelay = 2, throttle = 3
}

extension MarketSimulation {
    /// One request: user → retrieval → ranking → auction → responses → metrics.
    ///
    /// Allocation-free: every buffer was sized at start-up.
    mutating func handleRequest() {
        requestId &+= 1
        metrics.requests += 1
        let cohort = user.withUnsafeMutableBufferPointer { users.draw(traffic, into: $0) }
        let start = traffic.integer(below: max(activeAds, 1))
        guard activeAds > 0 else { return }
        let n = retrieve(start: start)
        guard n > 0 else { return }
        score(count: n, objective: policy.objective ?? scenario.cohorts[cohort].objective)
        let filled = runAuction(count: n)
        respond(filled: filled, cohort: cohort)
    }

    /// Eligible candidates from a window of the shuffled retrieval order: budget left, not
    /// throttled, one ad per advertiser, at most `maxCandidates`, scanning at most 4× that.
    mutating func retrieve(start: Int) -> Int {
        let limit = candidates.count
        let scanLimit = min(activeAds, 4 * limit)
        let throttle = scenario.pacing.kind == .throttle
        let multiplicative = scenario.pacing.kind == .multiplicative
        var n = 0, scanned = 0
        while n < limit && scanned < scanLimit {
            let ad = Int(world.retrievalOrder[(start + scanned) % activeAds])
            scanned += 1
            let adv = Int(world.adAdvertiser[ad])
            if seenAt[adv] == requestId { continue }
            let remaining = dayCap[adv] - spentToday[adv]
            if remaining <= 0 { continue }
            if throttle && response.uniform(requestId, UInt64(adv) << 2 | UniformPurpose.throttle.rawValue) >= throttles[adv].participation {
                continue
            }
            seenAt[adv] = requestId
            candidates[n] = ad
            let shaded = multiplicative ? pacers[adv].bid(world.bid[adv]) : world.bid[adv]
            bids[n] = min(shaded, remaining)
            n += 1
        }
        return n
    }

    /// Predicted click rate and auction quality (what one click is worth to the objective).
    mutating func score(count n: Int, objective: Objective) {
        let useTruth = ranker == nil
        if !useTruth { user.withUnsafeBufferPointer { ranker!.prepare(user: $0) } }
        user.withUnsafeBufferPointer { u in
            for i in 0..<n {
                let ad = candidates[i], adv = Int(world.adAdvertiser[ad])
                let ctr: Double, cvr: Double
                if useTruth {
                    ctr = world.clickProbability(ad: ad, user: u, drift: drift[adv])
                    cvr = world.conversionProbability(advertiser: adv)
                } else {
                    ctr = ranker!.clickProbability(ad: ad, world: world)
                    cvr = ranker!.conversionProbability(ad: ad)
                }
                predicted[i] = ctr
                switch objective {
                case .clicks: quality[i] = ctr
                case .conversions: quality[i] = ctr * cvr
                case .orderValue: quality[i] = ctr * cvr * world.valuePerConversion[adv]
                }
            }
        }
    }

    mutating func runAuction(count n: Int) -> Int {
        bids.withUnsafeBufferPointer { b in
            quality.withUnsafeBufferPointer { q in
                examination.withUnsafeBufferPointer { w in
                    auction.run(scenario.auction.mechanism, reserve: scenario.auction.reserve,
                          bids: UnsafeBufferPointer(rebasing: b[0..<n]), quality: UnsafeBufferPointer(rebasing: q[0..<n]),
                          weights: w)
                }
            }
        }
    }

    /// Shows the winners, draws clicks and conversions from the true model, schedules charges.
    mutating func respond(filled: Int, cohort: Int) {
        let hour = Int(queue.now / 3600)
        let newGroup = metrics.tierCount
        let delayMean = scenario.truth.conversionDelayHours * 3600
        for r in 0..<filled {
            let slot = auction.winners[r]
            let ad = candidates[slot], adv = Int(world.adAdvertiser[ad])
            let tier = Int(world.advertiserTier[adv]), isNew = world.isNew[adv]
            let e = examination[r]
            let trueCTR = ranker == nil ? predicted[slot]
                : user.withUnsafeBufferPointer { world.clickProbability(ad: ad, user: $0, drift: drift[adv]) }
            let adKey = UInt64(ad) << 2
            let clicked = response.uniform(requestId, adKey | UniformPurpose.click.rawValue) < e * trueCTR
            metrics.impressions[adv] += 1
            metrics.cohortImpressions[cohort] += 1
            metrics.exposure[adv] += e
            metrics.addHourly(\.hourlyExposure, hour: hour, tier: tier, isNew: isNew, amount: e)
            metrics.prediction[tier].record(e * predicted[slot], outcome: clicked)
            if isNew {
                metrics.prediction[newGroup].record(e * predicted[slot], outcome: clicked)
                let age = min(Int((queue.now - world.entryTime[adv]) / 3600), metrics.rampImpressions.count - 1)
                metrics.rampImpressions[age] += 1
            }
            if ranker != nil {
                user.withUnsafeBufferPointer { feedback.append(ad: ad, user: $0, examination: e, clicked: clicked) }
            }
            guard clicked else { continue }
            metrics.cohortClicks[cohort] += 1
            queue.schedule(at: queue.now, .click(ad: Int32(ad), price: auction.prices[r]))
            if response.uniform(requestId, adKey | UniformPurpose.conversion.rawValue) < world.conversionProbability(advertiser: adv) {
                let delay = response.exponential(mean: delayMean, requestId, adKey | UniformPurpose.conversionDelay.rawValue)
                queue.schedule(at: queue.now + delay, .conversion(ad: Int32(ad), cohort: Int32(cohort)))
            }
        }
    }
}
