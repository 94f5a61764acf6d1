import Marketplace
import Scenario
import Stochastics

/// One (policy, replicate) run of the marketplace: the discrete-event loop over its stages.
///
/// Generic over the policy's stage types — its ranker `R`, explorer `X`, fairness control `F` —
/// and the kernel `K` (reference or tuned) that implements the hot stages, so each cell's loop is
/// specialised once and dispatch is static (`CellFactory` picks the types). The request path is
/// `handleRequest` (MarketSimulation+Request.swift): one call per stage, in the order of the data
/// flow in docs/architecture.md.
///
/// Common random numbers: arrivals, users and the retrieval start come from the "traffic"
/// stream, consumed identically under every policy; click, conversion and throttling decisions
/// use counter-based uniforms keyed by (replicate, request, ad or advertiser). A policy therefore
/// changes *who is shown*, never *which users arrive* or *how a given user reacts to a given ad
/// in a given slot*.
struct MarketSimulation<R: Ranker, X: Explorer, F: FairnessStage, K: Kernel> {
    let scenario: Scenario
    let world: World
    let policy: Policy
    let policyIndex: Int
    let replicate: Int
    let horizon: Double
    let arrivals: ArrivalProcess
    let users: UserSampler
    let traffic: RandomStream
    /// The request-level keyed uniforms: clicks and conversions (through `response`), throttling,
    /// exploration, popularity draws, the exposure floor's start.
    let uniforms: CounterUniform
    let driftNoise: CounterUniform
    var queue = EventQueue()
    /// Merit (bid × click rate of every candidate, true and estimated) is measured on one request
    /// in this many (those whose id is a multiple of it: the same requests under every policy).
    /// Merit only enters ratios of means, which a systematic sample estimates without bias; the
    /// true model then runs on all candidates of one request in eight instead of all of them.
    static var meritSampling: UInt64 { 8 }
    /// A new ad must have been live at least this long (seconds) to be judged a hit.
    static var hitMinimumAge: Double { 86_400 }

    // MARK: - The stages
    let ranker: R
    let explorer: X
    var fairness: F
    var retriever: K.Retrieval
    var auction: K.Auction
    let response: TrueResponseModel
    var bidders: FixedCPCBidders
    /// The autobidding advertisers (none under fixed-CPC bidding), and whether there are any.
    var autobidders: Autobidders
    let autobidding: Bool
    /// Whether the ranker learns conversions from clicks (`recordClickOutcome`), and writes expected
    /// order values (`request.predictedValue`).
    let learnsConversions: Bool
    let rankerValues: Bool
    /// Advertisers' reviews (nil without `advertiserDynamics`).
    var reviews: AdvertiserReviews?
    var tallies: RunTallies
    var disparity: DisparityLedger
    let ledger: Ledger
    let plan: MemoryPlan

    // MARK: - Run state
    var modelUpdates = 0
    /// Whether a model update will still read the feedback log (the next one falls before the
    /// horizon); after the last one, impressions are no longer logged for training.
    var feedbackWanted = true
    var activeAds: Int
    var requestId: UInt64 = 0
    /// Set by tests to record the traffic (`TrafficTrace`).
    var trace: TrafficTrace?
    /// Set by `--log-impressions`: every impression with its propensity (`ImpressionLog`), and the
    /// stream of the propensity's Monte Carlo draws (never the explorer's own).
    var impressionLog: ImpressionLog?
    var propensityStream: RandomStream?
    /// The request being handled, and the next one's traffic (drawn a request ahead).
    let request: RequestScratch
    var upcoming: UpcomingRequest
    let examination: [Double]
    /// Owns the ledger's, the sink's, the bidders' and the request's buffers.
    let scratch: ScratchMemory

    /// A run of policy `policyIndex` on replicate `replicate`'s `world` with the given stages;
    /// `cacheBytes` sizes the tuned kernel's memory plan (default: this machine's last-level cache).
    init(scenario: Scenario, world: World, policyIndex: Int, replicate: Int, ranker: R, explorer: X, fairness: F,
         cacheBytes: Int = MemoryPlan.lastLevelCacheBytes) {
        self.scenario = scenario
        self.world = world
        self.policy = scenario.policies[policyIndex]
        self.policyIndex = policyIndex
        self.replicate = replicate
        self.ranker = ranker
        self.explorer = explorer
        self.fairness = fairness
        horizon = scenario.horizon.days * 86_400
        arrivals = ArrivalProcess(requestsPerDay: scenario.horizon.requestsPerDay, diurnal: scenario.horizon.diurnal)
        users = UserSampler(scenario)
        traffic = RandomStream(seed: deriveSeed(scenario.seed, replicate: replicate, stream: "traffic"))
        uniforms = CounterUniform(key: deriveSeed(scenario.seed, replicate: replicate, stream: "response"))
        driftNoise = CounterUniform(key: deriveSeed(scenario.seed, replicate: replicate, stream: "drift"))
        response = TrueResponseModel(world: world, uniforms: uniforms,
                                     valueUniforms: CounterUniform(key: deriveSeed(scenario.seed, replicate: replicate, stream: "order-value")),
                                     delayMean: scenario.truth.conversionDelayHours * 3600)
        let memory = ScratchMemory()
        scratch = memory
        let hours = max(1, Int((horizon / 3600).rounded(.up)))
        ledger = Ledger(world: world, drifts: scenario.truth.drift > 0, memory: memory)
        autobidders = Autobidders(scenario: scenario, policy: policyIndex, world: world, ledger: ledger)
        autobidding = autobidders.any
        learnsConversions = R.learns && ranker.learnsConversions
        rankerValues = ranker.predictsValues
        bidders = FixedCPCBidders(pacing: scenario.pacing, ledger: ledger, memory: memory)
        reviews = scenario.advertiserDynamics.map {
            AdvertiserReviews(settings: $0, scenario: scenario, accounts: world.rankAdvertiser.count,
                              key: deriveSeed(scenario.seed, replicate: replicate, stream: "advertiser-reviews"))
        }
        tallies = RunTallies(world: WorldShape(advertisers: world.advertiserCount, accounts: world.rankAdvertiser.count,
                                               ads: world.adCountTotal, tiers: world.tierNames.count),
                             cohorts: scenario.cohorts.count, hours: hours,
                             adgroups: AdgroupTallies(world: world, cohorts: scenario.cohorts.count), memory: memory)
        for adv in 0..<world.initialAdvertiserCount { tallies.adgroups?.recordEntry(rank: world.rank(of: adv)) }
        activeAds = world.initialAdCount
        request = RequestScratch(dimension: world.dimension, maxCandidates: scenario.placement.maxCandidates,
                                 slots: scenario.placement.slots, groups: world.tierNames.count + 1, memory: memory)
        upcoming = UpcomingRequest(dimension: world.dimension, memory: memory)
        examination = scenario.placement.examination
        plan = K.plan(ads: world.adCountTotal, servedStride: ranker.servedRows?.stride, truthStride: world.truthStride, cacheBytes: cacheBytes)
        retriever = K.Retrieval(world: world, plan: plan, served: ranker.servedRows)
        auction = K.Auction(capacity: examination.count)
        disparity = DisparityLedger(tiers: world.tierNames.count)
        for adv in 0..<world.initialAdvertiserCount {
            disparity.activeAds[Int(world.advertiserTier[adv])] += Double(world.adCount[adv])
        }
        if scenario.placement.retrieval == .popularity {
            for a in world.history.ad { tallies.adTallies[Int(a)].logged += 1 }
            retriever.rebuildPopularity(activeAds: activeAds, world: world, logged: tallies.adTallies)
        }
    }

    /// Runs the event loop to the horizon and returns the run's result.
    mutating func run() -> CellResult {
        startDay(0)
        var day = 1.0
        while day * 86_400 < horizon { queue.schedule(at: day * 86_400, .budgetDayReset); day += 1 }
        let pacingInterval = scenario.pacing.intervalMinutes * 60
        if scenario.pacing.kind != .none || autobidding { queue.schedule(at: pacingInterval, .pacingUpdate) }
        if let reviews {
            self.reviews!.snapshot(day: 0, world: world, ledger: ledger, revenue: 0)
            queue.schedule(at: reviews.interval, .advertiserReview)
        }
        let updateInterval = (policy.ranker.updateEveryHours ?? scenario.learning.updateEveryHours) * 3600
        queue.schedule(at: updateInterval, .modelUpdate)
        feedbackWanted = updateInterval < horizon
        let adaptInterval = (ranker.adaptEveryHours ?? 0) * 3600
        if ranker.adaptEveryHours != nil { queue.schedule(at: adaptInterval, .personalAdaptation) }
        for adv in world.initialAdvertiserCount..<world.advertiserCount {
            queue.schedule(at: world.entryTime[adv], .advertiserEntry(advertiser: Int32(adv)))
        }
        drawUpcoming(after: 0)
        queue.schedule(at: upcoming.arrival, .requestArrival)

        while let event = queue.next(until: horizon) {
            tallies.events += 1
            switch event.kind {
            case .requestArrival:
                handleRequest()
                queue.schedule(at: upcoming.arrival, .requestArrival)
            case .click(let ad, let position, let price):
                handleClick(ad: Int(ad), position: Int(position), price: price)
            case .conversion(let ad, let cohort, let value):
                handleConversion(ad: Int(ad), cohort: Int(cohort), value: value)
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
                ranker.adapt(now: queue.now)
                queue.schedule(at: queue.now + adaptInterval, .personalAdaptation)
            case .modelUpdate, .personalAdaptation:
                break
            case .advertiserEntry(let adv):
                enter(Int(adv))
            case .advertiserReview where queue.now < horizon:
                review()
                queue.schedule(at: queue.now + reviews!.interval, .advertiserReview)
            case .advertiserReview:
                break
            }
        }
        return finish()
    }
}
