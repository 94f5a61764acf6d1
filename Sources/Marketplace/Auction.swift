import Scenario

/// A position auction over K slots: ranks bidders by bid × quality and prices each slot.
///
/// Holds its scratch buffers so that repeated auctions allocate nothing. Quality scales a
/// bidder's expected clicks (or value) per unit of slot weight; with all qualities 1 the
/// mechanisms reduce to their textbook forms:
/// - `gsp`: price per click of rank i is b₍ᵢ₊₁₎·q₍ᵢ₊₁₎ / q₍ᵢ₎ (Edelman, Ostrovsky & Schwarz 2007);
/// - `vcg`: the expected payment of rank i is Σ_{j≥i} (α_j − α_{j+1})·max(b₍ⱼ₊₁₎q₍ⱼ₊₁₎, r·q₍ᵢ₎) over
///   every slot j ≥ i (a missing bidder scores 0), divided by α_i·q₍ᵢ₎ to get a price per click: the
///   reserve r acts as a phantom bidder, so each winner pays its Myerson threshold (with all
///   qualities 1 and bids 5, 4, 3, 2, weights 0.5, 0.3, 0.1, r = 2.5: 3.30, 2.83, 2.50 per click);
/// - `second-price`: rank i pays the next-ranked bid b₍ᵢ₊₁₎ per click (no quality normalisation);
/// - `first-price`: each winner pays its own bid.
/// Every price is at least the reserve and at most the winner's own bid; bidders bidding
/// below the reserve are not allocated. Ties in bid × quality go to the lower bidder index.
///
///     var auction = PositionAuction(capacity: 8)
///     let n = auction.run(.gsp, reserve: 0, bids: bids, quality: q, weights: [0.5, 0.3, 0.1])
///     // auction.winners[0..<n], auction.prices[0..<n]
/// - Complexity: O(n·K) for n bidders and K slots.
public struct PositionAuction: Sendable {
    /// Bidder index of the winner of each filled slot, best slot first.
    public private(set) var winners: [Int]
    /// Price per click of each filled slot.
    public private(set) var prices: [Double]
    /// Ranked eligible bidders (K + 1 of them at most: the first loser sets prices), and their
    /// scores bid × quality.
    private var ranked: [Int]
    private var rankedScore: [Double]
    /// Bidders shortlisted for ranking, and the score threshold of the shortlist.
    private var shortlist: [Int] = []
    private var guess = 0.0

    public init(capacity slots: Int) {
        winners = Array(repeating: 0, count: slots)
        prices = Array(repeating: 0, count: slots)
        ranked = Array(repeating: 0, count: slots + 1)
        rankedScore = Array(repeating: 0, count: slots + 1)
    }

    /// Runs one auction; returns the number of filled slots (≤ weights.count).
    public mutating func run(_ mechanism: Mechanism, reserve: Double,
                             bids: UnsafeBufferPointer<Double>, quality: UnsafeBufferPointer<Double>,
                             weights: UnsafeBufferPointer<Double>) -> Int {
        let slots = weights.count
        if ranked.count < slots + 1 {
            ranked = Array(repeating: 0, count: slots + 1)
            rankedScore = Array(repeating: 0, count: slots + 1)
            winners = Array(repeating: 0, count: slots)
            prices = Array(repeating: 0, count: slots)
        }
        // Shortlist, without branches: the eligible bidders scoring above a guessed threshold
        // (half the last auction's (slots + 1)-th score), in bidder order. When at least slots + 1
        // make it, they include every bidder the full ranking would keep (its (slots + 1)-th
        // score is then above the guess), so ranking the shortlist gives the same result; the
        // guess only saves ranking work.
        let capacity = slots + 1
        if shortlist.count < bids.count { shortlist = Array(repeating: 0, count: bids.count) }
        let threshold = guess
        var listed = 0
        shortlist.withUnsafeMutableBufferPointer { list in
            for i in 0..<bids.count {
                let b = bids[i], q = quality[i]
                list[listed] = i
                let eligible = (b >= reserve ? 1 : 0) & (b > 0 ? 1 : 0) & (q > 0 ? 1 : 0)
                listed &+= eligible & (b * q > threshold ? 1 : 0)
            }
        }
        let kept = listed >= capacity
            ? shortlist.withUnsafeBufferPointer { rank(bids: bids, quality: quality, reserve: reserve, capacity: capacity, among: $0[0..<listed]) }
            : rank(bids: bids, quality: quality, reserve: reserve, capacity: capacity, among: 0..<bids.count)
        guess = kept == capacity ? 0.5 * rankedScore[capacity - 1] : 0
        let filled = min(kept, slots)
        for r in 0..<filled {
            winners[r] = ranked[r]
            prices[r] = ranked.withUnsafeBufferPointer {
                Self.price(mechanism, rank: r, ranked: $0, kept: kept, filled: filled, reserve: reserve, bids: bids, quality: quality, weights: weights)
            }
        }
        return filled
    }
}

extension PositionAuction {
    /// The price per click of rank `r` of a ranking — `ranked[0..<kept]` (bidder indices, best
    /// first; `kept` ≤ slots + 1, the first loser included), of which `filled` won slots — under
    /// `mechanism`, clamped to [reserve, own bid] (see the type's summary for each rule).
    public static func price(_ mechanism: Mechanism, rank r: Int, ranked: UnsafeBufferPointer<Int>, kept: Int, filled: Int,
                             reserve: Double, bids: UnsafeBufferPointer<Double>, quality: UnsafeBufferPointer<Double>,
                             weights: UnsafeBufferPointer<Double>) -> Double {
        let slots = weights.count
        let w = ranked[r]
        let bid = bids[w], q = quality[w]
        let hasNext = r + 1 < kept
        var price: Double
        switch mechanism {
        case .firstPrice:
            price = bid
        case .secondPrice:
            price = hasNext ? bids[ranked[r + 1]] : 0
        case .gsp:
            price = hasNext ? bids[ranked[r + 1]] * quality[ranked[r + 1]] / q : 0
        case .vcg:
            // Over every slot the winner could fall to, not only the filled ones: below the last
            // eligible bidder it would still be placed as long as its score beats the reserve's.
            let floor = reserve * q
            var payment = 0.0
            for j in r..<slots {
                let next = j + 1 < kept ? bids[ranked[j + 1]] * quality[ranked[j + 1]] : 0
                let drop = weights[j] - (j + 1 < slots ? weights[j + 1] : 0)
                payment += drop * max(next, floor)
            }
            price = payment / (weights[r] * q)
        }
        return min(bid, max(reserve, price))
    }

    /// Keeps the top `capacity` eligible bidders among `candidates` (in bidder order) by score in
    /// `ranked` and `rankedScore`; returns how many are kept. Up to eight in SIMD lanes, more by
    /// insertion.
    @inline(__always)
    mutating func rank<C: Collection<Int>>(bids: UnsafeBufferPointer<Double>, quality: UnsafeBufferPointer<Double>,
                                           reserve: Double, capacity: Int, among candidates: C) -> Int {
        if capacity <= 4 { return rankInLanes4(bids: bids, quality: quality, reserve: reserve, capacity: capacity, among: candidates) }
        if capacity <= 8 { return rankInLanes8(bids: bids, quality: quality, reserve: reserve, capacity: capacity, among: candidates) }
        return rankByInsertion(bids: bids, quality: quality, reserve: reserve, capacity: capacity, among: candidates)
    }

    /// `rank` by insertion; once `ranked` is full, a bidder that does not beat the last kept score
    /// is turned away with one comparison.
    @inline(__always)
    mutating func rankByInsertion<C: Collection<Int>>(bids: UnsafeBufferPointer<Double>, quality: UnsafeBufferPointer<Double>,
                                           reserve: Double, capacity: Int, among candidates: C) -> Int {
        var kept = 0
        let slots = capacity - 1
        ranked.withUnsafeMutableBufferPointer { r in
            rankedScore.withUnsafeMutableBufferPointer { score in
                for i in candidates {
                    let b = bids[i], q = quality[i]
                    guard b >= reserve, b > 0, q > 0 else { continue }
                    let s = b * q
                    if kept == capacity && score[kept - 1] >= s { continue }
                    var pos = kept
                    while pos > 0 && !(score[pos - 1] >= s) { pos -= 1 }
                    var j = min(kept, slots)
                    while j > pos { r[j] = r[j - 1]; score[j] = score[j - 1]; j -= 1 }
                    r[pos] = i
                    score[pos] = s
                    kept = min(kept + 1, capacity)
                }
            }
        }
        return kept
    }
}

extension PositionAuction {
    // `rank` without branches: the kept scores and bidder indices live in four (up to three
    // slots) or eight lanes, best first, empty lanes at −∞. A bidder with score s takes lane j
    // when s beats lane j's score but not lane j − 1's, and every lane it beats takes its upper
    // neighbour's entry — two comparisons and two blends per bidder, where insertion mispredicted
    // about every other comparison.
    // Strict comparisons keep ties in bidder order; an ineligible bidder enters with score −∞ and
    // beats nothing. Two concrete copies: written generically over the lane type, the four-lane
    // one compiled to branches on single lanes.

    @inline(__always)
    mutating func rankInLanes4<C: Collection<Int>>(bids: UnsafeBufferPointer<Double>, quality: UnsafeBufferPointer<Double>,
                                                   reserve: Double, capacity: Int, among candidates: C) -> Int {
        var score = SIMD4<Double>(repeating: -.infinity), index = SIMD4<Double>(repeating: -1)
        for i in candidates {
            let s = SIMD4<Double>(repeating: Self.laneScore(bid: bids[i], quality: quality[i], reserve: reserve))
            // Each lane's upper neighbour (lane 0's is +∞: nothing moves into it from above).
            let above = SIMD4<Double>(.infinity, score[0], score[1], score[2])
            let aboveIndex = SIMD4<Double>(-1, index[0], index[1], index[2])
            let beaten = score .< s, beatenAbove = above .< s
            score.replace(with: s.replacing(with: above, where: beatenAbove), where: beaten)
            index.replace(with: SIMD4<Double>(repeating: Double(i)).replacing(with: aboveIndex, where: beatenAbove), where: beaten)
        }
        return keep(score: score, index: index, capacity: capacity)
    }

    @inline(__always)
    mutating func rankInLanes8<C: Collection<Int>>(bids: UnsafeBufferPointer<Double>, quality: UnsafeBufferPointer<Double>,
                                                   reserve: Double, capacity: Int, among candidates: C) -> Int {
        var score = SIMD8<Double>(repeating: -.infinity), index = SIMD8<Double>(repeating: -1)
        for i in candidates {
            let s = SIMD8<Double>(repeating: Self.laneScore(bid: bids[i], quality: quality[i], reserve: reserve))
            let above = SIMD8<Double>(.infinity, score[0], score[1], score[2], score[3], score[4], score[5], score[6])
            let aboveIndex = SIMD8<Double>(-1, index[0], index[1], index[2], index[3], index[4], index[5], index[6])
            let beaten = score .< s, beatenAbove = above .< s
            score.replace(with: s.replacing(with: above, where: beatenAbove), where: beaten)
            index.replace(with: SIMD8<Double>(repeating: Double(i)).replacing(with: aboveIndex, where: beatenAbove), where: beaten)
        }
        return keep(score: score, index: index, capacity: capacity)
    }

    /// A bidder's score b·q, or −∞ when it may not take part (below the reserve, no bid or no
    /// quality); written without short-circuits, so the compiler selects rather than branches.
    @inline(__always)
    static func laneScore(bid b: Double, quality q: Double, reserve: Double) -> Double {
        let eligible = (b >= reserve ? 1 : 0) & (b > 0 ? 1 : 0) & (q > 0 ? 1 : 0)
        return eligible != 0 ? b * q : -.infinity
    }

    /// Writes the first `capacity` filled lanes to `ranked` and `rankedScore`; returns their count.
    @inline(__always)
    mutating func keep<L: SIMD>(score: L, index: L, capacity: Int) -> Int where L.Scalar == Double {
        var kept = 0
        for j in 0..<capacity where score[j] > -.infinity {
            ranked[j] = Int(index[j])
            rankedScore[j] = score[j]
            kept += 1
        }
        return kept
    }
}

/// One filled slot of an auction, for callers that prefer values to buffers.
public struct SlotAward: Sendable, Equatable, Codable {
    /// 1-based slot number.
    public var slot: Int
    /// 0-based bidder index.
    public var bidder: Int
    public var pricePerClick: Double
    /// Expected payment: price per click × slot weight × quality.
    public var payment: Double
}

extension PositionAuction {
    /// Runs one auction on arrays and returns the awards (convenience for the CLI and tests).
    public static func awards(_ mechanism: Mechanism, reserve: Double, bids: [Double],
                              quality: [Double]? = nil, weights: [Double]) -> [SlotAward] {
        let q = quality ?? Array(repeating: 1, count: bids.count)
        var auction = PositionAuction(capacity: weights.count)
        let n = bids.withUnsafeBufferPointer { b in
            q.withUnsafeBufferPointer { qb in
                weights.withUnsafeBufferPointer { w in auction.run(mechanism, reserve: reserve, bids: b, quality: qb, weights: w) }
            }
        }
        return (0..<n).map { r in
            let w = auction.winners[r]
            return SlotAward(slot: r + 1, bidder: w, pricePerClick: auction.prices[r],
                             payment: auction.prices[r] * weights[r] * q[w])
        }
    }
}
