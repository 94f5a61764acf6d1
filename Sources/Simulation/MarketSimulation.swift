import Marketplace
import Scenario
import Stochastics

/// One (policy, replicate) run of the marketplace: the discrete-event loop and its handlers.
///
/// Common random numbers: arrivals, users and the retrieval start come from the "traffic"
/// stream, consumed identically under every policy; click, conversion and throttling
/// decisions use counter-based uniforms keyed by (replicate, request, ad or advertiser).
/// A policy therefore changes *who is shown*, never *which users arrive* or *how a given
/// user reacts to a given ad in a given slot*.
struct MarketSimulation {
    let scenario: Scenario
    let world: World
    let policy: Policy
    let policyIndex: Int
    let replicate: Int
    let horizon: Double
    let arrivals: ArrivalProcess
    let users: UserSampler
    let traffic: RandomStream
    let response: CounterUniform
    let driftNoise: CounterUniform
    /// Whether the true model drifts (`truth.drift` > 0): otherwise every account's drift stays 0.
    let drifts: Bool

    var queue = EventQueue()
    let ranker: GlobalRanker?
    let explorer: ExplorerState?
    /// The ranker's serving tables (`GlobalRanker.servedRows`), read by retrieval's prefetches.
    let served: ServedRows?
    var fairness: FairnessState
    var faircoErrors: [Double]
    /// Merit (bid × click rate of every candidate, true and estimated) is measured on one request
    /// in this many (those whose id is a multiple of it: the same requests under every policy).
    /// Merit only enters ratios of means, which a systematic sample estimates without bias; the
    /// true model then runs on all candidates of one request in eight instead of all of them.
    static let meritSampling: UInt64 = 8
    /// A new ad must have been live at least this long (seconds) to be judged a hit.
    static let hitMinimumAge = 86_400.0
    var feedback: InteractionLog
    var metrics: CellMetrics
    var modelUpdates = 0
    /// Whether a model update will still read the feedback log (the next one falls before the
    /// horizon); after the last one, impressions are no longer logged for training.
    var feedbackWanted = true

    // Budgets and pacing, per advertiser.
    /// Per advertiser, indexed by `World.advertiserRank`: budget, spend, paced bid, drift and the
    /// request path's other reads (owned by `scratch`: an array property would check its
    /// uniqueness on each write).
    let accounts: UnsafeMutableBufferPointer<Account>
    /// Retrieval's view of each account, indexed like `accounts` (see `Offer`; `refreshOffer`
    /// after every change to an account's budget, spend or paced bid).
    let offers: UnsafeMutableBufferPointer<Offer>
    /// Copies of the world's `positionRank` and `retrievalOrder`, in `scratch`: retrieval reads
    /// them through fixed pointers while it writes the request's scratch (reading the world's
    /// arrays there took a reference to each, a retain and a release per request).
    let positionRanks: UnsafeMutableBufferPointer<Int32>, positionAds: UnsafeMutableBufferPointer<Int32>
    /// Ranks whose pacing controller may move at the next update: every account at first, then the
    /// ones not at rest after an update and the ones charged since (only a charge wakes a
    /// controller at rest). Each controller is independent of the others, so the order is free.
    var pacingDue: [Int32]
    /// The pacing controllers, indexed like `accounts` (owned by `scratch`).
    let pacers: UnsafeMutableBufferPointer<AdaptivePacer>
    let throttles: UnsafeMutableBufferPointer<ThrottlePacer>
    var activeAds: Int
    /// Impressions, exposure, spend and clicks per advertiser (indexed like `accounts`), and
    /// per ad, during the run (see `Tally`).
    let tallies: UnsafeMutableBufferPointer<Tally>
    let adTallies: UnsafeMutableBufferPointer<AdTally>
    let hourly: HourlyTallies
    /// Popularity retrieval: the index built from logged impressions at the last model-update tick.
    var popularityIndex = AliasTable()

    // Per-request scratch, allocated once (owned by `scratch`).
    var requestId: UInt64 = 0
    let scratch: ScratchMemory
    let user: UnsafeMutableBufferPointer<Double>
    /// The next request's traffic, drawn a request ahead, and its user (`UpcomingRequest`).
    var upcoming = UpcomingRequest()
    let upcomingUser: UnsafeMutableBufferPointer<Double>
    let candidates: UnsafeMutableBufferPointer<Int>
    /// Retrieval position of each candidate's ad (`World.adPosition`): the key of the ranker's and
    /// the true model's cached vectors.
    let candidatePosition: UnsafeMutableBufferPointer<Int>
    let bids: UnsafeMutableBufferPointer<Double>
    let quality: UnsafeMutableBufferPointer<Double>
    let predicted: UnsafeMutableBufferPointer<Double>
    /// True click rate of each candidate for this request's user (scored once, reused for responses).
    let trueRate: UnsafeMutableBufferPointer<Double>
    /// The learned ranker's conversion-rate estimate per candidate.
    let predictedCVR: UnsafeMutableBufferPointer<Double>
    /// The request's merit per group (tiers, then new advertisers): true merit, estimated merit and
    /// candidate count, one group-length run each.
    let requestMerit: UnsafeMutableBufferPointer<Double>
    var auction: PositionAuction
    let examination: [Double]
    /// Final slot assignment of the current request: candidate position, price per click, explored?
    let placedCandidate: UnsafeMutableBufferPointer<Int>
    let placedPrice: UnsafeMutableBufferPointer<Double>
    let placedExplored: UnsafeMutableBufferPointer<Bool>
    /// The placed ads' true click rates, while `scoreTruthPlaced` computes them.
    let placedRate: UnsafeMutableBufferPointer<Double>

    init(scenario: Scenario, world: World, policyIndex: Int, replicate: Int) {
        self.scenario = scenario
        self.world = world
        self.policy = scenario.policies[policyIndex]
        self.policyIndex = policyIndex
        self.replicate = replicate
        horizon = scenario.horizon.days * 86_400
        arrivals = ArrivalProcess(requestsPerDay: scenario.horizon.requestsPerDay, diurnal: scenario.horizon.diurnal)
        users = UserSampler(scenario)
        traffic = RandomStream(seed: deriveSeed(scenario.seed, replicate: replicate, stream: "traffic"))
        response = CounterUniform(key: deriveSeed(scenario.seed, replicate: replicate, stream: "response"))
        driftNoise = CounterUniform(key: deriveSeed(scenario.seed, replicate: replicate, stream: "drift"))
        drifts = scenario.truth.drift > 0
        let a = world.advertiserCount, d = world.dimension
        let hours = max(1, Int((horizon / 3600).rounded(.up)))
        metrics = CellMetrics(advertisers: a, ads: world.adCountTotal, tiers: world.tierNames.count, hours: hours, cohorts: scenario.cohorts.count)
        let p = scenario.pacing
        pacingDue = (0..<Int32(a)).map { $0 }
        activeAds = world.initialAdCount
        let m = scenario.placement.maxCandidates
        // Spare places for ads brought in from outside retrieval: one for the explorer, one per
        // slot for an exposure floor.
        let memory = ScratchMemory(), size = m + 1 + scenario.placement.slots
        scratch = memory
        accounts = memory.buffer(copying: world.rankAdvertiser.map { Account(world: world, advertiser: Int($0)) })
        offers = memory.buffer(world.rankAdvertiser.count, filledWith: Offer())
        pacers = memory.buffer(a, filledWith: AdaptivePacer(stepSize: p.stepSize, maxMultiplier: p.maxMultiplier))
        throttles = memory.buffer(a, filledWith: ThrottlePacer(stepSize: p.stepSize))
        positionRanks = memory.buffer(copying: world.positionRank)
        positionAds = memory.buffer(copying: world.retrievalOrder)
        tallies = memory.buffer(world.rankAdvertiser.count, filledWith: Tally())
        adTallies = memory.buffer(world.adCountTotal, filledWith: AdTally())
        hourly = HourlyTallies(hours: metrics.hours, tiers: metrics.tierCount, cohorts: scenario.cohorts.count, memory: memory)
        user = memory.buffer(d, filledWith: 0.0)
        upcomingUser = memory.buffer(d, filledWith: 0.0)
        candidates = memory.buffer(size, filledWith: 0)
        candidatePosition = memory.buffer(size, filledWith: 0)
        bids = memory.buffer(size, filledWith: 0.0)
        quality = memory.buffer(size, filledWith: 0.0)
        predicted = memory.buffer(size, filledWith: 0.0)
        trueRate = memory.buffer(size, filledWith: 0.0)
        predictedCVR = memory.buffer(size, filledWith: 0.0)
        requestMerit = memory.buffer(3 * (world.tierNames.count + 1), filledWith: 0.0)
        examination = scenario.placement.examination
        auction = PositionAuction(capacity: examination.count)
        placedCandidate = memory.buffer(examination.count, filledWith: 0)
        placedPrice = memory.buffer(examination.count, filledWith: 0.0)
        placedExplored = memory.buffer(examination.count, filledWith: false)
        placedRate = memory.buffer(examination.count, filledWith: 0.0)
        var fairnessState = FairnessState(control: policy.fairness, tierNames: world.tierNames)
        for adv in 0..<world.initialAdvertiserCount {
            fairnessState.activeAds[Int(world.advertiserTier[adv])] += Double(world.adCount[adv])
            if fairnessState.floorGroup == Int(world.advertiserTier[adv]) {
                let first = Int(world.firstAd[adv])
                fairnessState.floorPool += Array(first..<(first + Int(world.adCount[adv])))
            }
        }
        fairness = fairnessState
        faircoErrors = Array(repeating: 0, count: world.tierNames.count)
        feedback = InteractionLog(dimension: d)
        explorer = policy.explorer.map {
            ExplorerState(settings: $0, world: world, scenario: scenario, seed: deriveSeed(scenario.seed, replicate: replicate, stream: "explorer"))
        }
        ranker = policy.ranker.kind == .oracle ? nil
            : GlobalRanker(world: world, settings: policy.ranker, cohorts: scenario.cohorts.count,
                           seed: deriveSeed(scenario.seed, replicate: replicate, stream: "learning"))
        served = ranker?.servedRows
        if scenario.placement.retrieval == .popularity {
            for a in world.history.ad { adTallies[Int(a)].logged += 1 }
            rebuildPopularityIndex()
        }
    }

    /// Runs the event loop to the horizon and returns the accumulated metrics.
    mutating func run() -> CellResult {
        startDay(0)
        var day = 1.0
        while day * 86_400 < horizon { queue.schedule(at: day * 86_400, .budgetDayReset); day += 1 }
        let pacingInterval = scenario.pacing.intervalMinutes * 60
        if scenario.pacing.kind != .none { queue.schedule(at: pacingInterval, .pacingUpdate) }
        let updateInterval = (policy.ranker.updateEveryHours ?? scenario.learning.updateEveryHours) * 3600
        queue.schedule(at: updateInterval, .modelUpdate)
        feedbackWanted = updateInterval < horizon
        let adaptInterval = policy.ranker.meta.adaptEveryHours * 3600
        if ranker?.personal != nil { queue.schedule(at: adaptInterval, .personalAdaptation) }
        for adv in world.initialAdvertiserCount..<world.advertiserCount {
            queue.schedule(at: world.entryTime[adv], .advertiserEntry(advertiser: Int32(adv)))
        }
        drawUpcoming(after: 0)
        queue.schedule(at: upcoming.arrival, .requestArrival)

        while let event = queue.next(until: horizon) {
            metrics.events += 1
            switch event.kind {
            case .requestArrival:
                handleRequest()
                queue.schedule(at: upcoming.arrival, .requestArrival)
            case .click(let ad, let position, let price):
                handleClick(ad: Int(ad), position: Int(position), price: price)
            case .conversion(let ad, let cohort):
                handleConversion(ad: Int(ad), cohort: Int(cohort))
            case .budgetDayReset:
                startDay(Int((queue.now / 86_400).rounded()))
            case .pacingUpdate:
                updatePacing(interval: pacingInterval)
                queue.schedule(at: queue.now + pacingInterval, .pacingUpdate)
            // A model update or re-adaptation falling on the horizon itself would serve no request:
            // skipped (nothing it computes is measured).
            case .modelUpdate where queue.now < horizon:
                updateModel()
                queue.schedule(at: queue.now + updateInterval, .modelUpdate)
                feedbackWanted = queue.now + updateInterval < horizon
            case .personalAdaptation where queue.now < horizon:
                ranker!.personal!.adaptFresh(world: world, base: ranker!, now: queue.now)
                queue.schedule(at: queue.now + adaptInterval, .personalAdaptation)
            case .modelUpdate, .personalAdaptation:
                break
            case .advertiserEntry(let adv):
                enter(Int(adv))
            }
        }
        for adv in 0..<world.advertiserCount where entered(adv) {
            metrics.largestOverspend = max(metrics.largestOverspend, -accounts[world.rank(of: adv)].remaining)
        }
        collectTallies()
        finishDiscoveryMetrics()
        finishFairnessMetrics()
        return CellResult(policy: policyIndex, replicate: replicate, advertiserTier: world.advertiserTier,
                          advertiserIsNew: world.isNew, metrics: metrics)
    }

    // MARK: - Budgets, pacing, entry, learning

    /// Whether advertiser `adv` has entered the market (present from the start, or since its entry).
    func entered(_ adv: Int) -> Bool { accounts[world.rank(of: adv)].entered }

    /// Day `day` begins: budgets refill (prorated on a partial last day) and drift moves.
    mutating func startDay(_ day: Int) {
        let start = Double(day) * 86_400
        let share = arrivals.share(from: start, to: min(start + 86_400, horizon))
        let driftScale = scenario.truth.drift
        // In account order (each advertiser's update is independent of the others').
        for r in 0..<accounts.count {
            let adv = Int(world.rankAdvertiser[r])
            if day > 0 && driftScale > 0 {
                accounts[r].drift += driftScale * driftNoise.gaussian(UInt64(adv), UInt64(day))
            }
            guard accounts[r].entered else { continue }
            metrics.largestOverspend = max(metrics.largestOverspend, -accounts[r].remaining)
            openBudget(rank: r, advertiser: adv, share: share)
        }
    }

    /// Gives account `r` (advertiser `adv`) `share` of its daily budget, nothing spent yet.
    mutating func openBudget(rank r: Int, advertiser adv: Int, share: Double) {
        accounts[r].spentToday = 0
        accounts[r].dayCap = accounts[r].dailyBudget * share
        refreshOffer(r)
        metrics.budget[adv] += accounts[r].dayCap
    }

    /// Copies account `r`'s auction bid (or `Offer.closed`) to the offer retrieval reads.
    @inline(__always)
    func refreshOffer(_ r: Int) { offers[r].bid = accounts[r].offer }

    /// An advertiser enters: its ads join retrieval and it gets the rest of today's budget.
    mutating func enter(_ adv: Int) {
        accounts[world.rank(of: adv)].entered = true
        explorer?.enter(advertiser: adv, world)
        fairness.activeAds[Int(world.advertiserTier[adv])] += Double(world.adCount[adv])
        fairness.activeAds[fairness.tiers] += Double(world.adCount[adv])
        if let g = fairness.floorGroup, g == fairness.tiers || g == Int(world.advertiserTier[adv]) {
            let first = Int(world.firstAd[adv])
            fairness.floorPool += Array(first..<(first + Int(world.adCount[adv])))
        }
        let hoursLeft = Int(((horizon - queue.now) / 3600).rounded(.up))
        for h in 0..<min(hoursLeft, metrics.rampEntrants.count) { metrics.rampEntrants[h] += 1 }
        activeAds += Int(world.adCount[adv])
        if let ranker { ranker.personal?.enter(advertiser: adv, world: world, base: ranker, now: queue.now) }
        let dayEnd = min((Double(Int(queue.now / 86_400)) + 1) * 86_400, horizon)
        openBudget(rank: world.rank(of: adv), advertiser: adv, share: arrivals.share(from: queue.now, to: dayEnd))
    }

    /// Each advertiser's controller compares the period's spend with its share of the daily budget.
    mutating func updatePacing(interval: Double) {
        let share = arrivals.share(from: queue.now - interval, to: queue.now)
        guard share > 0 else { return }
        let multiplicative = scenario.pacing.kind == .multiplicative
        // Only the listed controllers (`pacingDue`). A controller at rest (no spend this period, no
        // shading or full participation) would stay exactly where it is: it leaves the list until
        // a charge brings it back.
        // The listed accounts are charged ones, in the order of their first charge: in a large
        // marketplace each is a cache miss, so the records `pacingLead` entries on are asked for.
        var kept = 0
        let listed = pacingDue.count
        for j in 0..<listed {
            if j + Self.pacingLead < listed {
                let ahead = Int(pacingDue[j + Self.pacingLead])
                prefetch(accounts.baseAddress! + ahead)
                if multiplicative { prefetch(pacers.baseAddress! + ahead) } else { prefetch(throttles.baseAddress! + ahead) }
            }
            let r = Int(pacingDue[j])
            if accounts[r].periodSpend == 0 && accounts[r].dailyBudget > 0
                && (multiplicative ? pacers[r].multiplier == 0 : throttles[r].participation == 1) {
                accounts[r].pacingListed = false
                continue
            }
            pacingDue[kept] = Int32(r)
            kept += 1
            guard accounts[r].entered else { continue }
            let target = accounts[r].dailyBudget * share
            let relative = accounts[r].periodSpend / target
            if multiplicative {
                pacers[r].update(target: 1, spend: relative)
                accounts[r].pacedBid = pacers[r].bid(accounts[r].bid)
                refreshOffer(r)
            } else {
                throttles[r].update(target: 1, spend: relative)
            }
            accounts[r].periodSpend = 0
        }
        pacingDue.removeLast(pacingDue.count - kept)
    }

    /// How far ahead `updatePacing` asks for the listed accounts' records.
    static let pacingLead = 16

    /// Model-update tick: the global model takes one SGD pass over the feedback since the last
    /// tick; personal blocks (if any) are meta-updated and re-adapted.
    mutating func updateModel() {
        modelUpdates += 1
        if scenario.placement.retrieval == .popularity { rebuildPopularityIndex() }
        guard ranker != nil, feedback.count > 0 else { feedback.removeAll(); return }
        let seed = deriveSeed(scenario.seed, replicate: replicate, stream: "learning-update-\(modelUpdates)")
        ranker!.train(on: feedback, world: world, epochs: 1, seed: seed)
        feedback.removeAll()
        ranker!.personal?.metaUpdate(world: world, base: ranker!, now: queue.now,
                                     stream: RandomStream(seed: deriveSeed(scenario.seed, replicate: replicate, stream: "meta-update-\(modelUpdates)")))
    }

    /// Hits found and the explorer's graduation counts.
    ///
    /// A hit is a new ad whose true quality (advertiser + ad click-logit offset) is in the top
    /// quartile of all ads, that has been live at least a day, and that reached regular traffic:
    /// its rate of impressions won in regular auctions is at least the median rate of the
    /// established ads of its tier.
    mutating func finishDiscoveryMetrics() {
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
        if let explorer {
            metrics.graduations = Double(explorer.graduations)
            for ad in 0..<world.adCountTotal where entered(Int(world.adAdvertiser[ad])) && explorer.eligible(ad, world) {
                metrics.poolAds += 1
            }
        }
    }

    /// Copies the run's tallies (per advertiser, per ad, per hour and cohort) into `metrics`.
    mutating func collectTallies() {
        for adv in 0..<world.advertiserCount {
            let t = tallies[world.rank(of: adv)]
            metrics.impressions[adv] = t.impressions
            metrics.exposure[adv] = t.exposure
            metrics.spend[adv] = t.spend
            metrics.clicks[adv] = t.clicks
        }
        for ad in 0..<world.adCountTotal {
            metrics.adRegularImpressions[ad] = adTallies[ad].regular
            metrics.adFirstClick[ad] = adTallies[ad].firstClick
        }
        metrics.hourlyExposure = Array(hourly.exposure)
        metrics.hourlySpend = Array(hourly.spend)
        metrics.hourlyActiveAds = Array(hourly.activeAds)
        metrics.cohortImpressions = Array(hourly.cohortImpressions)
        metrics.cohortClicks = Array(hourly.cohortClicks)
    }

    /// Rebuilds the popularity index over the ads active now, weighted by logged impressions + 1.
    mutating func rebuildPopularityIndex() {
        var weights = Array(repeating: 0.0, count: activeAds)
        for i in 0..<activeAds {
            let ad = Int(world.retrievalOrder[i])
            weights[i] = adTallies[ad].logged + 1
        }
        popularityIndex = AliasTable(weights: weights)
    }

    /// End-of-run disparities and, for an exposure floor, how many complete windows met it.
    mutating func finishFairnessMetrics() {
        metrics.disparity = fairness.disparity(estimated: false)
        metrics.disparityEstimated = fairness.disparity(estimated: true)
        metrics.disparityNew = fairness.disparityNew()
        metrics.treatmentRatio = fairness.treatmentRatio()
        guard let g = fairness.floorGroup else { return }
        let w = fairness.bucketHour.count, width = metrics.tierCount + 1
        guard metrics.hours >= w else { return }
        for end in (w - 1)..<metrics.hours where metrics.hourlyActiveAds[(end - w + 1) * width + g] > 0 {
            var group = 0.0, total = 0.0
            for h in (end - w + 1)...end {
                group += metrics.hourlyExposure[h * width + g]
                total += (0..<metrics.tierCount).reduce(0) { $0 + metrics.hourlyExposure[h * width + $1] }
            }
            guard total > 0 else { continue }
            metrics.floorWindows += 1
            if group >= fairness.floorShare * total * (1 - 1e-9) { metrics.floorWindowsMet += 1 }
        }
    }

    // MARK: - Responses

    /// A click on `ad`, at retrieval `position`: the charge, the pacing list, tallies and the
    /// learners' counts. The account is found through the position (the request that showed the ad
    /// has just read that entry) and carries the tier and the new-advertiser flag, so only a new
    /// advertiser's entry time is read from the world.
    mutating func handleClick(ad: Int, position: Int, price: Double) {
        let a = Int(positionRanks[position])
        accounts[a].spentToday += price
        refreshOffer(a)
        accounts[a].periodSpend += price
        if !accounts[a].pacingListed { accounts[a].pacingListed = true; pacingDue.append(Int32(a)) }
        tallies[a].spend += price
        metrics.largestPrice = max(metrics.largestPrice, price)
        tallies[a].clicks += 1
        explorer?.recordClick(ad: ad)
        if adTallies[ad].firstClick.isNaN { adTallies[ad].firstClick = queue.now }
        let isNew = accounts[a].isNew
        if isNew {
            let age = min(Int((queue.now - world.entryTime[Int(world.positionAdvertiser[position])]) / 3600), metrics.rampClicks.count - 1)
            metrics.rampClicks[age] += 1
            metrics.rampSpend[age] += price
        }
        hourly.add(price, to: hourly.spend, hour: Int(queue.now / 3600), tier: Int(accounts[a].tier), isNew: isNew)
        ranker?.recordClick(ad: ad, position: position)
    }

    mutating func handleConversion(ad: Int, cohort: Int) {
        let adv = Int(world.adAdvertiser[ad])
        metrics.conversions[adv] += 1
        metrics.value[adv] += world.valuePerConversion[adv]
        metrics.cohortConversions[cohort] += 1
        if metrics.adFirstConversion[ad].isNaN { metrics.adFirstConversion[ad] = queue.now }
        metrics.cohortValue[cohort] += world.valuePerConversion[adv]
        ranker?.recordConversion(ad: ad)
    }
}
