import Marketplace

/// Budgets, spend and offers per advertiser, and the retrieval-position tables that find a
/// position's advertiser: the market state every stage reads (in scratch memory, so a copy of
/// the ledger is a handful of pointers and writes through it are plain stores).
///
/// Per-advertiser records are indexed by `World.advertiserRank` (order of first appearance in
/// retrieval order), so a window of retrieval positions reads them nearly front to back.
struct Ledger {
    let accounts: UnsafeMutableBufferPointer<Account>
    /// Retrieval's view of each account (`Offer`); `refreshOffer` after every change to an
    /// account's budget, spend or current bid.
    let offers: UnsafeMutableBufferPointer<Offer>
    /// The world's `positionRank` and `retrievalOrder`: the account rank and the ad at each
    /// retrieval position.
    let positionRanks: UnsafeMutableBufferPointer<Int32>, positionAds: UnsafeMutableBufferPointer<Int32>
    /// Whether the true model drifts (otherwise every account's drift stays 0).
    let drifts: Bool
    /// Per-adgroup caps inside the accounts' (nil when no adgroup has a cap of its own).
    let adgroups: AdgroupBudgets?

    init(world: World, drifts: Bool, memory: ScratchMemory) {
        accounts = memory.buffer(copying: world.rankAdvertiser.map { Account(world: world, advertiser: Int($0)) })
        offers = memory.buffer(world.rankAdvertiser.count, filledWith: Offer())
        positionRanks = memory.buffer(copying: world.positionRank)
        positionAds = memory.buffer(copying: world.retrievalOrder)
        self.drifts = drifts
        adgroups = AdgroupBudgets(world: world, memory: memory)
    }

    /// The account rank of the ad at retrieval `position`.
    @inline(__always)
    func rank(position: Int) -> Int { Int(positionRanks[position]) }

    /// Copies account `r`'s auction bid (or `Offer.closed`) to the offer retrieval reads.
    @inline(__always)
    func refreshOffer(_ r: Int) { offers[r].bid = accounts[r].offer }

    /// Gives account `r` `share` of its daily budget, nothing spent yet; returns the day's cap.
    func openBudget(rank r: Int, share: Double) -> Double {
        accounts[r].spentToday = 0
        accounts[r].dayCap = accounts[r].dailyBudget * share
        refreshOffer(r)
        adgroups?.open(rank: r, dayCap: accounts[r].dayCap)
        return accounts[r].dayCap
    }

    /// Charges account `r` `price` for a click on the ad at retrieval `position` (and its adgroup).
    @inline(__always)
    func charge(rank r: Int, position: Int, price: Double) {
        accounts[r].spentToday += price
        refreshOffer(r)
        accounts[r].periodSpend += price
        adgroups?.charge(position: position, price: price)
    }

    /// What the ad at retrieval `position` may bid at most: its adgroup's budget left today
    /// (infinite without adgroup caps; the account's cap is in its offer already).
    @inline(__always)
    func adgroupLeft(position: Int) -> Double { adgroups?.left(position: position) ?? .infinity }

    /// Whether the ad at retrieval `position` can be paid for today: its account and its adgroup.
    @inline(__always)
    func canPay(rank r: Int, position: Int) -> Bool { accounts[r].canPay && adgroupLeft(position: position) > 0 }

    /// The click-logit drift of the advertiser of the ad at retrieval `position`: its account's
    /// when the truth drifts, else the 0 every account holds then (without reading the account).
    @inline(__always)
    func drift(position: Int) -> Double {
        drifts ? accounts[rank(position: position)].drift : 0
    }
}
