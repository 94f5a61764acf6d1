import Testing
@testable import Learning
import Stochastics

@Suite("Learning: position-debiased logistic regression")
struct LearningTests {
    /// Negative log-likelihood of one observation as a function of the logit.
    func nll(_ z: Double, e: Double, y: Bool) -> Double {
        let p = e * logistic(z)
        return y ? -log(p) : -log(1 - p)
    }

    @Test(arguments: [(-3.0, 1.0, true), (-3.0, 1.0, false), (0.5, 0.35, true), (0.5, 0.35, false), (2.0, 0.9, false)])
    func gradientMatchesFiniteDifferences(z: Double, e: Double, y: Bool) {
        let h = 1e-6
        let numeric = (nll(z + h, e: e, y: y) - nll(z - h, e: e, y: y)) / (2 * h)
        let exact = LogisticRegression.logitGradient(z: z, observation: e, positive: y)
        #expect(abs(numeric - exact) < 1e-6 * max(1, abs(exact)))
    }

    @Test func recoversTheUnbiasedRateUnderPositionBias() {
        // True click rate σ(−1 + 0.8·φ) for examined impressions; half the samples sit in a slot
        // examined 30% of the time. The debiased fit must recover the intercept and slope.
        let s = RandomStream(seed: 8)
        var model = LogisticRegression(features: 1, entities: 1)
        var naive = LogisticRegression(features: 1, entities: 1)
        for _ in 0..<400_000 {
            let phi = s.gaussian()
            let e = s.uniform() < 0.5 ? 1.0 : 0.3
            let clicked = s.uniform() < e * logistic(-1 + 0.8 * phi)
            [phi].withUnsafeBufferPointer { f in
                model.step(features: f, entity: 0, observation: e, positive: clicked, learningRate: 0.01, l2: 0)
                naive.step(features: f, entity: 0, observation: 1, positive: clicked, learningRate: 0.01, l2: 0)
            }
        }
        let intercept = model.intercept + model.entityBias[0]
        #expect(abs(intercept - (-1)) < 0.1, "intercept \(intercept)")
        #expect(abs(model.weights[0] - 0.8) < 0.1, "slope \(model.weights[0])")
        // Ignoring examination underestimates the rate.
        #expect(naive.intercept + naive.entityBias[0] < intercept - 0.3)
    }

    @Test func rareEntitiesAreShrunkTowardThePopulation() {
        // Two entities with the same true positive rate 0.2; one seen 10,000 times, one 10 times.
        let s = RandomStream(seed: 9)
        var model = LogisticRegression(features: 0, entities: 2, intercept: logit(0.05))
        for i in 0..<10_010 {
            let entity = i % 1001 == 0 ? 1 : 0
            [Double]().withUnsafeBufferPointer { f in
                model.step(features: f, entity: entity, observation: 1, positive: s.uniform() < 0.2, learningRate: 0.02, l2: 0.01)
            }
        }
        #expect(model.entityBias[1].magnitude < model.entityBias[0].magnitude)
    }
}

import Foundation
