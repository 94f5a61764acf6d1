/// The bidder stage: how advertisers turn value into the bids retrieval offers, with pacing as
/// the bidders' state.
///
/// The contract: an advertiser's auction bid is `Account.auctionBid` — its current bid
/// (`Account.pacedBid`, which the bidder sets) capped at its budget left today, so no strategy
/// can spend more than the day's budget; the ledger copies it into the `Offer` retrieval reads.
/// The engine tells the bidders of every charge (`charged`) and calls `updatePacing` every pacing
/// interval with the interval's share of a day's traffic. Under throttling, retrieval takes an
/// advertiser's ad only when the request's keyed uniform falls below `participation(rank:)`.
///
/// Autobidding advertisers (`Autobidders`) are the stage's second part: their `pacedBid` is a bid
/// per conversion, retrieval carries it as the offer, and after scoring each autobidding
/// candidate's bid becomes min(pCVR × bid per conversion, budget left). Their controllers move at
/// the pacing tick; the pacing controllers skip them.
protocol Bidder {
    /// Whether pacing throttles participation (then retrieval consults `participation(rank:)`).
    var throttling: Bool { get }
    /// The probability that the advertiser at account rank `rank` takes part in a request.
    func participation(rank: Int) -> Double
    /// The advertiser at `rank` was charged (its pacing controller must look at the next interval).
    mutating func charged(rank: Int, ledger: Ledger)
    /// The pacing tick: each advertiser's controller compares the interval's spend with its share
    /// `share` of the daily budget. `prefetching` asks for the listed accounts ahead (a hint).
    mutating func updatePacing(share: Double, ledger: Ledger, prefetching: Bool)
}
