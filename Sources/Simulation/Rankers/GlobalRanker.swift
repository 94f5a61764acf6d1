import Marketplace
import Scenario
import Stochastics

/// The `global` ranker: one model for all (`GlobalModel`), retrained on the logged feedback at
/// every model-update tick.
final class GlobalRanker: ConversionLearningRanker {
    let model: GlobalModel
    let world: World
    let servedRows: ServedRows?
    /// The learned conversion and order-value model (nil: per-ad counts and declared values).
    let conversion: ConversionModel?

    init(world: World, settings: RankerSettings, cohorts: Int, seed: UInt64) {
        self.world = world
        model = GlobalModel(world: world, settings: settings, seed: seed, servesRows: true)
        servedRows = model.servedRows
        conversion = ConversionModel.make(world: world, settings: settings, cohorts: cohorts, rankerSeed: seed)
    }

    func prepare(user: UnsafeBufferPointer<Double>, cohort: Int) {
        model.prepare(user: user)
        conversion?.prepare(user: user, cohort: cohort)
    }

    @inline(__always)
    func score<K: Kernel>(_ request: RequestScratch, _ range: Range<Int>, kernel: K.Type) {
        K.linearScores(request, range, served: servedRows!, vector: UnsafePointer(model.folded.baseAddress!), length: model.dimension,
                       intercept: model.requestIntercept)
        if let conversion { conversion.score(request, range, rows: servedRows!) }
    }

    func recordImpression(ad: Int, user: UnsafeBufferPointer<Double>, cohort: Int, examination: Double, clicked: Bool,
                          time: Double, logged: Bool) {
        if logged { model.log(ad: ad, user: user, cohort: cohort, examination: examination, clicked: clicked) }
    }

    func recordClick(ad: Int, position: Int) { model.recordClick(ad: ad, position: position) }
    func recordConversion(ad: Int) { model.recordConversion(ad: ad) }

    func modelUpdate(now: Double, trainingSeed: UInt64, metaSeed: UInt64) {
        conversion?.update(now: now, world: world, seed: ConversionModel.seed(trainingSeed))
        _ = model.update(world: world, seed: trainingSeed)
    }
}
