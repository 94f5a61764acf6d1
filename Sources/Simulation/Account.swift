import Marketplace

/// An advertiser's state as the request path sees it, packed into one 64-byte record.
///
/// A candidate's advertiser is a random one, so each separate per-advertiser array it touches costs
/// a cache miss once the marketplace outgrows the caches; one record costs one (or two) lines. The
/// constant fields are copies of the world's, taken at start-up.
struct Account {
    /// Request id of the last request that took a candidate from this advertiser.
    var seenAt: UInt64 = .max
    /// Today's budget cap (0 before the advertiser enters) and the spend so far today.
    var dayCap = 0.0
    var spentToday = 0.0
    /// The bid entered in auctions before the budget cap: the world's bid shaded by the pacing
    /// multiplier, refreshed at every pacing update.
    var pacedBid: Double
    /// Click-logit drift of the true model.
    var drift = 0.0
    /// Bid per click before pacing.
    let bid: Double
    let dailyBudget: Double
    let tier: Int32
    let isNew: Bool

    init(world: World, advertiser adv: Int) {
        bid = world.bid[adv]
        pacedBid = bid
        dailyBudget = world.dailyBudget[adv]
        tier = world.advertiserTier[adv]
        isNew = world.isNew[adv]
    }

    /// Budget left today.
    var remaining: Double { dayCap - spentToday }
    /// Whether any budget is left today.
    var canPay: Bool { spentToday < dayCap }
    /// The bid entered in an auction now: the paced bid, capped at the budget left.
    var auctionBid: Double { min(pacedBid, remaining) }
}
