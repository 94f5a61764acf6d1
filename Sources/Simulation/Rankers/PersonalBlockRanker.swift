import Marketplace
import Scenario
import Stochastics

/// The `meta` and `finetune` rankers: the global model (`GlobalModel`) plus a personal block per
/// adgroup (`PersonalBlocks`; one per ad unless the scenario declares adgroups), meta-learned (`meta`) or fine-tuned from zero (`finetune`), and per
/// cohort when the settings ask for cohort blocks.
///
/// Serving reads one contiguous ad-side vector per candidate, [β_ad + c_g, x (d), q = p_g ⊙ x (d)],
/// dotted with the request's [g (d), u (d)], where g folds the global model's and the shared
/// correction's weights (and the cohort block's) into the user.
final class PersonalBlockRanker: ConversionLearningRanker {
    let base: GlobalModel
    let personal: PersonalBlocks
    let world: World
    let servedRows: ServedRows?
    let adaptEveryHours: Double?
    /// The learned conversion and order-value model (nil: per-ad counts and declared values).
    let conversion: ConversionModel?

    /// `tuned`: adapt blocks with the specialised inner loop (else the generic learner, which it
    /// reproduces bit for bit: the reference pipeline's choice).
    init(world: World, settings: RankerSettings, cohorts: Int, seed: UInt64, tuned: Bool) {
        self.world = world
        base = GlobalModel(world: world, settings: settings, seed: seed, servesRows: false)
        personal = PersonalBlocks(world: world, ranker: settings, cohorts: cohorts, tuned: tuned)
        servedRows = ServedRows(rows: UnsafePointer(personal.served.baseAddress!), stride: personal.servedStride,
                                rates: UnsafePointer(base.cvrCache.baseAddress!))
        adaptEveryHours = settings.meta.adaptEveryHours
        conversion = ConversionModel.make(world: world, settings: settings, cohorts: cohorts, rankerSeed: seed)
        // The established ads' history is the first meta-training set.
        personal.metaUpdate(world: world, base: base, now: 0, stream: RandomStream(seed: splitMix64(seed ^ 0x6d65_7461)))
    }

    /// g with the shared correction folded in, the user after it, and the cohort's block.
    func prepare(user: UnsafeBufferPointer<Double>, cohort: Int) {
        base.prepare(user: user)
        let d = base.dimension, folded = base.folded
        personal.withSharedCorrection { c in
            for k in 0..<d {
                folded[k] += c[k] * user[k] + c[d + k]
                folded[d + k] = user[k]
            }
            base.requestIntercept += c[2 * d]
        }
        personal.cohorts?.fold(cohort: cohort, user: user, into: folded, intercept: &base.requestIntercept)
        conversion?.prepare(user: user, cohort: cohort)
    }

    @inline(__always)
    func score<K: Kernel>(_ request: RequestScratch, _ range: Range<Int>, kernel: K.Type) {
        K.linearScores(request, range, served: servedRows!, vector: UnsafePointer(base.folded.baseAddress!), length: 2 * base.dimension,
                       intercept: base.requestIntercept)
        if let conversion { conversion.score(request, range, rows: servedRows!) }
    }

    func recordImpression(ad: Int, user: UnsafeBufferPointer<Double>, cohort: Int, examination: Double, clicked: Bool,
                          time: Double, logged: Bool) {
        if logged { base.log(ad: ad, user: user, cohort: cohort, examination: examination, clicked: clicked) }
        personal.record(ad: ad, user: user, cohort: cohort, examination: examination, clicked: clicked, time: time)
    }

    func recordClick(ad: Int, position: Int) { base.recordClick(ad: ad, position: position) }
    func recordConversion(ad: Int) { base.recordConversion(ad: ad) }

    /// Retrains the global model; when it changed, meta-updates the blocks and re-adapts them.
    func modelUpdate(now: Double, trainingSeed: UInt64, metaSeed: UInt64) {
        conversion?.update(now: now, world: world, seed: ConversionModel.seed(trainingSeed))
        guard base.update(world: world, seed: trainingSeed) else { return }
        personal.metaUpdate(world: world, base: base, now: now, stream: RandomStream(seed: metaSeed))
    }

    func adapt(now: Double) { personal.adaptFresh(world: world, base: base, now: now) }

    func enter(advertiser: Int, now: Double) { personal.enter(advertiser: advertiser, world: world, base: base, now: now) }

    func prefetchImpression(ad: Int) { personal.prefetchRecordCounters(ad: ad) }
    func prefetchRecord(ad: Int) { personal.prefetchRecord(ad: ad) }
}
