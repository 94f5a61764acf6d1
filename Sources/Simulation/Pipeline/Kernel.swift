import Marketplace
import Stochastics

/// The implementation of the hot stages — retrieval, scoring, the auction, the true rates and
/// the response path's prefetches — behind the stages' contracts.
///
/// Two conform: `ReferenceKernel`, the plain readable specification (Pipeline/Reference/), and
/// `TunedKernel` (Kernel/), which asks the caches ahead where its `MemoryPlan` says so and works
/// four candidates at a time in SIMD lanes. Their outputs are byte-identical: every tuned primitive
/// keeps the reference's arithmetic, term by term (`DifferentialTests` runs both).
protocol Kernel {
    associatedtype Retrieval: Retriever
    associatedtype Auction: Allocator
    /// Whether this is the tuned kernel (prefetch hooks, SIMD lanes, the specialised adaptation).
    static var isTuned: Bool { get }
    /// The memory plan for a world of `ads` ads whose ranker serves `servedStride` values per ad,
    /// on a machine whose last-level cache holds `cacheBytes`.
    static func plan(ads: Int, servedStride: Int?, truthStride: Int, cacheBytes: Int) -> MemoryPlan
    /// σ(intercept + v₀ + v₁…ₗ · vector) into `request.predicted` and each position's served
    /// conversion rate into `request.predictedCVR`, for the candidates in `range`, v the served
    /// row (`served.stride` values per retrieval position) of the candidate's position.
    static func linearScores(_ request: RequestScratch, _ range: Range<Int>, served: ServedRows, vector: UnsafePointer<Double>,
                             length: Int, intercept: Double)
    /// True click rates of candidates `0..<count` for the request's user, into `request.trueRate`.
    static func trueRates(_ request: RequestScratch, count: Int, response: TrueResponseModel, ledger: Ledger)
    /// True click rates of the `placed` candidates only (`request.placedCandidate`), into `request.trueRate`.
    static func trueRatesPlaced(_ request: RequestScratch, placed: Int, response: TrueResponseModel, ledger: Ledger, plan: MemoryPlan)
}

extension Kernel {
    /// The true click rate of one candidate, `i`: σ of its true logit (`VectorLogistic`'s σ, whose
    /// batch form gives every value these bits).
    @inline(__always)
    static func trueRate(_ request: RequestScratch, _ i: Int, truth: UnsafeBufferPointer<Double>, response: TrueResponseModel, ledger: Ledger) -> Double {
        VectorLogistic.logistic(trueLogit(request, i, truth: truth, response: response, ledger: ledger))
    }

    /// The true click logit of candidate `i` for the request's user (`World.trueLogit`).
    @inline(__always)
    static func trueLogit(_ request: RequestScratch, _ i: Int, truth: UnsafeBufferPointer<Double>, response: TrueResponseModel,
                          ledger: Ledger) -> Double {
        let p = request.candidatePosition[i]
        return World.trueLogit(position: p, truth: truth, user: UnsafeBufferPointer(request.user), drift: ledger.drift(position: p),
                               dimension: response.world.dimension)
    }
}
