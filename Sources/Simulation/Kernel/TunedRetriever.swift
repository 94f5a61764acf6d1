import Marketplace
import Stochastics

/// The tuned retriever: `Retriever`'s scan, asking the caches for what it will read next when
/// the memory plan says the world has outgrown them.
///
/// With `MemoryPlan.prefetchRecords` it asks for the offer (and the ranker's served row)
/// `prefetchDistance` positions ahead of the scan: a window starts at a random place, and those
/// reads stalled before the hardware's stream prefetcher caught on. With
/// `MemoryPlan.prefetchNextWindow` it also asks for the next request's window, step by step as
/// this one is scanned (`WindowPrefetch`).
struct TunedRetriever: Retriever {
    let plan: MemoryPlan
    let served: ServedRows?
    private var popularity = AliasTable()
    /// Positions ahead of the scan whose offers and served rows are asked for.
    static let prefetchDistance = 8

    init(world: World, plan: MemoryPlan, served: ServedRows?) {
        self.plan = plan
        self.served = served
    }

    mutating func rebuildPopularity(activeAds: Int, world: World, logged: UnsafeMutableBufferPointer<AdTally>) {
        popularity = Self.popularityIndex(activeAds: activeAds, world: world, logged: logged)
    }

    mutating func retrieve<B: Bidder>(_ request: RequestScratch, start: Int, context: RetrievalContext, bidders: B, world: World) -> Int {
        var n = 0
        if !popularity.isEmpty {
            let scanLimit = min(context.activeAds, 4 * context.maxCandidates)
            var scanned = 0
            while n < context.maxCandidates && scanned < scanLimit {
                Self.consider(Self.popularityDraw(popularity, scanned, context), request, context, bidders: bidders, world: world, count: &n)
                scanned += 1
            }
            return n
        }
        var ahead: WindowPrefetch? = nil
        guard let served, plan.prefetchRecords else {
            scan(from: start, request, context, bidders: bidders, world: world, rows: nil, ahead: &ahead, count: &n)
            return n
        }
        guard plan.prefetchNextWindow else {
            scan(from: start, request, context, bidders: bidders, world: world, rows: (served.rows, served.stride), ahead: &ahead, count: &n)
            return n
        }
        let ledger = context.ledger
        world.truth.withUnsafeBufferPointer { t in
            ahead = WindowPrefetch(from: context.upcomingStart, end: context.activeAds, rank: UnsafePointer(ledger.positionRanks.baseAddress!),
                                   order: UnsafePointer(ledger.positionAds.baseAddress!),
                                   offers: UnsafePointer(ledger.offers.baseAddress!), accountCount: ledger.offers.count,
                                   rows: served.rows, rowStride: served.stride, rates: served.rates,
                                   truth: context.upcomingMeasured ? t.baseAddress! : nil, truthStride: world.truthStride,
                                   accounts: context.upcomingMeasured ? UnsafePointer(ledger.accounts.baseAddress!) : nil)
            scan(from: start, request, context, bidders: bidders, world: world, rows: (served.rows, served.stride), ahead: &ahead, count: &n)
        }
        return n
    }

    /// Candidates from the window of retrieval positions starting at `start`, wrapping at the
    /// active ads (stepped, not divided: a division per scanned ad would cost as much as the rest of the step),
    /// with the prefetches the plan asks for.
    @inline(__always)
    private func scan<B: Bidder>(from start: Int, _ request: RequestScratch, _ context: RetrievalContext, bidders: B, world: World,
                                 rows: (base: UnsafePointer<Double>, stride: Int)?, ahead: inout WindowPrefetch?, count n: inout Int) {
        let activeAds = context.activeAds, scanLimit = min(activeAds, 4 * context.maxCandidates)
        let prefetching = plan.prefetchRecords
        let offers = context.ledger.offers.baseAddress!, rank = context.ledger.positionRanks
        var position = start, scanned = 0
        while n < context.maxCandidates && scanned < scanLimit {
            if prefetching && position + Self.prefetchDistance < activeAds {
                prefetch(offers + Int(rank[position + Self.prefetchDistance]))
                if let rows { prefetch(rows.base + (position + Self.prefetchDistance) * rows.stride, count: rows.stride) }
            }
            if scanned & (WindowPrefetch.step - 1) == 0 { ahead?.advance() }
            Self.consider(position, request, context, bidders: bidders, world: world, count: &n)
            scanned += 1
            position += 1
            if position == activeAds { position = 0 }
        }
    }
}
