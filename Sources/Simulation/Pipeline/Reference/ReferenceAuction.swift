import Marketplace
import Scenario

/// The reference allocator: every eligible bidder sorted by bid × quality (ties to the lower
/// index), the first `slots` of them win, priced by `PositionAuction.price`.
///
/// The specification the tuned `PositionAuction` (shortlist, SIMD-lane ranking) is held to.
/// - Complexity: O(n log n) for n bidders; allocates per auction.
struct ReferenceAuction: Allocator {
    private(set) var winners: [Int] = []
    private(set) var prices: [Double] = []

    init(capacity slots: Int) {}

    mutating func run(_ mechanism: Mechanism, reserve: Double, bids: UnsafeBufferPointer<Double>, quality: UnsafeBufferPointer<Double>,
                      weights: UnsafeBufferPointer<Double>) -> Int {
        let eligible = (0..<bids.count).filter { bids[$0] >= reserve && bids[$0] > 0 && quality[$0] > 0 }
        let score = { (i: Int) in bids[i] * quality[i] }
        let ranked = Array(eligible.sorted { score($0) > score($1) || (score($0) == score($1) && $0 < $1) }.prefix(weights.count + 1))
        let filled = min(ranked.count, weights.count)
        winners = Array(ranked.prefix(filled))
        prices = ranked.withUnsafeBufferPointer { order in
            (0..<filled).map { r in
                PositionAuction.price(mechanism, rank: r, ranked: order, kept: ranked.count, filled: filled, reserve: reserve,
                                      bids: bids, quality: quality, weights: weights)
            }
        }
        return filled
    }
}
