import Foundation
import Testing
import Learning
import Stochastics

@Suite("Learning: meta-learners on the sinusoid benchmark")
struct MetaLearningTests {
    /// A short MAML run must already adapt in one step far better than joint pretraining, whose
    /// one-step error stays near the task-agnostic 3.0; both start near 3.0 before adapting.
    @Test func mamlSeparatesFromPretrainedAfterOneStep() {
        var setup = SinusoidReproduction.Setup.quick
        setup.iterations = 1500
        setup.testTasks = 200
        setup.methods = [.pretrained, .maml]
        let results = SinusoidReproduction.run(setup, jobs: 2)
        func result(_ m: MetaMethod, _ steps: Int) -> SinusoidReproduction.Result {
            results.first { $0.method == m.rawValue && $0.steps == steps }!
        }
        let maml1 = result(.maml, 1), pre1 = result(.pretrained, 1)
        #expect(maml1.ci95[1] < pre1.ci95[0], "MAML 1-step \(maml1.mse) vs pretrained \(pre1.mse)")
        #expect(pre1.mse > 2.0)
        #expect(maml1.ci95[1] < result(.maml, 0).ci95[0])
        for m in [MetaMethod.pretrained, .maml] {
            // Before adaptation the best any task-agnostic predictor does is 3.0057; predicting 0 gives 4.25.
            #expect(result(m, 0).ci95[0] < 4.2517 && result(m, 0).ci95[1] > SinusoidReproduction.bestAgnosticMSE - 0.3)
        }
    }

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
        #expect(learner.stepSizes[2] != 0.1)
        // The shared weights move toward the common slope (0.5, −1).
        #expect(learner.parameters[0] > 0.1 && learner.parameters[1] < -0.1)
    }
}
