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
    let supportSize: Int
    let querySize: Int
    let innerSteps: Int
    /// The task model on [u ⊙ x, 1] whose offset is the rest of the ranker's logit.
    private(set) var learner: MetaLearner<LinearModel>
    /// Adapted blocks, cohort by cohort: p (d) then the bias.
    private(set) var blocks: [Double]
    /// Each cohort's latest impressions, tagged with the ad.
    private let rings: ImpressionRings
    private let windowHours: Double?

    init(cohorts: Int, dimension d: Int, settings: MetaRankerSettings, metaTrained: Bool) {
        self.d = d
        count = cohorts
        supportSize = 10 * settings.supportSize
        querySize = 10 * settings.querySize
        innerSteps = settings.innerSteps
        windowHours = settings.windowHours
        learner = settings.learner(metaTrained: metaTrained, parameters: d + 1, adapted: nil)
        blocks = Array(repeating: 0, count: cohorts * (d + 1))
        rings = ImpressionRings(owners: cohorts, capacity: supportSize + querySize, dimension: d)
    }

    func record(cohort c: Int, ad: Int, user: UnsafeBufferPointer<Double>, examination: Double, clicked: Bool, time: Double) {
        rings.record(owner: c, user: user, tag: ad, examination: examination, clicked: clicked, time: time)
    }

    /// Adds the cohort's block to a request's folded vector g (dotted with the ad's features) and intercept.
    func fold(cohort c: Int, user: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>, intercept: inout Double) {
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
    private func rows(cohort c: Int, now: Double) -> [Int] { rings.rows(owner: c, now: now, windowHours: windowHours) }

    /// Rows as a batch on [u ⊙ x, 1] with `rest(ad, user)` — every other term of the logit — as offset.
    private func batch(_ rows: [Int], world: World, rest: (Int, UnsafeBufferPointer<Double>) -> Double) -> Batch {
        var inputs: [Double] = [], offsets: [Double] = [], targets: [Double] = [], observation: [Double] = []
        for row in rows {
            let ad = rings.tag(row), user = rings.user(row)
            for k in 0..<d { inputs.append(user[k] * world.adFeatures[ad * d + k]) }
            inputs.append(1)
            offsets.append(rest(ad, user))
            targets.append(rings.clicked(row) ? 1 : 0)
            observation.append(rings.examination(row))
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
                    let (support, query) = rings.task(owner: c, now: now, windowHours: windowHours, querySize: querySize,
                                                      supportSize: supportSize, stream: stream)
                    return MetaTask(support: batch(support, world: world, rest: rest), query: batch(query, world: world, rest: rest))
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
