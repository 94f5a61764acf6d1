import Marketplace
import Stochastics

/// The reference retriever: the scan of `Retriever`'s contract, position by position, asking
/// the caches for nothing.
struct ReferenceRetriever: Retriever {
    private var popularity = AliasTable()

    init(world: World, plan: MemoryPlan, served: ServedRows?) {}

    mutating func retrieve<B: Bidder>(_ request: RequestScratch, start: Int, context: RetrievalContext, bidders: B, world: World) -> Int {
        let scanLimit = min(context.activeAds, 4 * context.maxCandidates)
        var n = 0, scanned = 0
        while n < context.maxCandidates && scanned < scanLimit {
            let position = popularity.isEmpty ? (start + scanned) % context.activeAds : Self.popularityDraw(popularity, scanned, context)
            Self.consider(position, request, context, bidders: bidders, world: world, count: &n)
            scanned += 1
        }
        return n
    }

    mutating func rebuildPopularity(activeAds: Int, world: World, logged: UnsafeMutableBufferPointer<AdTally>) {
        popularity = Self.popularityIndex(activeAds: activeAds, world: world, logged: logged)
    }
}
