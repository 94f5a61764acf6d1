import Marketplace

/// The `oracle` ranker: ranks on the true click and conversion rates and order values (a reference
/// no platform can deploy), and learns nothing.
final class OracleRanker: Ranker {
    static var ranksOnTruth: Bool { true }
    static var learns: Bool { false }
    let world: World
    /// The request's user and cohort (the true conversion rate depends on both).
    private var user = UnsafeBufferPointer<Double>(start: nil, count: 0)
    private var cohort = 0

    init(world: World) { self.world = world }

    func prepare(user: UnsafeBufferPointer<Double>, cohort: Int) {
        self.user = user
        self.cohort = cohort
    }

    func score<K: Kernel>(_ request: RequestScratch, _ range: Range<Int>, kernel: K.Type) {
        for i in range {
            request.predicted[i] = request.trueRate[i]
            request.predictedCVR[i] = world.conversionProbability(position: request.candidatePosition[i], user: user, cohort: cohort)
            request.predictedValue[i] = world.expectedOrderValue(advertiser: Int(world.positionAdvertiser[request.candidatePosition[i]]), cohort: cohort)
        }
    }

    /// The true expected order value for the request's cohort.
    var predictsValues: Bool { true }
}
