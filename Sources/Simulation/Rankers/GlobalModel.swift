import Learning
import Marketplace
import Scenario
import Stochastics

/// The "one model for all": a position-debiased logistic CTR model on user × ad features with a
/// per-ad ID bias, plus per-ad conversion rates shrunk toward the global rate — what `GlobalRanker`
/// serves, and the base a `PersonalBlockRanker`'s blocks correct.
///
/// Features φ(u, x) = [u ⊙ x, x] (2d values), then with `tierFeatures` the advertiser's tier one-hot
/// (T values: a learned shift τ_tier per tier, which a brand-new ad has before its ID bias has data).
/// Scoring is split so the per-candidate cost is one
/// d-length dot product: `prepare(user:)` folds the user into g = w_int ⊙ u + w_ad once per
/// request, then logit(ad) = b₀ + (β_ad + τ_tier) + x_ad · g, the bracket served as one number.
///
/// A class: one simulation owns it for its whole run; its tables have fixed addresses.
final class GlobalModel {
    private(set) var model: LogisticRegression
    let settings: RankerSettings
    let dimension: Int
    /// The prepared request: g (d values), then room for the user u (d values), which a
    /// personal-block ranker writes there.
    let folded: UnsafeMutableBufferPointer<Double>
    /// Intercept of the prepared request (b₀, plus whatever a personal-block ranker adds).
    var requestIntercept = 0.0
    /// Logged clicks and conversions per ad (history plus live feedback) for the CVR estimate.
    private var adClicks: [Double]
    private var adConversions: [Double]
    private var priorCVR: Double
    /// Each ad's retrieval position (`World.adPosition`): the caches below are stored in that order.
    private let adPosition: [Int32]
    /// The shrunk CVR estimate per retrieval position, refreshed on every click and conversion.
    let cvrCache: UnsafeMutableBufferPointer<Double>
    /// [β_ad, x_ad] per retrieval position (stride d + 1), refreshed after every training pass,
    /// so a candidate's score reads one region (empty when the model does not serve its own rows).
    private let served: UnsafeMutableBufferPointer<Double>
    private let servesRows: Bool
    /// Each ad's tier, and where the tier weights start in the model's weights (nil: no tier features).
    private let adTier: [Int32]
    private let tierOffset: Int?
    /// The feedback since the last model update (what the next one trains on).
    private(set) var feedback: InteractionLog
    /// Owns `folded`, `cvrCache` and `served`.
    private let memory = ScratchMemory()
    static let cvrPriorStrength = 20.0

    /// Trains on the world's history (`settings.epochs` passes, seeded by `seed`). `servesRows`:
    /// whether `servedRows` serves this model alone (false under personal blocks, which serve their own).
    init(world: World, settings: RankerSettings, seed: UInt64, servesRows: Bool) {
        self.settings = settings
        dimension = world.dimension
        let history = world.history
        let clicks = history.clicked.reduce(0) { $0 + ($1 ? 1.0 : 0) }
        let exposure = history.examination.reduce(0, +)
        let startRate = exposure > 0 ? min(max(clicks / exposure, 1e-4), 0.5) : 0.02
        let tiers = settings.tierFeatures ? world.tierNames.count : 0
        model = LogisticRegression(features: 2 * world.dimension + tiers, entities: world.adCountTotal, intercept: logit(startRate))
        adTier = settings.tierFeatures ? world.adAdvertiser.map { world.advertiserTier[Int($0)] } : []
        tierOffset = settings.tierFeatures ? 2 * world.dimension : nil
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
        self.servesRows = servesRows
        served = memory.buffer(servesRows ? world.adCountTotal * (world.dimension + 1) : 0, filledWith: 0.0)
        feedback = InteractionLog(dimension: world.dimension)
        for ad in 0..<world.adCountTotal { refreshCVR(ad: ad, position: Int(adPosition[ad])) }
        train(on: history, world: world, epochs: settings.epochs, seed: seed)
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
        var φ = [Double](repeating: 0, count: model.weights.count)
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
                if let t = tierOffset { φ[t + Int(adTier[ad])] = 1 }
                φ.withUnsafeBufferPointer { f in
                    model.step(features: f, entity: ad, observation: records[o + d], positive: records[o + d + 1] > 0.5,
                               learningRate: settings.learningRate, l2: settings.l2)
                }
                if let t = tierOffset { φ[t + Int(adTier[ad])] = 0 }
            }
        }
        refreshServed(world: world)
    }

    /// Rebuilds the [β, x] cache (when the model serves its own rows).
    private func refreshServed(world: World) {
        guard servesRows else { return }
        let d = dimension, stride = d + 1
        for ad in 0..<world.adCountTotal {
            let o = Int(adPosition[ad]) * stride
            served[o] = servedBias(ad: ad)
            for k in 0..<d { served[o + 1 + k] = world.adFeatures[ad * d + k] }
        }
    }

    /// Folds the request's user into the per-request vector g (`folded[0..<d]`), and sets
    /// `requestIntercept` to b₀.
    func prepare(user: UnsafeBufferPointer<Double>) {
        let d = dimension, folded = folded
        model.weights.withUnsafeBufferPointer { w in
            for k in 0..<d { folded[k] = w[k] * user[k] + w[d + k] }
        }
        requestIntercept = model.intercept
    }

    /// The global model's logit b₀ + β_ad + Σₖ (wᵢₖ uₖ + wₐₖ) xₖ for any user (the base a personal block corrects).
    func baseLogit(ad: Int, user: UnsafeBufferPointer<Double>, world: World) -> Double {
        let d = dimension
        var z = model.intercept + servedBias(ad: ad)
        for k in 0..<d { z += (model.weights[k] * user[k] + model.weights[d + k]) * world.adFeatures[ad * d + k] }
        return z
    }

    /// b₀ + β_ad + τ_tier: where `baseLogit` starts its sum.
    func baseIntercept(ad: Int) -> Double { model.intercept + servedBias(ad: ad) }

    /// The ad's constant part of the logit beyond b₀: β_ad, plus its tier's τ with tier features.
    @inline(__always)
    func servedBias(ad: Int) -> Double {
        guard let t = tierOffset else { return model.entityBias[ad] }
        return model.entityBias[ad] + model.weights[t + Int(adTier[ad])]
    }

    /// Calls `body` with the interaction weights wᵢ (d) then wₐ (d) that `baseLogit` reads.
    func withInteractionWeights<R>(_ body: (UnsafeBufferPointer<Double>) -> R) -> R { model.weights.withUnsafeBufferPointer(body) }

    /// The model's learned ID bias β_ad (its tier's shift τ not included).
    func idBias(ad: Int) -> Double { model.entityBias[ad] }

    /// Starts a new ad's ID bias β_ad at `value` (Meta-Embedding's generated embedding); later
    /// model updates learn it from there like any other ad's.
    func initialiseIDBias(ad: Int, to value: Double, world: World) {
        model.setEntityBias(ad, to: value)
        if servesRows { served[Int(world.adPosition[ad]) * (dimension + 1)] = servedBias(ad: ad) }
    }

    /// The model's own serving tables: [β, x] per retrieval position and the conversion rates.
    var servedRows: ServedRows {
        ServedRows(rows: UnsafePointer(served.baseAddress!), stride: dimension + 1, rates: UnsafePointer(cvrCache.baseAddress!))
    }

    /// Logs an impression for the next model update.
    func log(ad: Int, user: UnsafeBufferPointer<Double>, cohort: Int, examination: Double, clicked: Bool) {
        feedback.append(ad: ad, user: user, cohort: cohort, examination: examination, clicked: clicked)
    }

    /// The model-update tick: one SGD pass over the feedback since the last one (which is then
    /// dropped). Returns false when there was none (nothing changed).
    func update(world: World, seed: UInt64) -> Bool {
        guard feedback.count > 0 else { return false }
        train(on: feedback, world: world, epochs: 1, seed: seed)
        feedback.removeAll()
        return true
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
