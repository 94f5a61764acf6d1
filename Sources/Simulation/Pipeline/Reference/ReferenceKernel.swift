import Marketplace
import Stochastics

/// The reference kernel: the hot stages as plain loops, one candidate at a time, asking the
/// caches for nothing — the executable specification `TunedKernel` is held to.
enum ReferenceKernel: Kernel {
    typealias Retrieval = ReferenceRetriever
    typealias Auction = ReferenceAuction
    static var isTuned: Bool { false }

    static func plan(ads: Int, servedStride: Int?, truthStride: Int, cacheBytes: Int) -> MemoryPlan { .none }

    static func linearScores(_ request: RequestScratch, _ range: Range<Int>, served: ServedRows, vector: UnsafePointer<Double>,
                             length: Int, intercept: Double) {
        for i in range {
            let p = request.candidatePosition[i], row = served.rows + p * served.stride
            request.predicted[i] = VectorLogistic.logistic((intercept + row[0]) + dot(row + 1, vector, count: length))
            request.predictedCVR[i] = served.rates[p]
        }
    }

    static func trueRates(_ request: RequestScratch, count n: Int, response: TrueResponseModel, ledger: Ledger) {
        response.withTruth { t in
            for i in 0..<n { request.trueRate[i] = trueRate(request, i, truth: t, response: response, ledger: ledger) }
        }
    }

    static func trueRatesPlaced(_ request: RequestScratch, placed: Int, response: TrueResponseModel, ledger: Ledger, plan: MemoryPlan) {
        response.withTruth { t in
            for r in 0..<placed {
                let slot = request.placedCandidate[r]
                request.trueRate[slot] = trueRate(request, slot, truth: t, response: response, ledger: ledger)
            }
        }
    }
}
