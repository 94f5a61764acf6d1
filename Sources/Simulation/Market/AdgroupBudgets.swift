import Marketplace

/// Daily caps per adgroup inside its advertiser's (`tiers.<t>.adgroupBudgetShares`): an adgroup may
/// spend its share of the advertiser's day cap, and the advertiser's own cap still binds the sum.
///
/// An adgroup whose cap is spent drops out of retrieval, the explorer and the exposure floor for
/// the rest of the day while its advertiser's other adgroups stay in; its ads' auction bids are
/// capped at what the adgroup has left, as the advertiser's are at what it has left. Absent
/// (nil in `Ledger`) when no adgroup has a cap of its own, so worlds without shares read nothing.
struct AdgroupBudgets {
    let share, cap, spent: UnsafeMutableBufferPointer<Double>
    /// The adgroup of the ad at each retrieval position.
    let positionGroup: UnsafeMutableBufferPointer<Int32>
    /// Each account rank's adgroups: `rankGroupCount` from `rankFirstGroup`.
    let rankFirstGroup, rankGroupCount: UnsafeMutableBufferPointer<Int32>

    init?(world: World, memory: ScratchMemory) {
        guard world.hasAdgroupBudgets else { return nil }
        share = memory.buffer(copying: world.adgroupBudgetShare)
        cap = memory.buffer(world.adgroupCountTotal, filledWith: 0.0)
        spent = memory.buffer(world.adgroupCountTotal, filledWith: 0.0)
        positionGroup = memory.buffer(copying: world.retrievalOrder.map { world.adAdgroup[Int($0)] })
        rankFirstGroup = memory.buffer(copying: world.rankAdvertiser.map { world.firstAdgroup[Int($0)] })
        rankGroupCount = memory.buffer(copying: world.rankAdvertiser.map { world.adgroupCount[Int($0)] })
    }

    /// Opens the day for account rank `r`'s adgroups: each may spend its share of `dayCap`.
    func open(rank r: Int, dayCap: Double) {
        let first = Int(rankFirstGroup[r])
        for g in first..<(first + Int(rankGroupCount[r])) {
            cap[g] = dayCap * share[g]
            spent[g] = 0
        }
    }

    /// What the adgroup of the ad at retrieval `position` may still spend today.
    @inline(__always)
    func left(position: Int) -> Double {
        let g = Int(positionGroup[position])
        return cap[g] - spent[g]
    }

    @inline(__always)
    func charge(position: Int, price: Double) { spent[Int(positionGroup[position])] += price }
}
