import Learning
import Marketplace
import Scenario
import Stochastics

/// The per-adgroup half of a `meta` or `finetune` ranker (`PersonalBlockRanker`): a personal block
/// per adgroup on top of the global model, adapted in a few SGD steps from the adgroup's recent
/// impressions.
///
/// Each adgroup is a task (one per ad unless the scenario sets `adgroupsPerAdvertiser`); its ads
/// share the block, and each keeps its own features and global ID bias. The task model is a
/// position-debiased logistic model whose offset is the global model's logit:
/// z = base(u, ad) + [shared correction: w′ᵢ·(u⊙x) + w′ₐ·x + b′] + [personal: p·(u⊙x) + c],
/// parameters laid out as [w′ᵢ (d), w′ₐ (d), b′, p (d, `last-layer` only), c]. The inner loop adapts
/// only the personal block; a `meta` ranker meta-trains the whole vector (the shared correction and
/// the personal block's starting point, plus per-parameter step sizes under Meta-SGD) over
/// sampled adgroups at every model-update tick. A `finetune` ranker adapts from zero with a fixed step
/// and never meta-trains.
///
/// Serving reads one contiguous ad-side vector per candidate, cached between adaptations:
/// [β_ad + c_g, x (d), q = p_g ⊙ x (d)] for an ad of adgroup g, dotted with the request's [g (d), u (d)] — one 2d-length dot
/// product, no allocation, one memory region per ad.
final class PersonalBlocks {
    let settings: MetaRankerSettings
    let metaTrained: Bool
    let d: Int
    /// Width of a personal block: d + 1 (`last-layer`) or 1 (`bias`).
    let width: Int
    let shared: Int
    private(set) var learner: MetaLearner<LinearModel>
    private(set) var generator: EmbeddingGenerator?
    /// Each adgroup's adapted bias c.
    private(set) var bias: [Double]
    /// Cohorts, for the ring tags: a row's tag is cohort + cohorts × (the ad's place in its adgroup).
    let cohortCount: Int
    /// Served per ad, `servedStride` values: β_ad + c, x, q = p ⊙ x (q = 0 for a `bias` block), stored
    /// at the ad's retrieval position (`World.adPosition`) so a request's candidates are read in order.
    /// Owned by `memory`: its address is fixed for the blocks' life (`GlobalRanker.servedRows`).
    let served: UnsafeMutableBufferPointer<Double>
    let servedStride: Int
    /// Each adgroup's latest support + query impressions, tagged with the user's cohort and the ad.
    private let rings: ImpressionRings
    /// Per-cohort blocks (cohorts as tasks), when the settings ask for them.
    private(set) var cohorts: CohortBlocks?
    /// Whether the adgroup has impressions since its last adaptation.
    private var dirty: [Bool]
    /// Impressions recorded per adgroup (history and run), kept only when tasks are sampled by them.
    private var impressions: [Double]
    /// Scratch of `adaptFresh` and `adaptAll`: the adgroups to re-adapt, in order (`adaptListed`).
    private var dirtyGroups: [Int32] = []
    /// The world's `adAdgroup`, `adgroupFirstAd` and `adgroupAdCount`, and whether each adgroup is one ad.
    private let adAdgroup: [Int32], groupFirstAd: [Int32], groupAdCount: [Int32]
    let singletons: Bool
    /// Scratch of one ad's adaptation (see `adapt(ad:world:base:now:)`), owned by `memory`.
    private let adaptation: AdaptationScratch
    private let memory = ScratchMemory()
    /// Whether adaptation runs the specialised inner loop (`adapt`) rather than the generic
    /// learner (`referenceBlock`), which it reproduces bit for bit.
    let tuned: Bool

    init(world: World, ranker: RankerSettings, cohorts cohortCount: Int, tuned: Bool) {
        self.tuned = tuned
        settings = ranker.meta
        metaTrained = ranker.kind == .meta
        d = world.dimension
        width = settings.personalBlock == .lastLayer ? d + 1 : 1
        shared = 2 * d + 1
        learner = settings.learner(metaTrained: metaTrained, parameters: shared + width, adapted: shared..<(shared + width))
        if metaTrained && settings.coldStart == .metaEmbedding {
            generator = EmbeddingGenerator(featureWidth: world.coldStartFeatureCount, warmLearningRate: settings.innerLearningRate,
                                           learningRate: settings.outerLearningRate)
        }
        let ads = world.adCountTotal, groups = world.adgroupCountTotal
        self.cohortCount = max(cohortCount, 1)
        adAdgroup = world.adAdgroup
        groupFirstAd = world.adgroupFirstAd
        groupAdCount = world.adgroupAdCount
        singletons = world.adgroupsAreAds
        bias = Array(repeating: 0, count: groups)
        servedStride = 2 * d + 1
        served = memory.buffer(ads * servedStride, filledWith: 0.0)
        rings = ImpressionRings(owners: groups, capacity: settings.supportSize + settings.querySize, dimension: d)
        if settings.cohortBlocks {
            cohorts = CohortBlocks(cohorts: cohortCount, dimension: d, settings: settings, metaTrained: metaTrained)
        }
        dirty = Array(repeating: false, count: groups)
        impressions = Array(repeating: 0, count: settings.taskSampling == .uniform ? 0 : groups)
        adaptation = AdaptationScratch(rows: settings.supportSize, width: width, memory: memory)
        let history = world.history
        history.user.withUnsafeBufferPointer { u in
            for i in 0..<history.count {
                record(ad: Int(history.ad[i]), user: UnsafeBufferPointer(rebasing: u[(i * d)..<((i + 1) * d)]), cohort: Int(history.cohort[i]),
                       examination: history.examination[i], clicked: history.clicked[i], time: -.infinity)
            }
        }
    }

    /// Bytes the blocks keep: scratch buffers (served rows, rings, adaptation scratch), the
    /// per-adgroup bias and dirty flag, and the ad → adgroup tables when adgroups hold several ads
    /// (`RankerFootprint` is checked against it).
    var bytes: Int {
        memory.bytes + rings.bytes + (bias.count + impressions.count) * MemoryLayout<Double>.stride + dirty.count * MemoryLayout<Bool>.stride
            + (singletons ? 0 : (adAdgroup.count + groupFirstAd.count + groupAdCount.count) * MemoryLayout<Int32>.stride)
    }

    /// The adgroup of `ad`: the task that owns its block.
    @inline(__always)
    func adgroup(of ad: Int) -> Int { singletons ? ad : Int(adAdgroup[ad]) }

    /// The ad of ring row `row` of adgroup `g`, and the row's cohort (decoded from the row's tag).
    @inline(__always)
    private func rowAd(_ row: Int, adgroup g: Int) -> Int {
        singletons ? g : Int(groupFirstAd[g]) + AdgroupRowTag.decode(rings.tag(row), cohorts: cohortCount).adIndex
    }
    @inline(__always)
    private func rowCohort(_ row: Int) -> Int { singletons ? rings.tag(row) : AdgroupRowTag.decode(rings.tag(row), cohorts: cohortCount).cohort }

    /// The ads of adgroup `g`.
    private func ads(of g: Int) -> Range<Int> {
        singletons ? g..<(g + 1) : Int(groupFirstAd[g])..<Int(groupFirstAd[g] + groupAdCount[g])
    }

    /// Adds an impression to the ring of the ad's adgroup and marks the adgroup for re-adaptation.
    func record(ad: Int, user: UnsafeBufferPointer<Double>, cohort: Int, examination: Double, clicked: Bool, time: Double) {
        cohorts?.record(cohort: cohort, ad: ad, user: user, examination: examination, clicked: clicked, time: time)
        let g = adgroup(of: ad)
        let tag = singletons ? cohort : AdgroupRowTag.encode(cohort: cohort, adIndex: ad - Int(groupFirstAd[g]), cohorts: cohortCount)
        rings.record(owner: g, user: user, tag: tag, examination: examination, clicked: clicked, time: time)
        dirty[g] = true
        if !impressions.isEmpty { impressions[g] += 1 }
    }

    /// Asks for what `record(ad:…)` reads first (the ring position of the ad's adgroup), a step
    /// ahead of `prefetchRecord(ad:)`.
    func prefetchRecordCounters(ad: Int) { rings.prefetchCounters(owner: adgroup(of: ad)) }

    /// Asks for the ring lines `record(ad:…)` writes: an impression's record for a random ad
    /// otherwise waited on two or three cache misses (a fifth of `record`'s time on the ring
    /// position, most of the rest on the row's stores).
    func prefetchRecord(ad: Int) { rings.prefetchNextRow(owner: adgroup(of: ad)) }

    /// Personal logit of `ad` for `user`: c + q·u (c its adgroup's).
    func logit(ad: Int, user: UnsafeBufferPointer<Double>, world: World) -> Double {
        var z = bias[adgroup(of: ad)]
        let q = Int(world.adPosition[ad]) * servedStride + 1 + d
        for k in 0..<d { z += served[q + k] * user[k] }
        return z
    }

    /// Calls `body` with the shared correction (w′ᵢ, w′ₐ, b′: 2d + 1 values), which the global
    /// model folds into its per-request vector.
    func withSharedCorrection<R>(_ body: (UnsafeBufferPointer<Double>) -> R) -> R {
        learner.parameters.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[0..<shared])) }
    }

    // MARK: - Task data

    /// Adgroup `g`'s rows as a task-model batch whose offsets are the global model's logits (each
    /// row with its own ad's features and logit).
    private func batch(_ rows: [Int], adgroup g: Int, world: World, base: GlobalModel, dropIDBias: Bool = false) -> Batch {
        let m = shared + width
        var inputs = [Double](repeating: 0, count: rows.count * m)
        var offsets = [Double](), targets = [Double](), observation = [Double]()
        for (i, row) in rows.enumerated() {
            let user = rings.user(row), ad = rowAd(row, adgroup: g), xBase = ad * d
            for k in 0..<d {
                let x = world.adFeatures[xBase + k]
                inputs[i * m + k] = user[k] * x
                inputs[i * m + d + k] = x
                if width > 1 { inputs[i * m + shared + k] = user[k] * x }
            }
            inputs[i * m + 2 * d] = 1
            inputs[i * m + m - 1] = 1
            offsets.append(base.baseLogit(ad: ad, user: user, world: world) - (dropIDBias ? base.idBias(ad: ad) : 0)
                           + (cohorts?.logit(cohort: rowCohort(row), ad: ad, user: user, world: world) ?? 0))
            targets.append(rings.clicked(row) ? 1 : 0)
            observation.append(rings.examination(row))
        }
        return Batch(width: m, inputs: inputs, targets: targets, observation: observation, offset: offsets)
    }

    // MARK: - Adaptation and meta-training

    /// Re-adapts one adgroup's block on its latest `supportSize` rows from the learned start and
    /// updates its ads' served rows. (Under Meta-Embedding a new advertiser's adgroup starts the
    /// same way: the generator sets its ads' global ID biases once, at entry — see `enter` — not its block.)
    ///
    /// The task model's inner steps specialised to this model: the shared part of each row's
    /// output is constant while only the personal block moves, so it is summed once, and only the
    /// personal block's gradient is formed (the loss itself is never needed). Allocation-free, and
    /// the same arithmetic in the same order as `MetaLearner.adapt` on `batch(…)` — the served
    /// blocks are identical to the generic path's.
    func adapt(adgroup g: Int, world: World, base: GlobalModel, now: Double) {
        guard tuned else {
            referenceBlock(adgroup: g, world: world, base: base, now: now).withUnsafeBufferPointer {
                setServed(adgroup: g, block: $0, world: world, base: base)
            }
            return
        }
        let a = adaptation
        let θ = learner.parameters, α = learner.stepSizes
        let n = rings.latestRows(owner: g, now: now, windowHours: settings.windowHours, limit: settings.supportSize, into: a.rows)
        for k in 0..<width { a.block[k] = θ[shared + k] }
        if n > 0 {
            θ.withUnsafeBufferPointer { θ in
                world.adFeatures.withUnsafeBufferPointer { features in
                    var i = 0
                    if singletons {
                        // One ad: four rows at a time where the rows' terms need no cohort block (each
                        // lane the scalar row's operations in the scalar's order, so the same bits),
                        // then one by one.
                        let x = features.baseAddress! + g * d
                        if cohorts == nil { while i + 4 <= n { setUpRows4(from: i, ad: g, x: x, θ: θ, base: base); i += 4 } }
                        while i < n { setUpRow(i, ad: g, x: x, θ: θ, world: world, base: base); i += 1 }
                    } else {
                        // Several ads: each row with its own ad's features and logit.
                        while i < n {
                            let ad = rowAd(a.rows[i], adgroup: g)
                            setUpRow(i, ad: ad, x: features.baseAddress! + ad * d, θ: θ, world: world, base: base)
                            i += 1
                        }
                    }
                }
            }
            let scale = 1 / Double(max(n, 1)), stepScale = settings.stepScale(rows: n)
            for _ in 0..<settings.innerSteps {
                // Every row's logit, then σ of all of them in one `VectorLogistic` pass (the bits
                // `Double.sigmoid` gives one at a time), then the loss derivative, then the gradient.
                a.formLogits(rows: n, width: width)
                VectorLogistic.apply(UnsafeMutableBufferPointer(rebasing: a.dOut[0..<n]))
                for i in 0..<n {
                    a.dOut[i] = Loss.logisticDerivative(p: a.dOut[i], positive: a.positive[i], observation: a.observation[i]) * scale
                }
                a.formGradient(rows: n, width: width)
                for k in 0..<width { a.block[k] -= stepScale * α[shared + k] * a.gradient[k] }
            }
        }
        setServed(adgroup: g, block: UnsafeBufferPointer(a.block), world: world, base: base)
    }

    /// Row `i` of an adaptation (`adaptation.rows[i]`, a ring row of `ad`, whose features are
    /// `x`), laid out as `batch` lays it out — inputs [u⊙x, x, 1 | u⊙x (last-layer), 1] — with the
    /// shared part of its output (θ's first 2d + 1 weights on those inputs), its offset (the
    /// global model's logit and the cohort block's), its click and its examination.
    @inline(__always)
    private func setUpRow(_ i: Int, ad: Int, x: UnsafePointer<Double>, θ: UnsafeBufferPointer<Double>, world: World, base: GlobalModel) {
        let a = adaptation, row = a.rows[i], user = rings.user(row)
        var o = 0.0
        for k in 0..<d { o += θ[k] * (user[k] * x[k]) }
        for k in 0..<d { o += θ[d + k] * x[k] }
        o += θ[2 * d] * 1
        a.sharedOutput[i] = o
        for k in 0..<(width - 1) { a.inputs[i * width + k] = user[k] * x[k] }
        a.inputs[i * width + width - 1] = 1
        for k in 0..<width { a.columns[k * a.rows.count + i] = a.inputs[i * width + k] }
        a.offset[i] = base.baseLogit(ad: ad, user: user, world: world)
            + (cohorts?.logit(cohort: rowCohort(row), ad: ad, user: user, world: world) ?? 0)
        a.positive[i] = rings.clicked(row)
        a.observation[i] = rings.examination(row)
    }

    /// `setUpRow` for rows `i..<i + 4` at once, without cohort blocks: lane j holds row i + j and
    /// goes through exactly the scalar row's operations in the scalar's order (no fused
    /// multiply-add), so every value has the scalar's bits. A row's sums are chains of dependent
    /// additions; four rows side by side run four chains in the time of one.
    @inline(__always)
    private func setUpRows4(from i: Int, ad: Int, x: UnsafePointer<Double>, θ: UnsafeBufferPointer<Double>, base: GlobalModel) {
        let a = adaptation, stride = a.rows.count
        let u0 = rings.user(a.rows[i]).baseAddress!, u1 = rings.user(a.rows[i + 1]).baseAddress!
        let u2 = rings.user(a.rows[i + 2]).baseAddress!, u3 = rings.user(a.rows[i + 3]).baseAddress!
        var o = SIMD4<Double>(repeating: 0)
        var z = SIMD4<Double>(repeating: base.baseIntercept(ad: ad))
        base.withInteractionWeights { w in
            for k in 0..<d {
                let u = SIMD4(u0[k], u1[k], u2[k], u3[k]), xk = SIMD4<Double>(repeating: x[k])
                let ux = u * xk
                o += SIMD4(repeating: θ[k]) * ux
                z += (SIMD4(repeating: w[k]) * u + SIMD4(repeating: w[d + k])) * xk
                if k < width - 1 {
                    AdaptationScratch.store(ux, a.columns, k * stride + i)
                    for j in 0..<4 { a.inputs[(i + j) * width + k] = ux[j] }
                }
            }
        }
        for k in 0..<d { o += SIMD4(repeating: θ[d + k] * x[k]) }
        o += SIMD4(repeating: θ[2 * d] * 1)
        AdaptationScratch.store(o, a.sharedOutput, i)
        AdaptationScratch.store(z + SIMD4(repeating: 0), a.offset, i)
        for j in 0..<4 { a.inputs[(i + j) * width + width - 1] = 1 }
        AdaptationScratch.store(SIMD4(repeating: 1), a.columns, (width - 1) * stride + i)
        for j in 0..<4 {
            a.positive[i + j] = rings.clicked(a.rows[i + j])
            a.observation[i + j] = rings.examination(a.rows[i + j])
        }
    }

    /// The adgroup's block as the generic learner computes it — `MetaLearner.adapt` on the task
    /// batch — which `adapt(adgroup:world:base:now:)` must reproduce exactly: [p (last-layer only), c].
    func referenceBlock(adgroup g: Int, world: World, base: GlobalModel, now: Double) -> [Double] {
        let rows = rings.rows(owner: g, now: now, windowHours: settings.windowHours)
        let support = Array(rows.suffix(settings.supportSize))
        let θ = learner.parameters
        let φ = support.isEmpty ? θ : learner.adapt(batch(support, adgroup: g, world: world, base: base), steps: settings.innerSteps,
                                                    from: θ, stepScale: settings.stepScale(rows: support.count))
        return Array(φ[shared..<(shared + width)])
    }

    /// The served (cached) form of the ad's block: its adgroup's bias c and q = p ⊙ x.
    func servedBlock(ad: Int, world: World) -> (bias: Double, q: [Double]) {
        let o = Int(world.adPosition[ad]) * servedStride
        return (bias[adgroup(of: ad)], Array(served[(o + 1 + d)..<(o + 1 + 2 * d)]))
    }


    /// Caches an adapted personal block (width values: p then c) as the served vectors of the
    /// adgroup's ads.
    private func setServed(adgroup g: Int, block: UnsafeBufferPointer<Double>, world: World, base: GlobalModel) {
        let c = block[width - 1]
        bias[g] = c
        for ad in ads(of: g) {
            let o = Int(world.adPosition[ad]) * servedStride
            served[o] = base.servedBias(ad: ad) + c
            for k in 0..<d {
                let x = world.adFeatures[ad * d + k]
                served[o + 1 + k] = x
                served[o + 1 + d + k] = width > 1 ? block[k] * x : 0
            }
        }
    }

    /// Re-adapts the adgroups with impressions since their last adaptation, and the cohort blocks
    /// (the online step).
    ///
    /// In adgroup order rather than the order of their first fresh impression: each adaptation only
    /// reads its own adgroup's ring and writes its own block, so the order changes no result, and in
    /// that order the rings (one after another in memory, a page or so each) are read front to back.
    func adaptFresh(world: World, base: GlobalModel, now: Double) {
        dirtyGroups.removeAll(keepingCapacity: true)
        for g in 0..<dirty.count where dirty[g] { dirtyGroups.append(Int32(g)) }
        adaptListed(world: world, base: base, now: now)
        cohorts?.adapt(world: world, now: now) { self.logitWithoutCohort(ad: $0, user: $1, world: world, base: base) }
    }

    /// Re-adapts the adgroups in `dirtyGroups`, in that order, clears their flags and empties the
    /// list. The ring position of the adgroup two ahead and the latest rows of the next one are
    /// asked for while one adapts: each adaptation otherwise starts on misses in its ring.
    private func adaptListed(world: World, base: GlobalModel, now: Double) {
        let listed = dirtyGroups.count
        for k in 0..<listed {
            if tuned && k + 2 < listed { rings.prefetchCounters(owner: Int(dirtyGroups[k + 2])) }
            if tuned && k + 1 < listed { rings.prefetchLatest(owner: Int(dirtyGroups[k + 1]), rows: settings.supportSize) }
            let g = Int(dirtyGroups[k])
            adapt(adgroup: g, world: world, base: base, now: now)
            dirty[g] = false
        }
        dirtyGroups.removeAll(keepingCapacity: true)
    }

    /// Everything but the cohort block: the global logit, the shared correction and the ad's block.
    private func logitWithoutCohort(ad: Int, user: UnsafeBufferPointer<Double>, world: World, base: GlobalModel) -> Double {
        let θ = learner.parameters
        var z = base.baseLogit(ad: ad, user: user, world: world) + θ[2 * d] + logit(ad: ad, user: user, world: world)
        for k in 0..<d { z += (θ[k] * user[k] + θ[d + k]) * world.adFeatures[ad * d + k] }
        return z
    }

    /// Re-adapts every adgroup whose advertiser has entered by `now` (after the starting point changed).
    func adaptAll(world: World, base: GlobalModel, now: Double) {
        dirtyGroups.removeAll(keepingCapacity: true)
        for g in 0..<world.adgroupCountTotal where world.entryTime[Int(world.adgroupAdvertiser[g])] <= now { dirtyGroups.append(Int32(g)) }
        adaptListed(world: world, base: base, now: now)
    }

    /// Gives an entering advertiser's adgroups their starting blocks. Under Meta-Embedding, a new
    /// advertiser's ads first get their global ID bias β from the generator (Pan et al.: the
    /// generated embedding initialises the ID embedding, which is then learned as usual), once;
    /// their blocks start from the learned start like every other adgroup's, so the ad's effect is
    /// carried by β alone and never twice.
    func enter(advertiser adv: Int, world: World, base: GlobalModel, now: Double) {
        let firstGroup = Int(world.firstAdgroup[adv])
        for g in firstGroup..<(firstGroup + Int(world.adgroupCount[adv])) {
            for ad in ads(of: g) {
                if let generator, world.isNew[adv] {
                    base.initialiseIDBias(ad: ad, to: generator.embedding(world.coldStartFeatures(ad: ad)), world: world)
                }
            }
            adapt(adgroup: g, world: world, base: base, now: now)
        }
    }

    /// A model-update tick: `metaIterations` outer updates over adgroups sampled (with replacement,
    /// alike or by impressions: `taskSampling`) among those with at least two usable impressions;
    /// each sampled adgroup's rows are shuffled and split into query (up to `querySize`, at most
    /// half) and support. Under Meta-Embedding the generator takes a step on the established ads of
    /// the same sample (of an adgroup of several ads, on the rows of the ad of its first support
    /// row: the generator predicts one ad's ID bias). Then every block is re-adapted.
    func metaUpdate(world: World, base: GlobalModel, now: Double, stream: RandomStream) {
        if metaTrained && settings.metaIterations > 0 {
            let eligible = (0..<world.adgroupCountTotal).filter {
                world.entryTime[Int(world.adgroupAdvertiser[$0])] <= now
                    && rings.usableCount(owner: $0, now: now, windowHours: settings.windowHours) >= 2
            }
            if !eligible.isEmpty {
                // Task weights: 1 each (uniform), or the ad's impressions (or their square root).
                var cumulative: [Double] = []
                if settings.taskSampling != .uniform {
                    cumulative.reserveCapacity(eligible.count)
                    for g in eligible {
                        let n = impressions[g]
                        cumulative.append((cumulative.last ?? 0) + (settings.taskSampling == .impressions ? n : n.squareRoot()))
                    }
                }
                for _ in 0..<settings.metaIterations {
                    var tasks: [MetaTask] = []
                    var generatorTasks: [(features: [Double], first: Batch, second: Batch)] = []
                    for _ in 0..<settings.metaBatch {
                        let g = eligible[cumulative.isEmpty ? stream.integer(below: eligible.count) : stream.index(cumulative: cumulative)]
                        let (support, query) = rings.task(owner: g, now: now, windowHours: settings.windowHours,
                                                          querySize: settings.querySize, supportSize: settings.supportSize, stream: stream)
                        tasks.append(MetaTask(support: batch(support, adgroup: g, world: world, base: base),
                                              query: batch(query, adgroup: g, world: world, base: base), stepScale: settings.stepScale(rows: support.count)))
                        if generator != nil, !world.isNew[Int(world.adgroupAdvertiser[g])] {
                            // The generator predicts one ad's ID bias: in an adgroup of several ads,
                            // the rows of the ad of the first support row.
                            let ad = singletons ? g : rowAd(support.first ?? query[0], adgroup: g)
                            let own = { (rows: [Int]) in self.singletons ? rows : rows.filter { self.rowAd($0, adgroup: g) == ad } }
                            let (ownSupport, ownQuery) = (own(support), own(query))
                            if !ownQuery.isEmpty {
                                generatorTasks.append((world.coldStartFeatures(ad: ad),
                                                       generatorBatch(ownSupport, adgroup: g, world: world, base: base),
                                                       generatorBatch(ownQuery, adgroup: g, world: world, base: base)))
                            }
                        }
                    }
                    learner.step(tasks)
                    if !generatorTasks.isEmpty { generator!.step(generatorTasks) }
                }
            }
        }
        adaptAll(world: world, base: base, now: now)
        cohorts?.update(world: world, now: now, iterations: settings.metaIterations, stream: metaTrained ? stream : nil) {
            self.logitWithoutCohort(ad: $0, user: $1, world: world, base: base)
        }
    }

    /// Rows scored as a brand-new ad is at entry, before its ID bias: no ID bias, the learned start
    /// block (c included), for the generator — whose output then stands in for the ID bias.
    private func generatorBatch(_ rows: [Int], adgroup g: Int, world: World, base: GlobalModel) -> Batch {
        let b = batch(rows, adgroup: g, world: world, base: base, dropIDBias: true)
        let θ = learner.parameters
        let offsets = zip(learner.model.outputs(θ, on: b), b.offset!).map { $0 + $1 }
        return EmbeddingGenerator.batch(offsets: offsets, targets: b.targets, observation: b.observation)
    }
}

extension World {
    /// What a cold-start generator may know of a brand-new ad: its advertiser's tier (one-hot),
    /// its feature vector, and a constant 1.
    func coldStartFeatures(ad: Int) -> [Double] {
        let tiers = tierNames.count
        var f = [Double](repeating: 0, count: coldStartFeatureCount)
        f[Int(advertiserTier[Int(adAdvertiser[ad])])] = 1
        for k in 0..<dimension { f[tiers + k] = adFeatures[ad * dimension + k] }
        f[tiers + dimension] = 1
        return f
    }

    var coldStartFeatureCount: Int { tierNames.count + dimension + 1 }
}

/// Reusable buffers of one personal-block adaptation (at most `rows` support rows).
struct AdaptationScratch {
    let rows: UnsafeMutableBufferPointer<Int>
    let sharedOutput, offset, observation, dOut, inputs, block, gradient: UnsafeMutableBufferPointer<Double>
    /// The rows' inputs again, column-major (`rows.count` per column).
    let columns: UnsafeMutableBufferPointer<Double>
    let positive: UnsafeMutableBufferPointer<Bool>

    init(rows n: Int, width: Int, memory: ScratchMemory) {
        rows = memory.buffer(n, filledWith: 0)
        sharedOutput = memory.buffer(n, filledWith: 0.0)
        offset = memory.buffer(n, filledWith: 0.0)
        observation = memory.buffer(n, filledWith: 0.0)
        dOut = memory.buffer(n, filledWith: 0.0)
        inputs = memory.buffer(n * width, filledWith: 0.0)
        block = memory.buffer(width, filledWith: 0.0)
        gradient = memory.buffer(width, filledWith: 0.0)
        columns = memory.buffer(n * width, filledWith: 0.0)
        positive = memory.buffer(n, filledWith: false)
    }
}

extension AdaptationScratch {
    /// `dOut[i]` = sharedOutput[i] + Σₖ block[k]·x[i][k] + offset[i] for rows `0..<n`, each row's
    /// terms added in that order (as the generic model does), four rows at a time: a lane's sum
    /// is that row's scalar sum, kept in a register instead of going through memory per term.
    @inline(__always)
    func formLogits(rows n: Int, width: Int) {
        let stride = rows.count
        var i = 0
        while i + 4 <= n {
            var z = Self.load(sharedOutput, i)
            for k in 0..<width { z += SIMD4(repeating: block[k]) * Self.load(columns, k * stride + i) }
            z += Self.load(offset, i)
            Self.store(z, dOut, i)
            i += 4
        }
        while i < n {
            var z = sharedOutput[i]
            for k in 0..<width { z += block[k] * columns[k * stride + i] }
            dOut[i] = z + offset[i]
            i += 1
        }
    }

    /// `gradient[k]` = Σᵢ dOut[i]·x[i][k] over rows `0..<n` in row order, four parameters at a
    /// time: a lane's sum is that parameter's scalar sum, kept in a register.
    @inline(__always)
    func formGradient(rows n: Int, width: Int) {
        var k = 0
        while k + 4 <= width {
            var g = SIMD4<Double>(repeating: 0)
            for i in 0..<n { g += SIMD4(repeating: dOut[i]) * Self.load(inputs, i * width + k) }
            Self.store(g, gradient, k)
            k += 4
        }
        while k < width {
            var g = 0.0
            for i in 0..<n { g += dOut[i] * inputs[i * width + k] }
            gradient[k] = g
            k += 1
        }
    }

    @inline(__always)
    private static func load(_ b: UnsafeMutableBufferPointer<Double>, _ i: Int) -> SIMD4<Double> {
        UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: SIMD4<Double>.self)
    }

    /// Stores four values at `b[i]…b[i + 3]`.
    @inline(__always)
    static func store(_ v: SIMD4<Double>, _ b: UnsafeMutableBufferPointer<Double>, _ i: Int) {
        UnsafeMutableRawPointer(b.baseAddress! + i).storeBytes(of: v, as: SIMD4<Double>.self)
    }
}
