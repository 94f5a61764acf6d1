import Marketplace
import Scenario
import Stochastics

/// Counter of the request-level uniform that decides whether a request is explored (outside the
/// range of ad counters, so it never collides with a per-ad uniform).
let explorationCounter: UInt64 = 0xFFFF_FFFF_FFFF_FFF0

extension MarketSimulation {
    /// One request through the stages: traffic → retrieval → explorer → ranker (and the true
    /// rates it is judged by) → fairness control → auction → placement → responses → metrics.
    ///
    /// Allocation-free in the tuned kernel: every buffer was sized at start-up.
    mutating func handleRequest() {
        requestId &+= 1
        tallies.recordRequest()
        let (cohort, start) = takeTraffic()
        if let trace { trace.record(request: requestId, arrival: queue.now, cohort: cohort, start: start, user: request.user) }
        if impressionLog != nil { beginLoggedRequest(cohort: cohort) }
        drawUpcoming(after: queue.now)
        guard activeAds > 0 else { return }
        var n = retriever.retrieve(request, start: start, context: retrievalContext, bidders: bidders, world: world)
        let explored = explore(count: &n)
        guard n > 0 else { return }
        let objective = policy.objective ?? scenario.cohorts[cohort].objective
        let hour = Int(queue.now / 3600)
        disparity.requests += 1
        fairness.beginRequest(hour: hour)
        let measured = requestId % Self.meritSampling == 0
        rank(count: n, cohort: cohort, measured: measured, hour: hour)
        setQuality(0..<n, objective: objective)
        tallies.recordAuction(candidates: n)
        if F.reranks { fairness.rerank(request, count: n, world: world, ledger: disparity) }
        var exploredBid = 0.0
        if explored >= 0 { exploredBid = request.bids[explored]; request.bids[explored] = 0 }
        let filled = runAuction(count: n)
        var placed = place(filled: filled, explored: explored, exploredBid: exploredBid)
        if F.floors { placed = enforceFloor(placed: placed, count: &n, hour: hour, objective: objective, measured: measured) }
        if K.isTuned && plan.prefetchRecords { prefetchImpressions(placed) }
        if !R.ranksOnTruth && !measured { K.trueRatesPlaced(request, placed: placed, response: response, ledger: ledger, plan: plan) }
        respond(placed: placed, cohort: cohort)
    }

    /// What retrieval reads of this request and the market.
    var retrievalContext: RetrievalContext {
        RetrievalContext(requestId: requestId, activeAds: activeAds, maxCandidates: scenario.placement.maxCandidates, uniforms: uniforms,
                         ledger: ledger, upcomingStart: upcoming.likelyStart, upcomingMeasured: upcoming.measured)
    }

    /// The explorer's turn: in a keyed share of requests (the same requests under every policy with
    /// the same rate, nested across rates) it may bring an ad of its pool. Returns the explored
    /// candidate's index, or -1.
    @inline(__always)
    mutating func explore(count n: inout Int) -> Int {
        guard X.explores else { return -1 }
        guard uniforms.uniform(requestId, explorationCounter) < explorer.rate else {
            if impressionLog != nil { logExploration(chosen: nil, attempted: false) }
            return -1
        }
        let ad = explorer.choose(world: world, ledger: ledger)
        if impressionLog != nil { logExploration(chosen: ad, attempted: true) }
        guard let ad else { return -1 }
        return admit(ad, count: &n)
    }

    /// Starts the request's entry in the impression log (out of line, as `logImpression`).
    @inline(never)
    func beginLoggedRequest(cohort: Int) {
        impressionLog?.beginRequest(id: requestId, time: queue.now, cohort: cohort, user: request.user)
    }

    /// The propensities of the request's explorer branch for the impression log (`ImpressionLog`):
    /// not explored (1 − rate, or 1 with an empty pool), explored but nothing to show (1), or
    /// explored with `chosen` (regular impressions rate; the chosen ad rate × the Monte Carlo
    /// probability of the choice, estimated on the state `choose` saw — choosing changes only the
    /// explorer's own stream).
    @inline(never)
    func logExploration(chosen: Int?, attempted: Bool) {
        guard let log = impressionLog else { return }
        let rate = explorer.rate
        guard attempted else { log.regularPropensity = explorer.hasPool ? 1 - rate : 1; return }
        guard let ad = chosen else { log.regularPropensity = 1; return }
        log.regularPropensity = rate
        log.exploredPropensity = rate * explorer.selectionProbability(of: ad, world: world, ledger: ledger,
                                                                      draws: ImpressionLog.draws, stream: propensityStream!)
    }

    /// The rates candidates `0..<n` are ranked on (`request.predicted`, `predictedCVR`): the
    /// ranker's, judged against the true rates where the ranker ranks on them or the request
    /// measures merit; autobidders' per-click bids (from the ranker's pCVR); the fairness
    /// control's rescaling last.
    @inline(__always)
    mutating func rank(count n: Int, cohort: Int, measured: Bool, hour: Int) {
        if R.ranksOnTruth || measured { K.trueRates(request, count: n, response: response, ledger: ledger) }
        ranker.prepare(user: UnsafeBufferPointer(request.user), cohort: cohort)
        ranker.score(request, 0..<n, kernel: K.self)
        if autobidding { autobidders.bid(request, 0..<n, ledger: ledger) }
        if measured {
            for i in 0..<n { addMerit(i) }
            flushMerit(hour: hour)
        }
        if F.rescalesRates { for i in 0..<n { rescale(i) } }
    }

    /// Scores a candidate admitted after the request's batch (an exposure-floor ad) alone, the way
    /// the batch was: true rate, the ranker's prediction, merit, rescaling.
    mutating func rankLate(_ i: Int, measured: Bool, hour: Int) {
        request.trueRate[i] = response.withTruth { K.trueRate(request, i, truth: $0, response: response, ledger: ledger) }
        ranker.score(request, i..<(i + 1), kernel: K.self)
        if autobidding { autobidders.bid(request, i..<(i + 1), ledger: ledger) }
        if measured {
            addMerit(i)
            flushMerit(hour: hour)
        }
        if F.rescalesRates { rescale(i) }
    }

    /// Adds candidate `i`'s true and estimated merit (bid × click rate) to its groups' sums for
    /// this request (`request.requestMerit`). The bid is the advertiser's per-click bid before
    /// pacing and the budget cap: the world's for fixed-CPC, pCVR × bid per conversion for an autobidder.
    @inline(__always)
    func addMerit(_ i: Int) {
        let account = ledger.accounts[ledger.rank(position: request.candidatePosition[i])]
        let tier = Int(account.tier), groups = disparity.tiers + 1, merit = request.requestMerit
        let bid = account.autobids ? request.predictedCVR[i] * account.pacedBid : account.bid
        let trueMerit = bid * request.trueRate[i], estimatedMerit = bid * request.predicted[i]
        merit[tier] += trueMerit
        merit[groups + tier] += estimatedMerit
        merit[2 * groups + tier] += 1
        if account.isNew {
            merit[groups - 1] += trueMerit
            merit[2 * groups - 1] += estimatedMerit
            merit[3 * groups - 1] += 1
        }
    }

    /// The fairness control's rescaling of candidate `i`'s predicted click rate.
    @inline(__always)
    func rescale(_ i: Int) {
        let tier = Int(ledger.accounts[ledger.rank(position: request.candidatePosition[i])].tier)
        request.predicted[i] = fairness.rescaled(request.predicted[i], tier: tier)
    }

    /// Adds the merit the request's scored candidates accumulated to the run's totals and hourly
    /// series, once per request rather than once per candidate, and clears it.
    mutating func flushMerit(hour: Int) {
        let groups = disparity.tiers + 1, merit = request.requestMerit
        for g in 0..<groups where merit[2 * groups + g] > 0 {
            let trueValue = merit[g], estimatedValue = merit[groups + g], count = merit[2 * groups + g]
            disparity.meritTrue[g] += trueValue
            disparity.meritEstimated[g] += estimatedValue
            disparity.meritCount[g] += count
            tallies.recordMerit(group: g, hour: hour, trueMerit: trueValue, estimatedMerit: estimatedValue, candidates: count)
            merit[g] = 0; merit[groups + g] = 0; merit[2 * groups + g] = 0
        }
    }

    /// Auction quality of candidates `range` — what one click is worth to the objective — from
    /// their rates: one loop per objective, no per-candidate branch. A conversion is worth the
    /// ranker's expected order value when it predicts one (`Ranker.predictsValues`: the oracle's true
    /// value for the cohort, a learned value model's estimate), else the advertiser's declared
    /// `valuePerConversion`.
    mutating func setQuality(_ range: Range<Int>, objective: Objective) {
        let quality = request.quality, predicted = request.predicted, cvr = request.predictedCVR
        switch objective {
        case .clicks:
            for i in range { quality[i] = predicted[i] }
        case .conversions:
            for i in range { quality[i] = predicted[i] * cvr[i] }
        case .orderValue:
            if rankerValues {
                let value = request.predictedValue
                for i in range { quality[i] = predicted[i] * cvr[i] * value[i] }
            } else {
                for i in range {
                    quality[i] = predicted[i] * cvr[i] * world.valuePerConversion[Int(world.positionAdvertiser[request.candidatePosition[i]])]
                }
            }
        }
    }

    mutating func runAuction(count n: Int) -> Int {
        examination.withUnsafeBufferPointer { w in
            auction.run(scenario.auction.mechanism, reserve: scenario.auction.reserve,
                        bids: UnsafeBufferPointer(rebasing: request.bids[0..<n]), quality: UnsafeBufferPointer(rebasing: request.quality[0..<n]),
                        weights: w)
        }
    }

    /// Makes `ad` a candidate (the explorer's or the floor's): it replaces its advertiser's
    /// retrieved ad if there is one, else joins the list in a spare place. Returns its index.
    mutating func admit(_ ad: Int, count n: inout Int) -> Int {
        let adv = Int(world.adAdvertiser[ad]), a = world.rank(of: adv)
        let position: Int
        if ledger.offers[a].seenAt == requestId, let i = (0..<n).first(where: { Int(world.adAdvertiser[request.candidates[$0]]) == adv }) {
            position = i
        } else {
            position = n
            n += 1
            ledger.offers[a].seenAt = requestId
        }
        request.candidates[position] = ad
        request.candidatePosition[position] = Int(world.adPosition[ad])
        request.bids[position] = min(ledger.accounts[a].auctionBid, ledger.adgroupLeft(position: Int(world.adPosition[ad])))
        return position
    }

    /// Slot assignments: the auction's winners in order, with the explored candidate (if any)
    /// inserted at the explorer's slot (or the first free slot above it), pushing later winners
    /// down; the last regular winner drops out when all slots are taken.
    mutating func place(filled: Int, explored: Int, exploredBid: Double) -> Int {
        let slots = examination.count
        guard explored >= 0 else {
            for r in 0..<filled {
                request.placedCandidate[r] = auction.winners[r]
                request.placedPrice[r] = auction.prices[r]
                request.placedExplored[r] = false
            }
            return filled
        }
        let at = min(explorer.slot - 1, filled)
        let reserve = scenario.auction.reserve
        let price: Double
        switch explorer.pricing {
        case .auction: price = min(exploredBid, at < filled ? auction.prices[at] : reserve)
        case .reserve: price = min(exploredBid, reserve)
        case .free: price = 0
        }
        var k = 0
        for r in 0...filled where k < slots {
            if r == at {
                request.placedCandidate[k] = explored; request.placedPrice[k] = price; request.placedExplored[k] = true
                k += 1
            }
            if r < filled && k < slots {
                request.placedCandidate[k] = auction.winners[r]; request.placedPrice[k] = auction.prices[r]; request.placedExplored[k] = false
                k += 1
            }
        }
        return k
    }

    /// Asks for the per-advertiser and per-ad records the `placed` impressions will update (their
    /// tallies, the explorer's state of the ad, and the ranker's first records): in large
    /// marketplaces each is a cache miss for a random ad, and asked for together they overlap.
    @inline(__always)
    func prefetchImpressions(_ placed: Int) {
        for r in 0..<placed {
            let slot = request.placedCandidate[r], ad = request.candidates[slot]
            prefetch(tallies.tallies.baseAddress! + ledger.rank(position: request.candidatePosition[slot]))
            prefetch(tallies.adTallies.baseAddress! + ad)
            ranker.prefetchImpression(ad: ad)
        }
        explorer.prefetchImpressions(request, placed: placed)
    }
}
