import Marketplace
import Scenario

/// The allocator stage: the auction that ranks the candidates by bid × quality and prices the slots.
///
/// The contract: `run` ranks the eligible bidders (bid ≥ reserve, bid > 0, quality > 0) by
/// bid × quality, ties to the lower index, fills at most `weights.count` slots, writes the
/// winners (bidder indices, best slot first) and their prices per click, and returns the number
/// of filled slots. Every price lies between the reserve and the winner's own bid. The prices of
/// a ranking are `PositionAuction.price(…)`'s, whatever the implementation.
protocol Allocator {
    init(capacity slots: Int)
    var winners: [Int] { get }
    var prices: [Double] { get }
    mutating func run(_ mechanism: Mechanism, reserve: Double, bids: UnsafeBufferPointer<Double>, quality: UnsafeBufferPointer<Double>,
                      weights: UnsafeBufferPointer<Double>) -> Int
}

/// The tuned allocator: a shortlist and SIMD-lane ranking (Marketplace/Auction.swift).
extension PositionAuction: Allocator {}
