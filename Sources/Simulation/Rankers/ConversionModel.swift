import Learning
import Marketplace
import Scenario
import Stochastics

/// A learned ranker's conversion rates and order values (`ranker.conversionModel: learned`).
///
/// pCVR = σ(b + Σₖ (vᵢₖ uₖ + vₐₖ) xₖ + γ_cohort + β_ad): a logistic regression on the click model's
/// features [u ⊙ x, x], the cohort one-hot and an ID bias per ad, trained on clicks (every click is
/// observed: observation probability 1). Conversions arrive late, so the training data follow an
/// elapsed-time rule: a click waits until it converts (a positive) or until `conversionWindowHours`
/// have passed: it is then a positive if its conversion arrived within the window, else a negative
/// (a conversion later than the window counts as a negative: under an exponential delay of mean m,
/// a share e^(−window/m) of conversions). Every click is labelled at the same age, so positives and
/// negatives enter training together and the model is biased neither toward "not yet converted"
/// nor, early in a run, toward the conversions that happened to arrive first.
///
/// Order value per ad and cohort: (Σ observed values + s·prior) / (n + s), s = `valuePriorStrength`,
/// prior = the advertiser's declared `valuePerConversion` × the cohort's ratio of observed to
/// declared value over all of its conversions so far (1 before any).
///
/// The engine tells the model each click's conversion time at the click (a simulation shortcut);
/// the model reads it only through `matured(at:)`, which reveals a conversion once its time has come.
final class ConversionModel {
    private(set) var model: LogisticRegression
    let dimension: Int
    let cohorts: Int
    let settings: RankerSettings
    /// The prepared request: h = vᵢ ⊙ u + vₐ (d values) and b + γ_cohort.
    private var folded: [Double]
    private(set) var requestIntercept = 0.0
    private(set) var requestCohort = 0
    /// Clicks waiting for their label: time, ad, cohort, conversion time (∞: none), value, user (d each).
    private var pendingTime: [Double] = [], pendingAd: [Int32] = [], pendingCohort: [Int32] = []
    private var pendingConversion: [Double] = [], pendingValue: [Double] = [], pendingUser: [Double] = []
    /// Order values observed per ad and cohort (ads × cohorts), and per cohort observed vs declared.
    private var valueSum: [Double], valueCount: [Double]
    private var cohortObserved: [Double], cohortDeclared: [Double]
    private let declared: [Double]
    static let valuePriorStrength = 5.0
    /// Serving tables in retrieval-position order (`World.adPosition`), refreshed after training:
    /// β per position, and the expected order value per position and cohort. A request's
    /// candidates are read in position order, so these are read near front to back.
    private let adPosition: [Int32]
    private var servedBias: [Double]
    private var servedValue: [Double]
    /// Personal conversion blocks per adgroup (nil unless `conversionBlocks`), their served
    /// q = p ⊙ x per position (d values; empty for `bias` blocks), and the prepared request's user.
    let blocks: ConversionBlocks?
    private var servedQ: [Double] = []
    private var requestUser: [Double] = []

    /// Trains on the history's clicks (all of their conversions are known: the log is the past).
    init(world: World, settings: RankerSettings, cohorts: Int, seed: UInt64) {
        dimension = world.dimension
        self.cohorts = cohorts
        self.settings = settings
        let history = world.history
        var clicks = 0.0, conversions = 0.0
        for i in 0..<history.count where history.clicked[i] {
            clicks += 1
            if history.converted[i] { conversions += 1 }
        }
        let start = clicks > 0 ? min(max(conversions / clicks, 1e-4), 0.5) : 0.05
        model = LogisticRegression(features: 2 * world.dimension + cohorts, entities: world.adCountTotal, intercept: logit(start))
        folded = Array(repeating: 0, count: world.dimension)
        valueSum = Array(repeating: 0, count: world.adCountTotal * cohorts)
        valueCount = valueSum
        cohortObserved = Array(repeating: 0, count: cohorts)
        cohortDeclared = cohortObserved
        declared = world.adAdvertiser.map { world.valuePerConversion[Int($0)] }
        adPosition = world.adPosition
        servedBias = Array(repeating: 0, count: world.adCountTotal)
        servedValue = Array(repeating: 0, count: world.adCountTotal * cohorts)
        let personal = settings.meta.conversionBlocks && (settings.kind == .meta || settings.kind == .finetune)
        blocks = personal ? ConversionBlocks(world: world, settings: settings, cohorts: cohorts) : nil
        if let blocks, blocks.width > 1 {
            servedQ = Array(repeating: 0, count: world.adCountTotal * world.dimension)
            requestUser = Array(repeating: 0, count: world.dimension)
        }
        let rows = (0..<history.count).filter { history.clicked[$0] }
        let stream = RandomStream(seed: seed)
        var order = rows
        for _ in 0..<settings.epochs {
            for i in Swift.stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, stream.integer(below: i + 1)) }
            for row in order {
                history.user.withUnsafeBufferPointer { u in
                    step(ad: Int(history.ad[row]), user: UnsafeBufferPointer(rebasing: u[(row * dimension)..<((row + 1) * dimension)]),
                         cohort: Int(history.cohort[row]), converted: history.converted[row], world: world)
                }
            }
        }
        if let blocks {
            history.user.withUnsafeBufferPointer { u in
                for row in rows {
                    blocks.record(ad: Int(history.ad[row]), user: UnsafeBufferPointer(rebasing: u[(row * dimension)..<((row + 1) * dimension)]),
                                  cohort: Int(history.cohort[row]), converted: history.converted[row], time: -.infinity)
                }
            }
            updateBlocks(world: world, now: 0, seed: seed)
        }
        refreshServed(world: world)
    }

    /// Meta-trains and re-adapts the personal conversion blocks on the current shared model (with
    /// their own stream, derived from the tick's `seed`).
    private func updateBlocks(world: World, now: Double, seed: UInt64) {
        blocks?.update(world: world, now: now, stream: RandomStream(seed: splitMix64(seed ^ 0x6376_725f_626c)),
                       base: { self.baseLogit(ad: $0, user: $1, cohort: $2, world: world) })
    }

    /// The shared model's conversion logit (without the personal block) for `ad`, `user` and `cohort`.
    private func baseLogit(ad: Int, user: UnsafeBufferPointer<Double>, cohort: Int, world: World) -> Double {
        let d = dimension
        return model.weights.withUnsafeBufferPointer { w in
            var z = model.intercept + w[2 * d + cohort] + model.entityBias[ad]
            for k in 0..<d { z += (w[k] * user[k] + w[d + k]) * world.adFeatures[ad * d + k] }
            return z
        }
    }

    /// Rebuilds the position-ordered tables from the model, the blocks and the value sums: β (+ the
    /// adgroup's block bias c), q = p ⊙ x of the adgroup's block, and the order values.
    private func refreshServed(world: World) {
        let d = dimension
        for ad in adPosition.indices {
            let p = Int(adPosition[ad])
            servedBias[p] = model.entityBias[ad]
            if let blocks {
                let g = Int(world.adAdgroup[ad])
                servedBias[p] += blocks.bias(adgroup: g)
                if !servedQ.isEmpty { for k in 0..<d { servedQ[p * d + k] = blocks.weight(adgroup: g, k) * world.adFeatures[ad * d + k] } }
            }
            for c in 0..<cohorts { servedValue[p * cohorts + c] = orderValue(ad: ad, cohort: c) }
        }
    }

    /// One SGD step on one labelled click.
    private func step(ad: Int, user: UnsafeBufferPointer<Double>, cohort: Int, converted: Bool, world: World) {
        let d = dimension
        var φ = [Double](repeating: 0, count: 2 * d + cohorts)
        for k in 0..<d {
            let x = world.adFeatures[ad * d + k]
            φ[k] = user[k] * x
            φ[d + k] = x
        }
        φ[2 * d + cohort] = 1
        φ.withUnsafeBufferPointer { f in
            model.step(features: f, entity: ad, observation: 1, positive: converted, learningRate: settings.learningRate, l2: settings.l2)
        }
    }

    /// Folds the request's user and cohort: h and b + γ_cohort.
    func prepare(user: UnsafeBufferPointer<Double>, cohort: Int) {
        let d = dimension
        model.weights.withUnsafeBufferPointer { w in
            for k in 0..<d { folded[k] = w[k] * user[k] + w[d + k] }
            requestIntercept = model.intercept + w[2 * d + cohort]
        }
        requestCohort = cohort
        if !requestUser.isEmpty { for k in 0..<d { requestUser[k] = user[k] } }
    }

    /// The prepared request's pCVR for `ad` (what `score` serves, computed from the model and the
    /// blocks directly).
    func rate(ad: Int, world: World) -> Double {
        let d = dimension
        let g = world.adAdgroup[ad]
        let β = blocks.map { model.entityBias[ad] + $0.bias(adgroup: Int(g)) } ?? model.entityBias[ad]
        var z = world.adFeatures.withUnsafeBufferPointer { x in
            folded.withUnsafeBufferPointer { h in (requestIntercept + β) + dot(x.baseAddress! + ad * d, h.baseAddress!, count: d) }
        }
        if let blocks, !requestUser.isEmpty {
            let q = (0..<d).map { blocks.weight(adgroup: Int(g), $0) * world.adFeatures[ad * d + $0] }
            z += q.withUnsafeBufferPointer { q in requestUser.withUnsafeBufferPointer { dot(q.baseAddress!, $0.baseAddress!, count: d) } }
        }
        return VectorLogistic.logistic(z)
    }

    /// The expected order value of a conversion on `ad` by a user of `cohort`.
    func orderValue(ad: Int, cohort c: Int) -> Double {
        let i = ad * cohorts + c
        let ratio = cohortDeclared[c] > 0 ? cohortObserved[c] / cohortDeclared[c] : 1
        return (valueSum[i] + Self.valuePriorStrength * declared[ad] * ratio) / (valueCount[i] + Self.valuePriorStrength)
    }

    /// Overwrites `request.predictedCVR` and writes `request.predictedValue` for candidates `range`,
    /// reading each candidate's features x from the ranker's served row (`rows`: x at offsets 1…d)
    /// and the logistic four at a time (`VectorLogistic.apply`: the same bits as `rate`).
    func score(_ request: RequestScratch, _ range: Range<Int>, rows: ServedRows) {
        let d = dimension, c = requestCohort, cvr = request.predictedCVR, value = request.predictedValue
        folded.withUnsafeBufferPointer { h in
            for i in range {
                let p = request.candidatePosition[i]
                cvr[i] = (requestIntercept + servedBias[p]) + dot(rows.rows + p * rows.stride + 1, h.baseAddress!, count: d)
                value[i] = servedValue[p * cohorts + c]
            }
        }
        if !servedQ.isEmpty {
            servedQ.withUnsafeBufferPointer { q in
                requestUser.withUnsafeBufferPointer { u in
                    for i in range { cvr[i] += dot(q.baseAddress! + request.candidatePosition[i] * d, u.baseAddress!, count: d) }
                }
            }
        }
        VectorLogistic.apply(UnsafeMutableBufferPointer(rebasing: cvr[range]))
    }

    /// A click, with the time its conversion will arrive (∞: none) and the order's value.
    func recordClick(ad: Int, user: UnsafeBufferPointer<Double>, cohort: Int, time: Double, conversionTime: Double, value: Double) {
        pendingTime.append(time)
        pendingAd.append(Int32(ad))
        pendingCohort.append(Int32(cohort))
        pendingConversion.append(conversionTime)
        pendingValue.append(value)
        pendingUser.append(contentsOf: user)
    }

    /// Pending click `i`'s label at `now`: nil while its window is open; once it has closed,
    /// whether its conversion arrived within the window.
    private func label(_ i: Int, at now: Double) -> Bool? {
        let window = settings.conversionWindowHours * 3600
        guard now - pendingTime[i] >= window else { return nil }
        return pendingConversion[i] <= pendingTime[i] + window
    }

    /// The model-update tick: one SGD pass, in a seeded shuffled order, over the clicks labelled by
    /// `now`, which then leave the waiting list; their order values join the value model.
    func update(now: Double, world: World, seed: UInt64) {
        var labelled: [(row: Int, converted: Bool)] = []
        for i in pendingTime.indices { if let y = label(i, at: now) { labelled.append((i, y)) } }
        guard !labelled.isEmpty else { return }
        // The personal blocks' rings take the newly labelled clicks in click order, stamped with
        // the label's time (when they became usable), so "latest" means the latest labelled.
        if let blocks {
            pendingUser.withUnsafeBufferPointer { u in
                for (row, converted) in labelled {
                    blocks.record(ad: Int(pendingAd[row]), user: UnsafeBufferPointer(rebasing: u[(row * dimension)..<((row + 1) * dimension)]),
                                  cohort: Int(pendingCohort[row]), converted: converted, time: now)
                }
            }
        }
        let stream = RandomStream(seed: seed)
        for i in Swift.stride(from: labelled.count - 1, to: 0, by: -1) { labelled.swapAt(i, stream.integer(below: i + 1)) }
        let d = dimension
        for (row, converted) in labelled {
            let ad = Int(pendingAd[row]), c = Int(pendingCohort[row])
            pendingUser.withUnsafeBufferPointer { u in
                step(ad: ad, user: UnsafeBufferPointer(rebasing: u[(row * d)..<((row + 1) * d)]), cohort: c, converted: converted, world: world)
            }
            if converted {
                valueSum[ad * cohorts + c] += pendingValue[row]
                valueCount[ad * cohorts + c] += 1
                cohortObserved[c] += pendingValue[row]
                cohortDeclared[c] += declared[ad]
            }
        }
        updateBlocks(world: world, now: now, seed: seed)
        refreshServed(world: world)
        // Keep the clicks still waiting, in their order.
        var done = [Bool](repeating: false, count: pendingTime.count)
        for (row, _) in labelled { done[row] = true }
        var kept = 0
        for i in pendingTime.indices where !done[i] {
            pendingTime[kept] = pendingTime[i]; pendingAd[kept] = pendingAd[i]; pendingCohort[kept] = pendingCohort[i]
            pendingConversion[kept] = pendingConversion[i]; pendingValue[kept] = pendingValue[i]
            for k in 0..<d { pendingUser[kept * d + k] = pendingUser[i * d + k] }
            kept += 1
        }
        pendingTime.removeLast(pendingTime.count - kept); pendingAd.removeLast(pendingAd.count - kept)
        pendingCohort.removeLast(pendingCohort.count - kept); pendingConversion.removeLast(pendingConversion.count - kept)
        pendingValue.removeLast(pendingValue.count - kept); pendingUser.removeLast(pendingUser.count - kept * d)
    }

    /// The conversion model's stream seed from the ranker's (so the click model's draws are unchanged).
    static func seed(_ rankerSeed: UInt64) -> UInt64 { splitMix64(rankerSeed ^ 0x6376_725f_6d6f_646c) }

    /// The model a ranker with `settings` carries: nil unless `conversionModel` is `learned`.
    static func make(world: World, settings: RankerSettings, cohorts: Int, rankerSeed: UInt64) -> ConversionModel? {
        settings.conversionModel == .learned ? ConversionModel(world: world, settings: settings, cohorts: cohorts, seed: seed(rankerSeed)) : nil
    }

    /// Bytes of the personal conversion blocks and their served q (`RankerFootprint` is checked against it).
    var personalBytes: Int { (blocks?.bytes ?? 0) + servedQ.count * MemoryLayout<Double>.stride }

    /// Clicks waiting for their label (for tests).
    var waiting: Int { pendingTime.count }
}

/// A learned ranker that may carry a conversion model: the learner-feedback hooks it answers through
/// that model (the rankers still call its `prepare`, `score` and `update` at their own points).
protocol ConversionLearningRanker: Ranker {
    var conversion: ConversionModel? { get }
}

extension ConversionLearningRanker {
    var predictsValues: Bool { conversion != nil }
    var learnsConversions: Bool { conversion != nil }
    func recordClickOutcome(ad: Int, user: UnsafeBufferPointer<Double>, cohort: Int, time: Double, conversionTime: Double, value: Double) {
        conversion?.recordClick(ad: ad, user: user, cohort: cohort, time: time, conversionTime: conversionTime, value: value)
    }
}
