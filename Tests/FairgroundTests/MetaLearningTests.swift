import Foundation
import Testing
import Learning
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
        #expect(learner.stepSizes[2] != 0.1)
        // The shared weights move toward the common slope (0.5, −1).
        #expect(learner.parameters[0] > 0.1 && learner.parameters[1] < -0.1)
    }
}
