import Learning
import Marketplace
import Scenario
import Stochastics

/// "A thousand cohorts, a thousand models": a personal block per user cohort — a bias and weights
/// on the user × ad interaction — meta-learned across cohorts as tasks and adapted from each
/// cohort's recent impressions, on top of the ranker's other terms.
///
/// Serving folds the request's cohort block into the per-request vector, so it costs nothing per
/// candidate. Each cohort keeps a ring of its latest impressions, ten times an ad's
/// (support + query), because a cohort's data is plentiful where an ad's is thin.
final class CohortBlocks {
    let d: Int
    let count: Int
    let capacity: Int
    let supportSize: Int
    let querySize: Int
    let innerSteps: Int
    /// The task model on [u ⊙ x, 1] whose offset is the rest of the ranker's logit.
    private(set) var learner: MetaLearner<LinearModel>
    /// Adapted blocks, cohort by cohort: p (d) then the bias.
    private(set) var blocks: [Double]
    private var ringAd: [Int32], ringUser: [Double], ringExamination: [Double], ringTime: [Double]
    private var ringClicked: [Bool]
    private var ringCount: [Int], ringNext: [Int]
    private let windowHours: Double?

    init(cohorts: Int, dimension d: Int, settings: MetaRankerSettings, metaTrained: Bool) {
        self.d = d
        count = cohorts
        supportSize = 10 * settings.supportSize
        querySize = 10 * settings.querySize
        capacity = supportSize + querySize
        innerSteps = settings.innerSteps
        windowHours = settings.windowHours
        let method: MetaMethod = metaTrained ? MetaMethod(rawValue: settings.method.rawValue) ?? .metasgd : .fomaml
        learner = MetaLearner(model: LinearModel(inputWidth: d + 1, loss: .logistic),
                              settings: MetaSettings(method: method, innerSteps: settings.innerSteps, innerLearningRate: settings.innerLearningRate,
                                                     outerLearningRate: settings.outerLearningRate),
                              parameters: Array(repeating: 0, count: d + 1))
        blocks = Array(repeating: 0, count: cohorts * (d + 1))
        ringAd = Array(repeating: 0, count: cohorts * capacity)
        ringUser = Array(repeating: 0, count: cohorts * capacity * d)
        ringExamination = Array(repeating: 0, count: cohorts * capacity)
        ringTime = ringExamination
        ringClicked = Array(repeating: false, count: cohorts * capacity)
        ringCount = Array(repeating: 0, count: cohorts)
        ringNext = ringCount
    }

    func record(cohort c: Int, ad: Int, user: UnsafeBufferPointer<Double>, examination: Double, clicked: Bool, time: Double) {
        let row = c * capacity + ringNext[c]
        ringAd[row] = Int32(ad)
        for k in 0..<d { ringUser[row * d + k] = user[k] }
        ringExamination[row] = examination
        ringClicked[row] = clicked
        ringTime[row] = time
        ringNext[c] = (ringNext[c] + 1) % capacity
        ringCount[c] = min(ringCount[c] + 1, capacity)
    }

    /// Adds the cohort's block to a request's folded vector g (dotted with the ad's features) and intercept.
    func fold(cohort c: Int, user: UnsafeBufferPointer<Double>, into g: inout [Double], intercept: inout Double) {
        let base = c * (d + 1)
        for k in 0..<d { g[k] += blocks[base + k] * user[k] }
        intercept += blocks[base + d]
    }

    /// The cohort block's logit for an impression: bias + Σₖ pₖ uₖ xₖ.
    func logit(cohort c: Int, ad: Int, user: UnsafeBufferPointer<Double>, world: World) -> Double {
        guard c >= 0 && c < count else { return 0 }
        let base = c * (d + 1)
        var z = blocks[base + d]
        for k in 0..<d { z += blocks[base + k] * user[k] * world.adFeatures[ad * d + k] }
        return z
    }

    /// The cohort's ring rows usable at `now`, oldest first.
    private func rows(cohort c: Int, now: Double) -> [Int] {
        let n = ringCount[c], start = n < capacity ? 0 : ringNext[c]
        let oldest = windowHours.map { now - $0 * 3600 } ?? -.infinity
        return (0..<n).map { c * capacity + (start + $0) % capacity }.filter { ringTime[$0] >= oldest }
    }

    /// Rows as a batch on [u ⊙ x, 1] with `rest(ad, user)` — every other term of the logit — as offset.
    private func batch(_ rows: [Int], world: World, rest: (Int, UnsafeBufferPointer<Double>) -> Double) -> Batch {
        var inputs: [Double] = [], offsets: [Double] = [], targets: [Double] = [], observation: [Double] = []
        ringUser.withUnsafeBufferPointer { u in
            for row in rows {
                let ad = Int(ringAd[row]), user = UnsafeBufferPointer(rebasing: u[(row * d)..<((row + 1) * d)])
                for k in 0..<d { inputs.append(user[k] * world.adFeatures[ad * d + k]) }
                inputs.append(1)
                offsets.append(rest(ad, user))
                targets.append(ringClicked[row] ? 1 : 0)
                observation.append(ringExamination[row])
            }
        }
        return Batch(width: d + 1, inputs: inputs, targets: targets, observation: observation, offset: offsets)
    }

    /// Meta-trains the cohort start over all cohorts as tasks (`iterations` outer steps, each
    /// cohort's rows shuffled into query and support), then adapts every cohort's block.
    func update(world: World, now: Double, iterations: Int, stream: RandomStream?,
                rest: (Int, UnsafeBufferPointer<Double>) -> Double) {
        if let stream {
            let eligible = (0..<count).filter { rows(cohort: $0, now: now).count >= 2 }
            for _ in 0..<(eligible.isEmpty ? 0 : iterations) {
                let tasks = eligible.map { c -> MetaTask in
                    var r = rows(cohort: c, now: now)
                    for i in stride(from: r.count - 1, to: 0, by: -1) { r.swapAt(i, stream.integer(below: i + 1)) }
                    let q = min(querySize, r.count / 2)
                    return MetaTask(support: batch(Array(r[q...].prefix(supportSize)), world: world, rest: rest),
                                    query: batch(Array(r[0..<q]), world: world, rest: rest))
                }
                learner.step(tasks)
            }
        }
        adapt(world: world, now: now, rest: rest)
    }

    /// Adapts each cohort's block from the start on its latest `supportSize` rows.
    func adapt(world: World, now: Double, rest: (Int, UnsafeBufferPointer<Double>) -> Double) {
        for c in 0..<count {
            let r = rows(cohort: c, now: now)
            let φ = r.isEmpty ? learner.parameters
                : learner.adapt(batch(Array(r.suffix(supportSize)), world: world, rest: rest), steps: innerSteps)
            for k in 0...d { blocks[c * (d + 1) + k] = φ[k] }
        }
    }
}
