import Marketplace

/// FairCo (Morik et al., SIGIR 2020) on the auction: raises each candidate's ranking score
/// b·q by λ · s̄ · err(tier), s̄ the request's mean score, by raising its quality factor (so GSP
/// prices use the adjusted score too). err grows with the accumulated exposure-for-merit
/// disparity of the tier (`DisparityLedger.faircoErrors`), with true or estimated merit.
struct FairCoControl: FairnessStage {
    let lambda: Double
    let estimatedMerit: Bool
    /// Scratch: err per tier.
    private var errors: [Double]

    init(lambda: Double, estimatedMerit: Bool, tiers: Int) {
        self.lambda = lambda
        self.estimatedMerit = estimatedMerit
        errors = Array(repeating: 0, count: tiers)
    }

    static var reranks: Bool { true }

    mutating func rerank(_ request: RequestScratch, count n: Int, world: World, ledger: DisparityLedger) {
        ledger.faircoErrors(estimated: estimatedMerit, into: &errors)
        let bids = request.bids, quality = request.quality
        var mean = 0.0
        for i in 0..<n { mean += bids[i] * quality[i] }
        mean /= Double(n)
        for i in 0..<n where bids[i] > 0 {
            let tier = Int(world.advertiserTier[Int(world.adAdvertiser[request.candidates[i]])])
            quality[i] += lambda * mean * errors[tier] / bids[i]
        }
    }
}
