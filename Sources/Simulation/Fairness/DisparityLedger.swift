/// Exposure and merit per group (the tiers, then "new"): what every policy's disparity metrics
/// are computed from, and what FairCo steers by.
///
/// Merit of a group is its mean value per impression among the candidates the platform considered
/// (bid × click rate: the true rate, and separately the ranker's estimate), measured on one
/// request in `MarketSimulation.meritSampling`. A group's treatment ratio is
/// r_G = (exposure per active ad) ÷ merit; fairness of exposure (Singh & Joachims 2018) asks for
/// equal r across groups.
struct DisparityLedger {
    let tiers: Int
    var exposure: [Double]
    var meritTrue: [Double]
    var meritEstimated: [Double]
    var meritCount: [Double]
    var activeAds: [Double]
    /// Requests that reached ranking so far.
    var requests = 0.0

    init(tiers: Int) {
        self.tiers = tiers
        exposure = Array(repeating: 0, count: tiers + 1)
        meritTrue = exposure; meritEstimated = exposure; meritCount = exposure; activeAds = exposure
    }

    // MARK: - Treatment ratios and disparity

    /// r_G for a group, using true or estimated merit; nil when undefined.
    func ratio(_ g: Int, estimated: Bool) -> Double? {
        Self.ratio(exposure: exposure[g], ads: activeAds[g], merit: estimated ? meritEstimated[g] : meritTrue[g], count: meritCount[g])
    }

    /// (exposure / ads) / (merit / count), or nil when any part is missing.
    static func ratio(exposure: Double, ads: Double, merit: Double, count: Double) -> Double? {
        guard ads > 0, count > 0, merit > 0 else { return nil }
        return (exposure / ads) / (merit / count)
    }

    /// (max r − min r) / mean r over the tiers (0 = exposure proportional to merit).
    func disparity(estimated: Bool) -> Double {
        let r = (0..<tiers).compactMap { ratio($0, estimated: estimated) }
        return Self.relativeSpread(r)
    }

    /// max r ÷ min r over the tiers: how many times more exposure per unit of merit the
    /// best-treated tier gets than the worst-treated one.
    func treatmentRatio() -> Double {
        let r = (0..<tiers).compactMap { ratio($0, estimated: false) }
        guard let lo = r.min(), let hi = r.max(), lo > 0 else { return .nan }
        return hi / lo
    }

    /// Disparity between new advertisers and established ones (true merit).
    func disparityNew() -> Double {
        let n = tiers
        // Established = every tier minus the new advertisers (who also count in their tiers).
        let rEstablished = Self.ratio(exposure: exposure[0..<n].reduce(0, +) - exposure[n], ads: activeAds[0..<n].reduce(0, +) - activeAds[n],
                                      merit: meritTrue[0..<n].reduce(0, +) - meritTrue[n], count: meritCount[0..<n].reduce(0, +) - meritCount[n])
        guard let rNew = ratio(n, estimated: false), let rEst = rEstablished else { return .nan }
        return Self.relativeSpread([rNew, rEst])
    }

    static func relativeSpread(_ r: [Double]) -> Double {
        guard r.count > 1, let lo = r.min(), let hi = r.max() else { return 0 }
        let mean = r.reduce(0, +) / Double(r.count)
        return mean > 0 ? (hi - lo) / mean : 0
    }

    /// FairCo's error term per tier: (t − 1) × (max_j r_j − r_G) / mean_j r_j, with t the number
    /// of requests so far (Morik et al.'s (τ − 1)·max D̂, made scale-free).
    func faircoErrors(estimated: Bool, into err: inout [Double]) {
        var r = Array(repeating: 0.0, count: tiers)
        var defined = 0, best = 0.0, total = 0.0
        for g in 0..<tiers {
            if let value = ratio(g, estimated: estimated) { r[g] = value; defined += 1; best = max(best, value); total += value }
        }
        for g in 0..<tiers { err[g] = 0 }
        guard defined > 1, total > 0 else { return }
        let mean = total / Double(defined)
        for g in 0..<tiers where r[g] > 0 { err[g] = max(0, requests - 1) * (best - r[g]) / mean }
    }
}
