import Marketplace
import Stochastics

/// The tuned kernel: four candidates scored at a time in SIMD lanes, σ on whole batches, the
/// auction's shortlist and lanes (`PositionAuction`), and the prefetches its `MemoryPlan` asks
/// for. Each value keeps the reference's bits (`ReferenceKernel`).
enum TunedKernel: Kernel {
    typealias Retrieval = TunedRetriever
    typealias Auction = PositionAuction
    static var isTuned: Bool { true }

    static func plan(ads: Int, servedStride: Int?, truthStride: Int, cacheBytes: Int) -> MemoryPlan {
        MemoryPlan(ads: ads, servedStride: servedStride, truthStride: truthStride, cacheBytes: cacheBytes)
    }

    /// Four candidates at a time: their four dot products in one vector (`dot4`), then σ on the
    /// vector (`VectorLogistic.logistic(lanes:)`). A last partial group repeats its first
    /// candidate in the spare lanes. Each rate has the bits `dot` and `VectorLogistic.logistic` give.
    @inline(__always)
    static func linearScores(_ request: RequestScratch, _ range: Range<Int>, served: ServedRows, vector: UnsafePointer<Double>,
                             length: Int, intercept: Double) {
        let positions = request.candidatePosition, ctr = request.predicted, cvr = request.predictedCVR
        let base = served.rows, stride = served.stride, rates = served.rates
        let n = range.upperBound
        var i = range.lowerBound
        while i < n {
            let p0 = positions[i]
            let p1 = i + 1 < n ? positions[i + 1] : p0
            let p2 = i + 2 < n ? positions[i + 2] : p0
            let p3 = i + 3 < n ? positions[i + 3] : p0
            let o0 = p0 * stride, o1 = p1 * stride, o2 = p2 * stride, o3 = p3 * stride
            let bias = SIMD4(base[o0], base[o1], base[o2], base[o3])
            let products = dot4(base + o0 + 1, base + o1 + 1, base + o2 + 1, base + o3 + 1, vector, count: length)
            let click = VectorLogistic.logistic(lanes: (SIMD4(repeating: intercept) + bias) + products)
            let conversion = SIMD4(rates[p0], rates[p1], rates[p2], rates[p3])
            if i + 4 <= n {
                ctr[i] = click[0]; ctr[i + 1] = click[1]; ctr[i + 2] = click[2]; ctr[i + 3] = click[3]
                cvr[i] = conversion[0]; cvr[i + 1] = conversion[1]; cvr[i + 2] = conversion[2]; cvr[i + 3] = conversion[3]
            } else {
                for k in 0..<(n - i) { ctr[i + k] = click[k]; cvr[i + k] = conversion[k] }
            }
            i += 4
        }
    }

    /// The logits first, then one `VectorLogistic.apply` pass over the batch.
    static func trueRates(_ request: RequestScratch, count n: Int, response: TrueResponseModel, ledger: Ledger) {
        response.withTruth { t in
            for i in 0..<n { request.trueRate[i] = trueLogit(request, i, truth: t, response: response, ledger: ledger) }
        }
        VectorLogistic.apply(UnsafeMutableBufferPointer(rebasing: request.trueRate[0..<n]))
    }

    /// The placed ads' logits (their true-model rows and accounts asked for first, so the misses
    /// overlap, when the plan says so), then one `VectorLogistic.apply` pass.
    static func trueRatesPlaced(_ request: RequestScratch, placed: Int, response: TrueResponseModel, ledger: Ledger, plan: MemoryPlan) {
        let d = response.world.dimension
        response.withTruth { t in
            if plan.prefetchRecords {
                for r in 0..<placed {
                    let p = request.candidatePosition[request.placedCandidate[r]]
                    prefetch(t.baseAddress! + p * (d + 1))
                    prefetch(t.baseAddress! + p * (d + 1) + d)
                    prefetch(ledger.accounts.baseAddress! + ledger.rank(position: p))
                }
            }
            for r in 0..<placed { request.placedRate[r] = trueLogit(request, request.placedCandidate[r], truth: t, response: response, ledger: ledger) }
        }
        VectorLogistic.apply(UnsafeMutableBufferPointer(rebasing: request.placedRate[0..<placed]))
        for r in 0..<placed { request.trueRate[request.placedCandidate[r]] = request.placedRate[r] }
    }
}
