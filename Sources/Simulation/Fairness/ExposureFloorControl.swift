import Marketplace
import Scenario

/// Exposure floor: keeps a group's share of position-weighted exposure at or above `share` in
/// every sliding window of `windowHours` (hourly buckets), by placing the group's best unplaced
/// candidate where it costs least (`MarketSimulation.enforceFloor`).
struct ExposureFloorControl: FairnessStage {
    let floorGroup: Int
    let floorShare: Double
    private var bucketHour: [Int]
    private var bucketGroup: [Double]
    private var bucketTotal: [Double]
    private(set) var floorPool: [Int] = []
    /// Tier count: the group number of "new".
    private let tiers: Int

    /// A floor for `group` (a tier name or "new"), over the world's initial advertisers.
    init(group: String, share: Double, windowHours: Double, world: World) {
        tiers = world.tierNames.count
        floorGroup = group == "new" ? tiers : world.tierNames.firstIndex(of: group)!
        floorShare = share
        let buckets = max(1, Int(windowHours.rounded(.up)))
        bucketHour = Array(repeating: -1, count: buckets)
        bucketGroup = Array(repeating: 0, count: buckets)
        bucketTotal = bucketGroup
        for adv in 0..<world.initialAdvertiserCount where floorGroup == Int(world.advertiserTier[adv]) {
            let first = Int(world.firstAd[adv])
            floorPool += Array(first..<(first + Int(world.adCount[adv])))
        }
    }

    static var floors: Bool { true }

    mutating func enter(advertiser adv: Int, world: World) {
        guard floorGroup == tiers || floorGroup == Int(world.advertiserTier[adv]) else { return }
        let first = Int(world.firstAd[adv])
        floorPool += Array(first..<(first + Int(world.adCount[adv])))
    }

    func floorWindow(hour: Int) -> (group: Double, total: Double) {
        var g = 0.0, t = 0.0
        for i in 0..<bucketHour.count where bucketHour[i] > hour - bucketHour.count && bucketHour[i] <= hour {
            g += bucketGroup[i]; t += bucketTotal[i]
        }
        return (g, t)
    }

    mutating func recordImpression(tier: Int, isNew: Bool, exposure e: Double, predicted: Double, clicked: Bool, hour: Int) {
        let i = hour % bucketHour.count
        if bucketHour[i] != hour { bucketHour[i] = hour; bucketGroup[i] = 0; bucketTotal[i] = 0 }
        if floorGroup == tiers ? isNew : tier == floorGroup { bucketGroup[i] += e }
        bucketTotal[i] += e
    }

    func floorAttainment(_ metrics: CellMetrics) -> (windows: Double, met: Double) {
        let w = bucketHour.count, width = metrics.tierCount + 1
        guard metrics.hours >= w else { return (0, 0) }
        var windows = 0.0, met = 0.0
        for end in (w - 1)..<metrics.hours where metrics.hourlyActiveAds[(end - w + 1) * width + floorGroup] > 0 {
            var group = 0.0, total = 0.0
            for h in (end - w + 1)...end {
                group += metrics.hourlyExposure[h * width + floorGroup]
                total += (0..<metrics.tierCount).reduce(0) { $0 + metrics.hourlyExposure[h * width + $1] }
            }
            guard total > 0 else { continue }
            windows += 1
            if group >= floorShare * total * (1 - 1e-9) { met += 1 }
        }
        return (windows, met)
    }
}
