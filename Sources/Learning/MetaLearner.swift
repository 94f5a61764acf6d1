import Foundation
import Stochastics

/// How a `MetaLearner` turns a batch of tasks into an update of the shared starting point.
public enum MetaMethod: String, Sendable, CaseIterable, Codable {
    /// Second-order MAML (Finn et al. 2017): differentiates through the inner updates, using exact
    /// Hessian-vector products.
    case maml
    /// First-order MAML: the query gradient at the adapted parameters, Hessian terms dropped.
    case fomaml
    /// Reptile (Nichol et al. 2018): moves the start toward the adapted parameters.
    case reptile
    /// Meta-SGD (Li et al. 2017): second-order MAML that also learns a step size per parameter.
    case metasgd
    /// No meta-learning: joint training on every task's data (the "pretrained" baseline).
    case pretrained
}

/// Hyper-parameters of meta-training.
public struct MetaSettings: Sendable, Equatable {
    public var method: MetaMethod
    /// SGD steps of the inner (task) adaptation during training.
    public var innerSteps: Int
    /// Inner step size α (Meta-SGD's starting value for every parameter).
    public var innerLearningRate: Double
    /// Adam step size of the outer update.
    public var outerLearningRate: Double
    /// The parameters the inner loop adapts (the "personal block"); nil adapts all of them.
    public var adapted: Range<Int>?

    public init(method: MetaMethod, innerSteps: Int = 1, innerLearningRate: Double = 0.01,
                outerLearningRate: Double = 1e-3, adapted: Range<Int>? = nil) {
        self.method = method
        self.innerSteps = innerSteps
        self.innerLearningRate = innerLearningRate
        self.outerLearningRate = outerLearningRate
        self.adapted = adapted
    }
}

/// One task: the data a model adapts on (support) and the data the adapted model is judged on (query).
///
/// `stepScale` multiplies the inner step sizes for this task, e.g. support rows ÷ the full support
/// size, so that a task with little data moves its block less (the mean loss's gradient does not
/// shrink with fewer rows; this makes the step proportional to the evidence).
public struct MetaTask: Sendable {
    public var support: Batch
    public var query: Batch
    public var stepScale: Double
    public init(support: Batch, query: Batch, stepScale: Double = 1) {
        self.support = support
        self.query = query
        self.stepScale = stepScale
    }
}

/// Meta-trains the starting parameters of `model` over tasks (MAML family), and adapts them to a
/// new task with a few SGD steps.
///
/// Adaptation changes only `settings.adapted`; the outer update moves every parameter (and, for
/// Meta-SGD, the per-parameter step sizes). Deterministic: no randomness inside.
public struct MetaLearner<Model: DifferentiableModel>: Sendable {
    public let model: Model
    public let settings: MetaSettings
    public private(set) var parameters: [Double]
    /// Inner step size per parameter: learned by Meta-SGD, else α on adapted parameters, 0 elsewhere.
    /// Meta-SGD's are not kept positive: as in Li et al. (2017), the vector α learns the update's
    /// direction as well as its size, so a negative entry (a step up that coordinate's gradient)
    /// is a learned choice the meta-objective made, not a fault.
    public private(set) var stepSizes: [Double]
    private var optimizer: Adam
    private var stepSizeOptimizer: Adam

    public init(model: Model, settings: MetaSettings, parameters: [Double]) {
        precondition(parameters.count == model.parameterCount)
        self.model = model
        self.settings = settings
        self.parameters = parameters
        let adapted = settings.adapted ?? 0..<model.parameterCount
        stepSizes = (0..<model.parameterCount).map { adapted.contains($0) ? settings.innerLearningRate : 0 }
        optimizer = Adam(parameterCount: model.parameterCount, learningRate: settings.outerLearningRate)
        stepSizeOptimizer = Adam(parameterCount: model.parameterCount, learningRate: settings.outerLearningRate)
    }

    private var adaptedRange: Range<Int> { settings.adapted ?? 0..<model.parameterCount }

    /// `steps` inner SGD steps from `start` (default: the learned parameters) on `support`, with
    /// the step sizes multiplied by `stepScale`.
    public func adapt(_ support: Batch, steps: Int, from start: [Double]? = nil, stepScale: Double = 1) -> [Double] {
        var φ = start ?? parameters
        guard support.count > 0 else { return φ }
        let range = adaptedRange
        for _ in 0..<steps {
            let g = model.gradient(φ, on: support).gradient
            for i in range { φ[i] -= stepScale * stepSizes[i] * g[i] }
        }
        return φ
    }

    /// One outer update from a batch of tasks; returns the mean query loss after adaptation
    /// (for `pretrained` and `reptile`, the mean training loss of the tasks).
    @discardableResult
    public mutating func step(_ tasks: [MetaTask]) -> Double {
        let n = model.parameterCount
        var gθ = [Double](repeating: 0, count: n), gα = gθ
        var loss = 0.0
        for task in tasks {
            let r = metaGradient(task)
            loss += r.loss
            for i in 0..<n { gθ[i] += r.parameters[i]; gα[i] += r.stepSizes[i] }
        }
        let scale = 1 / Double(max(tasks.count, 1))
        for i in 0..<n { gθ[i] *= scale; gα[i] *= scale }
        optimizer.step(&parameters, gradient: gθ)
        if settings.method == .metasgd { stepSizeOptimizer.step(&stepSizes, gradient: gα) }
        return loss * scale
    }

    /// The gradient of one task's meta-objective with respect to the starting parameters and the
    /// step sizes (zero unless Meta-SGD), and the task's loss.
    public func metaGradient(_ task: MetaTask) -> (loss: Double, parameters: [Double], stepSizes: [Double]) {
        let n = model.parameterCount, range = adaptedRange
        let zeros = [Double](repeating: 0, count: n)
        switch settings.method {
        case .pretrained:
            let r = model.gradient(parameters, on: task.support.appending(task.query))
            return (r.loss, r.gradient, zeros)
        case .reptile:
            let all = task.support.appending(task.query)
            let φ = adapt(all, steps: settings.innerSteps, stepScale: task.stepScale)
            var g = zeros
            for i in 0..<n { g[i] = parameters[i] - φ[i] }
            return (model.loss(φ, on: all), g, zeros)
        case .maml, .fomaml, .metasgd:
            var φ = parameters
            var states: [[Double]] = [], innerGradients: [[Double]] = []
            for _ in 0..<settings.innerSteps {
                let g = model.gradient(φ, on: task.support).gradient
                states.append(φ)
                innerGradients.append(g)
                for i in range { φ[i] -= task.stepScale * stepSizes[i] * g[i] }
            }
            var (loss, g) = model.gradient(φ, on: task.query)
            var gα = zeros
            if settings.method == .fomaml { return (loss, g, gα) }
            // Backward through φₖ₊₁ = φₖ − D∇L_s(φₖ), D = diag(step sizes): the Jacobian is I − D·H,
            // so g ← g − H·(D g) with H symmetric, and ∂φₖ₊₁/∂α = −∇L_s(φₖ).
            for k in stride(from: settings.innerSteps - 1, through: 0, by: -1) {
                var direction = zeros
                for i in range {
                    gα[i] -= task.stepScale * innerGradients[k][i] * g[i]
                    direction[i] = task.stepScale * stepSizes[i] * g[i]
                }
                let hv = model.hessianVectorProduct(states[k], direction, on: task.support)
                for i in 0..<n { g[i] -= hv[i] }
            }
            loss = loss.isFinite ? loss : .infinity
            return (loss, g, gα)
        }
    }
}
