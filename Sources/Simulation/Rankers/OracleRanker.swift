import Marketplace

/// The `oracle` ranker: ranks on the true click and conversion rates (a reference no platform
/// can deploy), and learns nothing.
final class OracleRanker: Ranker {
    static var ranksOnTruth: Bool { true }
    static var learns: Bool { false }
    let world: World

    init(world: World) { self.world = world }

    func prepare(user: UnsafeBufferPointer<Double>, cohort: Int) {}

    func score<K: Kernel>(_ request: RequestScratch, _ range: Range<Int>, kernel: K.Type) {
        for i in range {
            request.predicted[i] = request.trueRate[i]
            request.predictedCVR[i] = world.conversionProbability(advertiser: Int(world.positionAdvertiser[request.candidatePosition[i]]))
        }
    }
}
