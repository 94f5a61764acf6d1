import Stochastics

/// The run's metrics sink: every counter of a (policy, replicate) run in one place, turned into
/// `CellMetrics` by `finish` (the result holds what the run measured, nothing is counted twice).
///
/// The counters written on every impression and click live in scratch memory, per advertiser
/// (`Tally`, indexed like the ledger's accounts) and per ad (`AdTally`), so a write is a plain
/// store to one record: as array properties each write paid a uniqueness check and, for a random
/// advertiser in a large marketplace, a cache miss per array.
struct RunTallies: MetricsSink {
    let tierCount: Int
    let hourCount: Int
    let tallies: UnsafeMutableBufferPointer<Tally>
    let adTallies: UnsafeMutableBufferPointer<AdTally>
    let hourly: HourlyTallies
    /// Per advertiser (by advertiser number): budget opened, conversions, their value.
    private(set) var budget: [Double]
    private(set) var conversions: [Double]
    private(set) var value: [Double]
    /// Per ad: the time of the first conversion (NaN: none yet).
    private(set) var adFirstConversion: [Double]
    /// Per cohort: conversions and order value.
    private(set) var cohortConversions: [Double]
    private(set) var cohortValue: [Double]
    /// Prediction quality of the ranked-on click rates per tier, then "new".
    private(set) var prediction: [PredictionQuality]
    /// New advertisers' ramp by whole hours since entry (see `CellMetrics`).
    private(set) var rampImpressions: [Double]
    private(set) var rampClicks: [Double]
    private(set) var rampSpend: [Double]
    private(set) var rampEntrants: [Double]
    private(set) var requests = 0
    private(set) var auctions = 0
    private(set) var candidatesScored = 0
    private(set) var exploredImpressions = 0.0
    private(set) var expectedClicks = 0.0
    private(set) var largestOverspend = 0.0
    private(set) var largestPrice = 0.0
    /// Events the engine processed (counted by the engine's loop).
    var events = 0
    /// Delivery by adgroup objective (nil unless the scenario declares adgroups).
    var adgroups: AdgroupTallies?

    init(world: WorldShape, cohorts: Int, hours: Int, adgroups: AdgroupTallies?, memory: ScratchMemory) {
        self.adgroups = adgroups
        tierCount = world.tiers
        hourCount = hours
        tallies = memory.buffer(world.accounts, filledWith: Tally())
        adTallies = memory.buffer(world.ads, filledWith: AdTally())
        hourly = HourlyTallies(hours: hours, tiers: world.tiers, cohorts: cohorts, memory: memory)
        budget = Array(repeating: 0, count: world.advertisers)
        conversions = budget; value = budget
        adFirstConversion = Array(repeating: .nan, count: world.ads)
        cohortConversions = Array(repeating: 0, count: cohorts)
        cohortValue = cohortConversions
        prediction = Array(repeating: PredictionQuality(), count: world.tiers + 1)
        rampImpressions = Array(repeating: 0, count: hours)
        rampClicks = rampImpressions; rampSpend = rampImpressions; rampEntrants = rampImpressions
    }

    mutating func recordRequest() { requests += 1 }

    mutating func recordAuction(candidates n: Int) {
        auctions += 1
        candidatesScored += n
    }

    @inline(__always)
    mutating func recordActiveAds(_ activeAds: [Double], hour: Int) {
        let base = hourly.index(hour: hour, group: 0)
        for g in 0...tierCount { hourly.activeAds[base + g] = activeAds[g] }
    }

    mutating func recordMerit(group g: Int, hour: Int, trueMerit: Double, estimatedMerit: Double, candidates: Double) {
        let cell = hourly.index(hour: hour, group: g)
        hourly.meritTrue[cell] += trueMerit
        hourly.meritEstimated[cell] += estimatedMerit
        hourly.meritCount[cell] += candidates
    }

    @inline(__always)
    mutating func recordImpression(_ i: Impression) {
        let e = i.examination
        tallies[i.rank].impressions += 1
        adTallies[i.ad].logged += 1
        hourly.cohortImpressions[i.cohort] += 1
        expectedClicks += e * i.trueCTR
        if i.explored { exploredImpressions += 1 } else { adTallies[i.ad].regular += 1 }
        tallies[i.rank].exposure += e
        hourly.add(e, to: hourly.exposure, hour: i.hour, tier: i.tier, isNew: i.isNew)
        prediction[i.tier].record(e * i.predicted, outcome: i.clicked)
        if i.isNew {
            prediction[tierCount].record(e * i.predicted, outcome: i.clicked)
            rampImpressions[min(i.hoursSinceEntry, rampImpressions.count - 1)] += 1
        }
        if i.clicked { hourly.cohortClicks[i.cohort] += 1 }
        adgroups?.recordImpression(ad: i.ad, cohort: i.cohort)
    }

    @inline(__always)
    mutating func recordClick(_ c: Click) {
        tallies[c.rank].spend += c.price
        largestPrice = max(largestPrice, c.price)
        tallies[c.rank].clicks += 1
        if adTallies[c.ad].firstClick.isNaN { adTallies[c.ad].firstClick = c.time }
        if c.isNew {
            let age = min(c.hoursSinceEntry, rampClicks.count - 1)
            rampClicks[age] += 1
            rampSpend[age] += c.price
        }
        hourly.add(c.price, to: hourly.spend, hour: c.hour, tier: c.tier, isNew: c.isNew)
        adgroups?.recordClick(ad: c.ad, price: c.price)
    }

    mutating func recordConversion(ad: Int, advertiser adv: Int, cohort: Int, value v: Double, time: Double) {
        conversions[adv] += 1
        value[adv] += v
        cohortConversions[cohort] += 1
        if adFirstConversion[ad].isNaN { adFirstConversion[ad] = time }
        cohortValue[cohort] += v
        adgroups?.recordConversion(ad: ad, value: v)
    }

    mutating func recordBudget(advertiser adv: Int, cap: Double) { budget[adv] += cap }

    /// Platform revenue so far (Σ spend).
    var revenue: Double { tallies.reduce(0) { $0 + $1.spend } }

    mutating func recordOverspend(_ amount: Double) { largestOverspend = max(largestOverspend, amount) }

    mutating func recordEntry(hoursLeft: Int) {
        for h in 0..<min(hoursLeft, rampEntrants.count) { rampEntrants[h] += 1 }
    }

    /// The run's result: every counter copied into `CellMetrics`, per advertiser by advertiser
    /// number (`rankAdvertiser` maps the ledger's order back). End-of-run figures (discovery,
    /// disparity, floor attainment) are the engine's to fill in.
    func finish(rankAdvertiser: [Int32]) -> CellMetrics {
        var m = CellMetrics(advertisers: budget.count, ads: adTallies.count, tiers: tierCount, hours: hourCount,
                            cohorts: cohortValue.count)
        for (r, adv) in rankAdvertiser.enumerated() {
            let t = tallies[r], a = Int(adv)
            m.impressions[a] = t.impressions
            m.exposure[a] = t.exposure
            m.spend[a] = t.spend
            m.clicks[a] = t.clicks
        }
        for ad in 0..<adTallies.count {
            m.adRegularImpressions[ad] = adTallies[ad].regular
            m.adFirstClick[ad] = adTallies[ad].firstClick
        }
        m.budget = budget; m.conversions = conversions; m.value = value
        m.adFirstConversion = adFirstConversion
        m.cohortImpressions = Array(hourly.cohortImpressions); m.cohortClicks = Array(hourly.cohortClicks)
        m.cohortConversions = cohortConversions; m.cohortValue = cohortValue
        m.prediction = prediction
        m.hourlyExposure = Array(hourly.exposure); m.hourlySpend = Array(hourly.spend); m.hourlyActiveAds = Array(hourly.activeAds)
        m.hourlyMeritTrue = Array(hourly.meritTrue); m.hourlyMeritEstimated = Array(hourly.meritEstimated)
        m.hourlyMeritCount = Array(hourly.meritCount)
        m.rampImpressions = rampImpressions; m.rampClicks = rampClicks; m.rampSpend = rampSpend; m.rampEntrants = rampEntrants
        m.requests = requests; m.auctions = auctions; m.candidatesScored = candidatesScored; m.events = events
        m.exploredImpressions = exploredImpressions; m.expectedClicks = expectedClicks
        m.largestOverspend = largestOverspend; m.largestPrice = largestPrice
        m.adgroups = adgroups
        return m
    }
}

/// The sizes a run's sink is laid out for.
struct WorldShape {
    var advertisers: Int
    /// Ledger accounts (one per advertiser, in rank order).
    var accounts: Int
    var ads: Int
    var tiers: Int
}

/// Per-advertiser counters, one record per advertiser (indexed like the ledger's accounts).
struct Tally {
    var impressions = 0.0
    /// Σ examination probability of the slots shown in.
    var exposure = 0.0
    var spend = 0.0
    var clicks = 0.0
}

/// Per-ad counters: impressions logged (history plus the run; popularity retrieval's weights),
/// impressions won in regular auctions, and the time of the first click (NaN: none yet).
struct AdTally {
    var logged = 0.0
    var regular = 0.0
    var firstClick = Double.nan
}

/// Hour × group sums (groups: the tiers, then "new"): exposure, spend, the merit of the measured
/// requests' candidates (true, estimated, count), and the active ads at the hour's last request;
/// hours past the horizon fold into the last. Plus per-cohort impressions and clicks.
struct HourlyTallies {
    let exposure, spend, activeAds: UnsafeMutableBufferPointer<Double>
    let meritTrue, meritEstimated, meritCount: UnsafeMutableBufferPointer<Double>
    let cohortImpressions, cohortClicks: UnsafeMutableBufferPointer<Double>
    let hours: Int
    /// Tiers + 1.
    let groups: Int

    init(hours: Int, tiers: Int, cohorts: Int, memory: ScratchMemory) {
        self.hours = hours
        groups = tiers + 1
        exposure = memory.buffer(hours * groups, filledWith: 0.0)
        spend = memory.buffer(hours * groups, filledWith: 0.0)
        activeAds = memory.buffer(hours * groups, filledWith: 0.0)
        meritTrue = memory.buffer(hours * groups, filledWith: 0.0)
        meritEstimated = memory.buffer(hours * groups, filledWith: 0.0)
        meritCount = memory.buffer(hours * groups, filledWith: 0.0)
        cohortImpressions = memory.buffer(cohorts, filledWith: 0.0)
        cohortClicks = memory.buffer(cohorts, filledWith: 0.0)
    }

    /// Index of (hour, group) in these sums and in `CellMetrics`' hourly arrays (the same layout).
    @inline(__always)
    func index(hour: Int, group: Int) -> Int { min(hour, hours - 1) * groups + group }

    /// Adds `amount` to the tier's hour, and to "new" for an entrant.
    @inline(__always)
    func add(_ amount: Double, to sums: UnsafeMutableBufferPointer<Double>, hour: Int, tier: Int, isNew: Bool) {
        let i = index(hour: hour, group: tier)
        sums[i] += amount
        if isNew { sums[i - tier + groups - 1] += amount }
    }
}
