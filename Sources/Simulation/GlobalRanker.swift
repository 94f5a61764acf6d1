import Learning
import Marketplace
import Scenario
import Stochastics

/// The "one model for all" ranker: a position-debiased logistic CTR model on user × ad
/// features with a per-ad ID bias, plus per-ad conversion rates shrunk toward the global rate.
///
/// Features φ(u, x) = [u ⊙ x, x] (2d values). Scoring is split so the per-candidate cost is one
/// d-length dot product: `prepare(user:)` folds the user into g = w_int ⊙ u + w_ad once per
/// request, then logit(ad) = b₀ + β_ad + x_ad · g.
///
/// A class: one simulation owns it for its whole run, and calling through the simulation's
/// optional must not copy its arrays (as a struct it was copied once per scored candidate).
final class GlobalRanker {
    private(set) var model: LogisticRegression
    let settings: RankerSettings
    let dimension: Int
    /// The prepared request: g (d values), then the user u (d values) when there are personal blocks.
    private let folded: UnsafeMutableBufferPointer<Double>
    /// Logged clicks and conversions per ad (history plus live feedback) for the CVR estimate.
    private var adClicks: [Double]
    private var adConversions: [Double]
    private var priorCVR: Double
    /// Each ad's retrieval position (`World.adPosition`): the caches below are stored in that order.
    private let adPosition: [Int32]
    /// The shrunk CVR estimate per retrieval position, refreshed on every click and conversion.
    private let cvrCache: UnsafeMutableBufferPointer<Double>
    /// Without personal blocks: [β_ad, x_ad] per retrieval position (stride d + 1), refreshed after
    /// every training pass, so a candidate's score reads one region (empty with personal blocks).
    private let served: UnsafeMutableBufferPointer<Double>
    /// Owns `folded`, `cvrCache` and `served`: their addresses are fixed for the ranker's life, so
    /// the request path reads them through plain pointers (`servedRows`), with no reference
    /// counting per request.
    private let memory = ScratchMemory()
    static let cvrPriorStrength = 20.0
    /// Per-ad personal blocks on top of this model (`meta` and `finetune` rankers), else nil.
    let personal: PersonalBlocks?
    /// Intercept of the prepared request: b₀, plus the personal blocks' shared correction b′.
    private var requestIntercept = 0.0

    init(world: World, settings: RankerSettings, cohorts: Int, seed: UInt64) {
        self.settings = settings
        dimension = world.dimension
        let history = world.history
        let clicks = history.clicked.reduce(0) { $0 + ($1 ? 1.0 : 0) }
        let exposure = history.examination.reduce(0, +)
        let startRate = exposure > 0 ? min(max(clicks / exposure, 1e-4), 0.5) : 0.02
        model = LogisticRegression(features: 2 * world.dimension, entities: world.adCountTotal, intercept: logit(startRate))
        folded = memory.buffer(2 * world.dimension, filledWith: 0.0)
        adClicks = Array(repeating: 0, count: world.adCountTotal)
        adConversions = Array(repeating: 0, count: world.adCountTotal)
        let conversions = history.converted.reduce(0) { $0 + ($1 ? 1.0 : 0) }
        priorCVR = clicks > 0 ? max(conversions / clicks, 1e-4) : 0.05
        for i in 0..<history.count where history.clicked[i] {
            adClicks[Int(history.ad[i])] += 1
            if history.converted[i] { adConversions[Int(history.ad[i])] += 1 }
        }
        adPosition = world.adPosition
        cvrCache = memory.buffer(world.adCountTotal, filledWith: 0.0)
        let personalised = settings.kind == .meta || settings.kind == .finetune
        served = memory.buffer(personalised ? 0 : world.adCountTotal * (world.dimension + 1), filledWith: 0.0)
        personal = personalised ? PersonalBlocks(world: world, ranker: settings, cohorts: cohorts) : nil
        for ad in 0..<world.adCountTotal { refreshCVR(ad: ad, position: Int(adPosition[ad])) }
        train(on: history, world: world, epochs: settings.epochs, seed: seed)
        // The established ads' history is the first meta-training set.
        personal?.metaUpdate(world: world, base: self, now: 0, stream: RandomStream(seed: splitMix64(seed ^ 0x6d65_7461)))
    }

    /// SGD passes over `log` in a seeded shuffled order.
    ///
    /// Each epoch first lays the rows out in the shuffled order — reading the log front to back and
    /// writing each row to its place in one contiguous record buffer — and then steps through that
    /// buffer in order. Reading the log at random instead stalls every step on several cache and
    /// TLB misses (one per log column); stores to random places do not stall. Same steps in the
    /// same order as reading the rows directly.
    func train(on log: InteractionLog, world: World, epochs: Int, seed: UInt64) {
        guard log.count > 0 else { refreshServed(world: world); return }
        let stream = RandomStream(seed: seed)
        let n = log.count, d = dimension, stride = d + 2
        var order = Array(0..<n)
        var place = [Int32](repeating: 0, count: n)
        var records = [Double](repeating: 0, count: n * stride)
        var ads = [Int32](repeating: 0, count: n)
        var φ = [Double](repeating: 0, count: 2 * d)
        for _ in 0..<epochs {
            for i in Swift.stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, stream.integer(below: i + 1)) }
            for (i, row) in order.enumerated() { place[row] = Int32(i) }
            // Records in training order: [user (d), examination, clicked].
            for row in 0..<n {
                let i = Int(place[row]), o = i * stride
                ads[i] = log.ad[row]
                for k in 0..<d { records[o + k] = log.user[row * d + k] }
                records[o + d] = log.examination[row]
                records[o + d + 1] = log.clicked[row] ? 1 : 0
            }
            for i in 0..<n {
                let ad = Int(ads[i]), o = i * stride
                for k in 0..<d {
                    let x = world.adFeatures[ad * d + k]
                    φ[k] = records[o + k] * x
                    φ[d + k] = x
                }
                φ.withUnsafeBufferPointer { f in
                    model.step(features: f, entity: ad, observation: records[o + d], positive: records[o + d + 1] > 0.5,
                               learningRate: settings.learningRate, l2: settings.l2)
                }
            }
        }
        refreshServed(world: world)
    }

    /// Rebuilds the [β, x] cache of the plain global model (a ranker with personal blocks serves
    /// from theirs instead).
    private func refreshServed(world: World) {
        guard personal == nil else { return }
        let d = dimension, stride = d + 1
        for ad in 0..<world.adCountTotal {
            let o = Int(adPosition[ad]) * stride
            served[o] = model.entityBias[ad]
            for k in 0..<d { served[o + 1 + k] = world.adFeatures[ad * d + k] }
        }
    }

    /// Folds the request's user into the per-request vector g (with the personal blocks' shared
    /// correction, and the request cohort's block, when there are personal blocks).
    func prepare(user: UnsafeBufferPointer<Double>, cohort: Int) {
        let d = dimension, folded = folded
        model.weights.withUnsafeBufferPointer { w in
            for k in 0..<d { folded[k] = w[k] * user[k] + w[d + k] }
        }
        requestIntercept = model.intercept
        guard let personal else { return }
        personal.withSharedCorrection { c in
            for k in 0..<d {
                folded[k] += c[k] * user[k] + c[d + k]
                folded[d + k] = user[k]
            }
            requestIntercept += c[2 * d]
        }
        personal.cohorts?.fold(cohort: cohort, user: user, into: folded, intercept: &requestIntercept)
    }

    /// The global model's logit b₀ + β_ad + Σₖ (wᵢₖ uₖ + wₐₖ) xₖ for any user (the base a personal block corrects).
    func baseLogit(ad: Int, user: UnsafeBufferPointer<Double>, world: World) -> Double {
        let d = dimension
        var z = model.intercept + model.entityBias[ad]
        for k in 0..<d { z += (model.weights[k] * user[k] + model.weights[d + k]) * world.adFeatures[ad * d + k] }
        return z
    }

    /// b₀ + β_ad: where `baseLogit` starts its sum.
    func baseIntercept(ad: Int) -> Double { model.intercept + model.entityBias[ad] }

    /// Calls `body` with the interaction weights wᵢ (d) then wₐ (d) that `baseLogit` reads.
    func withInteractionWeights<R>(_ body: (UnsafeBufferPointer<Double>) -> R) -> R { model.weights.withUnsafeBufferPointer(body) }

    /// The model's learned ID bias β_ad.
    func idBias(ad: Int) -> Double { model.entityBias[ad] }

    /// Predicted click-through and conversion rates of the candidates at retrieval `positions` for
    /// the prepared user, written to `ctr` and `cvr`: one call per request, reading each candidate's
    /// cached ad-side vector once (a candidate admitted late is scored alone the same way).
    func score(_ positions: UnsafeBufferPointer<Int>, ctr: UnsafeMutableBufferPointer<Double>, cvr: UnsafeMutableBufferPointer<Double>) {
        // With personal blocks one contiguous ad-side vector per candidate, [β + c, x, q] · [1, g, u];
        // without, [β, x] · [1, g].
        let rows = servedRows
        Self.predict(positions, served: rows.rows, stride: rows.stride, request: UnsafePointer(folded.baseAddress!),
                     length: personal == nil ? dimension : 2 * dimension, intercept: requestIntercept, rates: rows.rates, ctr: ctr, cvr: cvr)
    }

    /// Where the served ad-side vectors and the cached conversion rates sit (retrieval order): the
    /// personal blocks' vectors when there are personal blocks, else the plain model's. Valid for
    /// the ranker's life, so the request path may keep it (`retrieve` asks for candidates' rows
    /// ahead of scoring).
    var servedRows: ServedRows {
        if let personal { return ServedRows(rows: UnsafePointer(personal.served.baseAddress!), stride: personal.servedStride, rates: UnsafePointer(cvrCache.baseAddress!)) }
        return ServedRows(rows: UnsafePointer(served.baseAddress!), stride: dimension + 1, rates: UnsafePointer(cvrCache.baseAddress!))
    }

    /// σ(intercept + v₀ + v₁…ₗ · request) for the served vectors v (`stride` apart, in retrieval
    /// order) at `positions`, into `ctr`, and each position's cached conversion rate into `cvr`;
    /// four candidates at a time: their four dot products in one vector (`dot4`), then σ on the
    /// vector (`VectorLogistic.logistic(lanes:)`). A last partial group repeats its first
    /// candidate in the spare lanes. Each rate has the bits the candidate's own `dot` and
    /// `VectorLogistic.apply` give.
    @inline(__always)
    static func predict(_ positions: UnsafeBufferPointer<Int>, served base: UnsafePointer<Double>, stride: Int,
                        request: UnsafePointer<Double>, length: Int, intercept: Double, rates: UnsafePointer<Double>,
                        ctr: UnsafeMutableBufferPointer<Double>, cvr: UnsafeMutableBufferPointer<Double>) {
        let n = positions.count
        var i = 0
        while i < n {
            let p0 = positions[i]
            let p1 = i + 1 < n ? positions[i + 1] : p0
            let p2 = i + 2 < n ? positions[i + 2] : p0
            let p3 = i + 3 < n ? positions[i + 3] : p0
            let o0 = p0 * stride, o1 = p1 * stride, o2 = p2 * stride, o3 = p3 * stride
            let bias = SIMD4(base[o0], base[o1], base[o2], base[o3])
            let products = dot4(base + o0 + 1, base + o1 + 1, base + o2 + 1, base + o3 + 1, request, count: length)
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

    /// (conversions + s·prior) / (clicks + s) with s = `cvrPriorStrength`.
    @inline(__always)
    static func shrunkRate(conversions: Double, clicks: Double, prior: Double) -> Double {
        (conversions + cvrPriorStrength * prior) / (clicks + cvrPriorStrength)
    }

    /// A click on `ad`, at retrieval `position` (`World.adPosition`, which the caller knows).
    func recordClick(ad: Int, position: Int) { adClicks[ad] += 1; refreshCVR(ad: ad, position: position) }
    func recordConversion(ad: Int) { adConversions[ad] += 1; refreshCVR(ad: ad, position: Int(adPosition[ad])) }

    private func refreshCVR(ad: Int, position: Int) {
        cvrCache[position] = Self.shrunkRate(conversions: adConversions[ad], clicks: adClicks[ad], prior: priorCVR)
    }
}

/// The ranker's serving tables as the request path reads them (`GlobalRanker.servedRows`):
/// `stride` values per retrieval position from `rows`, and one conversion rate per position from
/// `rates`.
struct ServedRows {
    let rows: UnsafePointer<Double>
    let stride: Int
    let rates: UnsafePointer<Double>
}
