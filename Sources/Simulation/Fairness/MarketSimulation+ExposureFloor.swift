import Marketplace
import Scenario

/// Counter of the uniform that picks where the exposure floor starts looking in its group's ads.
let floorCounter: UInt64 = 0xFFFF_FFFF_FFFF_FFE0

extension MarketSimulation {
    /// The exposure floor's placement step (when the fairness control `floors`): while the
    /// window's share of the floor group (counting this request) is below the floor, put the
    /// group's best unplaced candidate into the cheapest place — an empty slot first, then the
    /// lowest slot held by a regular winner outside the group — priced at the displaced winner's
    /// price (or the reserve), never above its own bid. When retrieval brought no usable group
    /// ad, one is fetched from the group's ads (the first with budget left in a keyed random
    /// window of at most 32), so the floor holds whenever the group can pay.
    mutating func enforceFloor(placed: Int, count n: inout Int, hour: Int, objective: Objective, measured: Bool) -> Int {
        let g = fairness.floorGroup, tiers = disparity.tiers
        func inGroup(_ i: Int) -> Bool {
            let adv = Int(world.adAdvertiser[request.candidates[i]])
            return g == tiers ? world.isNew[adv] : Int(world.advertiserTier[adv]) == g
        }
        let window = fairness.floorWindow(hour: hour)
        var k = placed, requestTotal = 0.0, requestGroup = 0.0
        for r in 0..<k {
            requestTotal += examination[r]
            if inGroup(request.placedCandidate[r]) { requestGroup += examination[r] }
        }
        while window.group + requestGroup < fairness.floorShare * (window.total + requestTotal) {
            var best = -1, bestScore = 0.0
            for i in 0..<n where inGroup(i) && request.bids[i] > 0 && request.bids[i] * request.quality[i] > bestScore {
                if (0..<k).contains(where: { request.placedCandidate[$0] == i }) { continue }
                best = i; bestScore = request.bids[i] * request.quality[i]
            }
            if best < 0, n < request.capacity, let ad = fetchFloorAd() {
                best = admit(ad, count: &n)
                rankLate(best, measured: measured, hour: hour)
                setQuality(best..<(best + 1), objective: objective)
                if (0..<k).contains(where: { request.placedCandidate[$0] == best }) || request.bids[best] <= 0 { break }
            }
            guard best >= 0 else { break }
            if k < examination.count {
                request.placedCandidate[k] = best; request.placedPrice[k] = min(request.bids[best], scenario.auction.reserve)
                request.placedExplored[k] = false
                requestTotal += examination[k]; requestGroup += examination[k]
                k += 1
                continue
            }
            guard let slot = (0..<k).reversed().first(where: { !request.placedExplored[$0] && !inGroup(request.placedCandidate[$0]) }) else { break }
            request.placedCandidate[slot] = best
            request.placedPrice[slot] = min(request.bids[best], request.placedPrice[slot])
            requestGroup += examination[slot]
        }
        return k
    }

    /// An ad of the floor group whose advertiser (and adgroup) can pay and has no candidate in this request yet.
    mutating func fetchFloorAd() -> Int? {
        let pool = fairness.floorPool
        guard !pool.isEmpty else { return nil }
        let start = Int(uniforms.uniform(requestId, floorCounter) * Double(pool.count))
        for j in 0..<min(pool.count, 32) {
            let ad = pool[(start + j) % pool.count], a = world.rank(of: Int(world.adAdvertiser[ad]))
            if ledger.accounts[a].entered && ledger.offers[a].seenAt != requestId && ledger.canPay(rank: a, position: Int(world.adPosition[ad])) {
                return ad
            }
        }
        return nil
    }
}
