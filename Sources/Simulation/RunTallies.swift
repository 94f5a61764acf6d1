/// Counters the event loop adds to on every impression and click, in scratch memory during the
/// run and copied into `CellMetrics`' arrays when it ends (`collectTallies`): the same sums in the
/// same order. As array properties of `CellMetrics` each write paid a uniqueness check (a call)
/// and, for a random advertiser in a large marketplace, a cache miss per array.

/// Per-advertiser counters, one record per advertiser (indexed like `accounts`).
struct Tally {
    var impressions = 0.0
    /// Σ examination probability of the slots shown in.
    var exposure = 0.0
    var spend = 0.0
    var clicks = 0.0
}

/// Per-ad counters: impressions logged (history plus the run, for popularity retrieval),
/// impressions won in regular auctions, and the time of the first click (NaN: none yet).
struct AdTally {
    var logged = 0.0
    var regular = 0.0
    var firstClick = Double.nan
}

/// Hour × group sums (groups: the tiers, then "new"): exposure, spend, and the active ads at the
/// hour's last request; hours past the horizon fold into the last. Plus per-cohort impressions
/// and clicks.
struct HourlyTallies {
    let exposure, spend, activeAds: UnsafeMutableBufferPointer<Double>
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
