import Testing
import Learning
import Stochastics

/// Exact gradients and Hessian-vector products of every model against central finite differences.
@Suite("Learning: exact gradients and Hessian-vector products")
struct GradientTests {
    static func models() -> [(String, any DifferentiableModel)] {
        [("linear-mse", LinearModel(inputWidth: 4, loss: .squaredError)),
         ("logistic", LinearModel(inputWidth: 4, loss: .logistic)),
         ("fm-logistic", FactorizationMachine(inputWidth: 4, factors: 3, loss: .logistic)),
         ("mlp-relu", MLP(sizes: [4, 6, 5, 1], activation: .relu, loss: .squaredError)),
         ("mlp-tanh-logistic", MLP(sizes: [4, 5, 1], activation: .tanh, loss: .logistic))]
    }

    /// A batch of 7 rows; logistic targets are 0/1 with observation probabilities below 1.
    static func batch(for model: any DifferentiableModel, stream s: RandomStream) -> Batch {
        let n = 7, w = model.inputWidth
        let inputs = (0..<(n * w)).map { _ in s.gaussian() }
        let logistic = model.loss == .logistic
        let targets = (0..<n).map { _ in logistic ? (s.uniform() < 0.4 ? 1.0 : 0.0) : s.gaussian(sigma: 2) }
        return Batch(width: w, inputs: inputs, targets: targets, observation: logistic ? (0..<n).map { _ in s.uniform(0.2, 1) } : nil)
    }

    static func parameters(for model: any DifferentiableModel, stream s: RandomStream) -> [Double] {
        (0..<model.parameterCount).map { _ in s.gaussian(sigma: 0.7) }
    }

    @Test(arguments: 0..<5)
    func gradientMatchesFiniteDifferences(index: Int) {
        let (name, model) = Self.models()[index]
        let s = RandomStream(seed: UInt64(100 + index))
        let batch = Self.batch(for: model, stream: s), θ = Self.parameters(for: model, stream: s)
        let (loss, g) = model.gradient(θ, on: batch)
        #expect(abs(loss - model.loss(θ, on: batch)) < 1e-12, "\(name)")
        let h = 1e-6
        for i in 0..<θ.count {
            var up = θ, down = θ
            up[i] += h; down[i] -= h
            let numeric = (model.loss(up, on: batch) - model.loss(down, on: batch)) / (2 * h)
            #expect(abs(numeric - g[i]) < 1e-6 * max(1, abs(numeric)), "\(name) parameter \(i): \(g[i]) vs \(numeric)")
        }
    }

    @Test(arguments: 0..<5)
    func hessianVectorProductMatchesFiniteDifferencesOfTheGradient(index: Int) {
        let (name, model) = Self.models()[index]
        let s = RandomStream(seed: UInt64(200 + index))
        let batch = Self.batch(for: model, stream: s), θ = Self.parameters(for: model, stream: s)
        let v = (0..<θ.count).map { _ in s.gaussian() }
        let hv = model.hessianVectorProduct(θ, v, on: batch)
        let h = 1e-5
        let up = model.gradient(zip(θ, v).map { $0 + h * $1 }, on: batch).gradient
        let down = model.gradient(zip(θ, v).map { $0 - h * $1 }, on: batch).gradient
        for i in 0..<θ.count {
            let numeric = (up[i] - down[i]) / (2 * h)
            #expect(abs(numeric - hv[i]) < 1e-5 * max(1, abs(numeric)), "\(name) component \(i): \(hv[i]) vs \(numeric)")
        }
    }

    /// Second-order MAML's meta-gradient is the derivative of the query loss after the inner
    /// steps with respect to the start; check it (and Meta-SGD's step-size gradient) numerically.
    @Test(arguments: [MetaMethod.maml, .metasgd])
    func metaGradientMatchesFiniteDifferencesOfTheAdaptedQueryLoss(method: MetaMethod) {
        let model = MLP(sizes: [2, 4, 1], activation: .tanh, loss: .squaredError)
        let s = RandomStream(seed: 300)
        let support = Batch(width: 2, inputs: (0..<10).map { _ in s.gaussian() }, targets: (0..<5).map { _ in s.gaussian() })
        let query = Batch(width: 2, inputs: (0..<8).map { _ in s.gaussian() }, targets: (0..<4).map { _ in s.gaussian() })
        let θ = (0..<model.parameterCount).map { _ in s.gaussian(sigma: 0.8) }
        let settings = MetaSettings(method: method, innerSteps: 2, innerLearningRate: 0.3, adapted: 3..<model.parameterCount)
        let learner = MetaLearner(model: model, settings: settings, parameters: θ)
        let task = MetaTask(support: support, query: query, stepScale: 0.6)
        let meta = learner.metaGradient(task)
        func adaptedQueryLoss(_ start: [Double], stepSizes: [Double]) -> Double {
            var φ = start
            for _ in 0..<2 {
                let g = model.gradient(φ, on: support).gradient
                for i in 0..<φ.count { φ[i] -= 0.6 * stepSizes[i] * g[i] }
            }
            return model.loss(φ, on: query)
        }
        let α = learner.stepSizes
        #expect(α[0] == 0 && α[3] == 0.3)
        let h = 1e-6
        for i in 0..<θ.count {
            var up = θ, down = θ
            up[i] += h; down[i] -= h
            let numeric = (adaptedQueryLoss(up, stepSizes: α) - adaptedQueryLoss(down, stepSizes: α)) / (2 * h)
            #expect(abs(numeric - meta.parameters[i]) < 1e-6 * max(1, abs(numeric)), "θ[\(i)]: \(meta.parameters[i]) vs \(numeric)")
        }
        guard method == .metasgd else { return }
        for i in 3..<θ.count {
            var up = α, down = α
            up[i] += h; down[i] -= h
            let numeric = (adaptedQueryLoss(θ, stepSizes: up) - adaptedQueryLoss(θ, stepSizes: down)) / (2 * h)
            #expect(abs(numeric - meta.stepSizes[i]) < 1e-6 * max(1, abs(numeric)), "α[\(i)]: \(meta.stepSizes[i]) vs \(numeric)")
        }
    }
}
