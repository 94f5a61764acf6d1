import Foundation
import Testing
@testable import Learning
import Stochastics

@Suite("Learning: meta-learners on the sinusoid benchmark")
struct MetaLearningTests {
    /// Training is a pure function of the seed: the same run twice (on different thread counts) is identical.
    @Test func sinusoidRunIsDeterministic() {
        var setup = SinusoidReproduction.Setup.quick
        setup.iterations = 30
        setup.testTasks = 20
        setup.methods = [.metasgd, .reptile, .fomaml]
        #expect(SinusoidReproduction.run(setup, jobs: 1) == SinusoidReproduction.run(setup, jobs: 3))
    }

    /// Meta-SGD's learned step sizes change only on the adapted block; other parameters keep step 0.
    @Test func metaSGDLearnsStepSizesOnlyForTheAdaptedBlock() {
        let model = LinearModel(inputWidth: 3, loss: .squaredError)
        var learner = MetaLearner(model: model, settings: MetaSettings(method: .metasgd, innerSteps: 1, innerLearningRate: 0.1,
                                                                      outerLearningRate: 0.01, adapted: 2..<3),
                                  parameters: [0, 0, 0])
        let s = RandomStream(seed: 5)
        for _ in 0..<50 {
            let tasks = (0..<8).map { _ -> MetaTask in
                let shift = s.gaussian(sigma: 2)
                func batch() -> Batch {
                    let rows = (0..<6).map { _ in [s.gaussian(), s.gaussian(), 1.0] }
                    return Batch(width: 3, inputs: rows.flatMap { $0 }, targets: rows.map { 0.5 * $0[0] - $0[1] + shift })
                }
                return MetaTask(support: batch(), query: batch())
            }
            learner.step(tasks)
        }
        #expect(learner.stepSizes[0] == 0 && learner.stepSizes[1] == 0)
        // With squared error the bias's one-step jump to a task's mean residual is α = 1/2 (the
        // loss's second derivative in b is 2). Tasks differ mostly by their shift (σ = 2), so
        // meta-training moves the bias's step from 0.1 toward 1/2, and not beyond it by more than
        // the support sets' noise.
        #expect(learner.stepSizes[2] > 0.3 && learner.stepSizes[2] < 0.6, "bias step \(learner.stepSizes[2])")
        // The shared weights move toward the common slope (0.5, −1).
        #expect(learner.parameters[0] > 0.1 && learner.parameters[1] < -0.1)
    }

    /// Meta-SGD's meta-gradient in closed form: one parameter b on a constant input 1, squared
    /// error, support and query targets all c. One inner step gives b′ − c = (1 − 2α)(b − c), so the
    /// query loss is (1 − 2α)²(b − c)², ∂/∂b = 2(1 − 2α)²(b − c) and ∂/∂α = −4(1 − 2α)(b − c)²:
    /// at b = 0, c = 1, α = 0.1 the loss is 0.64, ∂b = −1.28 and ∂α = −3.2.
    @Test func metaSGDMetaGradientMatchesItsClosedForm() {
        let model = LinearModel(inputWidth: 1, loss: .squaredError)
        let learner = MetaLearner(model: model, settings: MetaSettings(method: .metasgd, innerSteps: 1, innerLearningRate: 0.1,
                                                                        outerLearningRate: 0.01, adapted: 0..<1),
                                  parameters: [0])
        let batch = Batch(width: 1, inputs: [1, 1, 1], targets: [1, 1, 1])
        let r = learner.metaGradient(MetaTask(support: batch, query: batch))
        #expect(abs(r.loss - 0.64) < 1e-12, "loss \(r.loss)")
        #expect(abs(r.parameters[0] + 1.28) < 1e-12, "∂b \(r.parameters[0])")
        #expect(abs(r.stepSizes[0] + 3.2) < 1e-12, "∂α \(r.stepSizes[0])")
    }

    /// A full run fails when a 1-step result's 95% interval misses its published band (oracles.md:
    /// first-order MAML at K = 20, 0.25–0.39), and passes when the interval reaches into it.
    @Test func aFullRunChecksThePublishedBands() {
        func result(_ mse: Double, _ lo: Double, _ hi: Double) -> SinusoidReproduction.Result {
            SinusoidReproduction.Result(method: "fomaml", k: 20, steps: 1, mse: mse, ci95: [lo, hi])
        }
        let miss = SinusoidReproduction.failures([result(0.432, 0.397, 0.467)], full: true)
        #expect(miss.count == 1 && miss[0].contains("0.25–0.39") && miss[0].contains("documented miss: trained at K = 10"))
        #expect(SinusoidReproduction.failures([result(0.40, 0.37, 0.43)], full: true).isEmpty)
        #expect(SinusoidReproduction.failures([result(0.432, 0.397, 0.467)], full: false).isEmpty)
    }
}
