import Learning
import Marketplace
import Scenario
import Stochastics

/// Personal conversion blocks per adgroup (`ranker.conversionBlocks: true`, `meta` or `finetune`
/// with `conversionModel: learned`): the click blocks' multi-task twin. The learned conversion
/// model is the shared base; each adgroup adds a block [p (d, `last-layer` only), c] on
/// [u ⊙ x, 1] whose start (and Meta-SGD step sizes) is meta-learned across adgroups (`meta`) or
/// zero with a fixed step (`finetune`), adapted in `innerSteps` SGD steps on the adgroup's latest
/// `supportSize` labelled clicks.
///
/// Data are clicks once labelled (the conversion model's elapsed-time rule): each adgroup keeps a
/// ring of its latest `supportSize + querySize` of them (user, converted, cohort and ad, time),
/// seeded from the history's clicks; `windowHours` counts from a click's label time. Tasks are
/// sampled alike (`taskSampling` is the click blocks'), and Meta-Embedding's cold start applies to
/// the click model's ID biases only. Everything happens at the conversion model's update tick: it
/// records the newly labelled clicks, meta-trains (`metaIterations` outer steps of `metaBatch`
/// adgroups, sampled alike among those with two or more labelled clicks), then re-adapts every
/// adgroup on the new base. The conversion model serves the blocks from its position-ordered
/// tables (`ConversionModel.refreshServed`).
final class ConversionBlocks {
    let d: Int
    /// d + 1 (`last-layer`) or 1 (`bias`).
    let width: Int
    let settings: MetaRankerSettings
    let cohorts: Int
    private(set) var learner: MetaLearner<LinearModel>
    /// Adapted blocks, adgroup by adgroup (`width` values: p then c).
    private(set) var blocks: [Double]
    private let rings: ImpressionRings
    private let adAdgroup: [Int32], groupFirstAd: [Int32], groupAdvertiser: [Int32]
    private let metaTrained: Bool

    init(world: World, settings ranker: RankerSettings, cohorts: Int) {
        d = world.dimension
        settings = ranker.meta
        width = settings.personalBlock == .lastLayer ? d + 1 : 1
        self.cohorts = max(cohorts, 1)
        metaTrained = ranker.kind == .meta
        learner = settings.learner(metaTrained: metaTrained, parameters: width, adapted: nil)
        blocks = Array(repeating: 0, count: world.adgroupCountTotal * width)
        rings = ImpressionRings(owners: world.adgroupCountTotal, capacity: settings.supportSize + settings.querySize, dimension: d)
        adAdgroup = world.adAdgroup
        groupFirstAd = world.adgroupFirstAd
        groupAdvertiser = world.adgroupAdvertiser
    }

    /// A labelled click on `ad` by `user` of `cohort`, usable from `time` (its label's time; −∞ for
    /// the history's).
    func record(ad: Int, user: UnsafeBufferPointer<Double>, cohort: Int, converted: Bool, time: Double) {
        let g = Int(adAdgroup[ad])
        rings.record(owner: g, user: user, tag: AdgroupRowTag.encode(cohort: cohort, adIndex: ad - Int(groupFirstAd[g]), cohorts: cohorts),
                     examination: 1, clicked: converted, time: time)
    }

    /// The adgroup's bias c and its weight p_k (0 for a `bias` block).
    func bias(adgroup g: Int) -> Double { blocks[g * width + width - 1] }
    func weight(adgroup g: Int, _ k: Int) -> Double { width > 1 ? blocks[g * width + k] : 0 }

    /// Rows of adgroup `g` as a batch on [u ⊙ x (last-layer), 1] with `base(ad, user, cohort)` — the
    /// shared conversion model's logit — as offset.
    private func batch(_ rows: [Int], adgroup g: Int, world: World, base: (Int, UnsafeBufferPointer<Double>, Int) -> Double) -> Batch {
        var inputs: [Double] = [], offsets: [Double] = [], targets: [Double] = []
        inputs.reserveCapacity(rows.count * width)
        for row in rows {
            let (index, cohort) = AdgroupRowTag.decode(rings.tag(row), cohorts: cohorts)
            let ad = Int(groupFirstAd[g]) + index, user = rings.user(row)
            for k in 0..<(width - 1) { inputs.append(user[k] * world.adFeatures[ad * d + k]) }
            inputs.append(1)
            offsets.append(base(ad, user, cohort))
            targets.append(rings.clicked(row) ? 1 : 0)
        }
        return Batch(width: width, inputs: inputs, targets: targets, observation: nil, offset: offsets)
    }

    /// Meta-trains the start (a `meta` ranker), then re-adapts every adgroup on its latest labelled
    /// clicks (one without any, an entrant's, gets the start).
    func update(world: World, now: Double, stream: RandomStream, base: (Int, UnsafeBufferPointer<Double>, Int) -> Double) {
        let window = settings.windowHours
        if metaTrained && settings.metaIterations > 0 {
            let eligible = (0..<groupAdvertiser.count).filter {
                world.entryTime[Int(groupAdvertiser[$0])] <= now && rings.usableCount(owner: $0, now: now, windowHours: window) >= 2
            }
            if !eligible.isEmpty {
                for _ in 0..<settings.metaIterations {
                    var tasks: [MetaTask] = []
                    for _ in 0..<settings.metaBatch {
                        let g = eligible[stream.integer(below: eligible.count)]
                        let (support, query) = rings.task(owner: g, now: now, windowHours: window, querySize: settings.querySize,
                                                          supportSize: settings.supportSize, stream: stream)
                        tasks.append(MetaTask(support: batch(support, adgroup: g, world: world, base: base),
                                              query: batch(query, adgroup: g, world: world, base: base), stepScale: settings.stepScale(rows: support.count)))
                    }
                    learner.step(tasks)
                }
            }
        }
        for g in 0..<groupAdvertiser.count {
            let support = Array(rings.rows(owner: g, now: now, windowHours: window).suffix(settings.supportSize))
            let φ = support.isEmpty ? learner.parameters
                : learner.adapt(batch(support, adgroup: g, world: world, base: base), steps: settings.innerSteps, stepScale: settings.stepScale(rows: support.count))
            for k in 0..<width { blocks[g * width + k] = φ[k] }
        }
    }

    /// Bytes the blocks keep (rings, blocks).
    var bytes: Int { rings.bytes + blocks.count * MemoryLayout<Double>.stride }
}
