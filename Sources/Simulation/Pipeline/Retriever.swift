import Marketplace
import Stochastics

/// The retrieval stage: the request's eligible candidates — ads whose advertiser (and adgroup) can pay today,
/// takes part (throttling), and has no candidate in the request yet — at most `maxCandidates`,
/// scanning at most four times that many positions.
///
/// The contract: `uniform` retrieval scans a window of consecutive retrieval positions from
/// `start` (wrapping at the active ads); `popularity` retrieval draws each scanned position from
/// the index built at the last model-update tick, ∝ logged impressions + 1, with the request's
/// keyed uniforms. Candidates are written in scan order to `request.candidates`,
/// `candidatePosition` and `bids` (the advertiser's offer, capped at what the adgroup has left); each taken advertiser's
/// `Offer.seenAt` is set to the request. Returns the candidate count.
protocol Retriever {
    /// A retriever for `world` (`served`: the ranker's tables, which a tuned retriever asks for ahead).
    init(world: World, plan: MemoryPlan, served: ServedRows?)
    mutating func retrieve<B: Bidder>(_ request: RequestScratch, start: Int, context: RetrievalContext, bidders: B, world: World) -> Int
    /// Rebuilds the popularity index over the first `activeAds` retrieval positions, weighted by
    /// each ad's logged impressions + 1.
    mutating func rebuildPopularity(activeAds: Int, world: World, logged: UnsafeMutableBufferPointer<AdTally>)
}

/// What retrieval reads of the request and the market.
struct RetrievalContext {
    let requestId: UInt64
    let activeAds: Int
    let maxCandidates: Int
    let uniforms: CounterUniform
    let ledger: Ledger
    /// Where the next request's window will most likely start, and whether that request measures
    /// merit (`UpcomingRequest`): what a tuned retriever may ask the caches for now.
    let upcomingStart: Int
    let upcomingMeasured: Bool
}

/// Base of the request-level counters used by popularity retrieval (two uniforms per draw).
let retrievalCounter: UInt64 = 0xFFFF_FFFF_FFFF_0000

extension Retriever {
    /// The popularity index over the first `activeAds` positions of `world`'s retrieval order.
    static func popularityIndex(activeAds: Int, world: World, logged: UnsafeMutableBufferPointer<AdTally>) -> AliasTable {
        var weights = Array(repeating: 0.0, count: activeAds)
        for i in 0..<activeAds { weights[i] = logged[Int(world.retrievalOrder[i])].logged + 1 }
        return AliasTable(weights: weights)
    }

    /// The retrieval position of popularity draw `scanned` of the request.
    @inline(__always)
    static func popularityDraw(_ index: AliasTable, _ scanned: Int, _ context: RetrievalContext) -> Int {
        let k = retrievalCounter + 2 * UInt64(scanned)
        return index.draw(context.uniforms.uniform(context.requestId, k), context.uniforms.uniform(context.requestId, k + 1))
    }

    /// Takes the ad at retrieval `position` as candidate `n` (and counts it) if its advertiser can
    /// pay, has no candidate in this request yet and, under throttling, takes part — and, under
    /// adgroup caps, its adgroup can pay (its bid capped at what the adgroup has left).
    @inline(__always)
    static func consider<B: Bidder>(_ position: Int, _ request: RequestScratch, _ context: RetrievalContext, bidders: B,
                                    world: World, count n: inout Int) {
        let ledger = context.ledger
        let a = ledger.rank(position: position)
        let offer = ledger.offers[a]
        if offer.seenAt == context.requestId || offer.bid < 0 { return }
        let left = ledger.adgroupLeft(position: position)
        if left <= 0 { return }
        if bidders.throttling {
            let adv = Int(world.positionAdvertiser[position])
            let u = context.uniforms.uniform(context.requestId, UInt64(adv) << 2 | UniformPurpose.throttle.rawValue)
            if u >= bidders.participation(rank: a) { return }
        }
        ledger.offers[a].seenAt = context.requestId
        request.candidates[n] = Int(ledger.positionAds[position])
        request.candidatePosition[n] = position
        request.bids[n] = min(offer.bid, left)
        n += 1
    }
}
