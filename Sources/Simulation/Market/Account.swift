import Marketplace

/// An advertiser's state as the request path sees it, in one 64-byte record.
///
/// A candidate's advertiser is a random one, so each separate per-advertiser array it touches costs
/// a cache miss once the marketplace outgrows the caches; one record costs one (or two) lines. The
/// constant fields are copies of the world's, taken at start-up. Retrieval reads only the
/// advertiser's `Offer` (a quarter of a line); the account is read for the ads placed.
struct Account {
    /// Today's budget cap (0 before the advertiser enters) and the spend so far today.
    var dayCap = 0.0
    var spentToday = 0.0
    /// The advertiser's current bid before the budget cap: the bidder's (`Bidder`), e.g. the
    /// world's bid shaded by the pacing multiplier.
    var pacedBid: Double
    /// Click-logit drift of the true model.
    var drift = 0.0
    /// Spend since the last pacing update.
    var periodSpend = 0.0
    /// Bid per click before pacing (the world's, times a fixed-CPC bidder's shading).
    var bid: Double
    /// The daily budget: the world's, moved by budget reviews, 0 once the advertiser has left.
    var dailyBudget: Double
    let tier: Int32
    let isNew: Bool
    /// Whether the pacing controller is on the bidders' due list (every one at first).
    var pacingListed = true
    /// Whether the advertiser has entered the market (present from the start, or since its entry).
    var entered: Bool
    /// Whether it autobids (`Autobidders`): then `pacedBid` is its bid per conversion, and a
    /// candidate's bid per click is the platform's pCVR times it.
    var autobids = false

    init(world: World, advertiser adv: Int) {
        bid = world.bid[adv]
        pacedBid = bid
        dailyBudget = world.dailyBudget[adv]
        tier = world.advertiserTier[adv]
        isNew = world.isNew[adv]
        entered = !isNew
    }

    /// Budget left today.
    var remaining: Double { dayCap - spentToday }
    /// Whether any budget is left today.
    var canPay: Bool { spentToday < dayCap }
    /// The bid entered in an auction now: the paced bid, capped at the budget left.
    var auctionBid: Double { min(pacedBid, remaining) }
    /// What retrieval offers: the auction bid when budget is left, else `Offer.closed`.
    var offer: Double { canPay ? auctionBid : Offer.closed }
}

/// The two fields retrieval reads per scanned ad, 16 bytes per advertiser (four to a cache line):
/// whether the advertiser already has a candidate in this request, and its auction bid.
///
/// `bid` is a copy of `Account.offer`, refreshed wherever the budget, the spend or the paced bid
/// changes (day start, entry, pacing update, charge): a bid is never negative, so a negative
/// value marks an advertiser without budget left.
struct Offer {
    /// Request id of the last request that took a candidate from this advertiser.
    var seenAt: UInt64 = .max
    var bid = Offer.closed
    /// The bid of an advertiser that cannot pay.
    static let closed = -1.0
}
