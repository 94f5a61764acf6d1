/// Meta-Embedding (Pan et al., SIGIR 2019) for a scalar ID embedding: a generator e(f) = γ·f that
/// gives a brand-new entity a starting embedding from its features f (include a constant 1).
///
/// The embedding is added to a frozen base model's logit, so each row of a batch carries that
/// logit as its `offset`; build batches with `batch(offsets:targets:observation:)`. Training
/// minimises α·(loss on batch a with the generated embedding, "cold") + (1 − α)·(loss on batch b
/// after one SGD step of the embedding on batch a, "warm"), differentiating through that step
/// exactly (its second derivative comes from dual numbers).
public struct EmbeddingGenerator: Sendable {
    public let featureWidth: Int
    /// α, the weight of the cold loss.
    public let coldWeight: Double
    /// Step size of the warm-up step on an embedding (in training and when warming up new entities).
    public let warmLearningRate: Double
    public private(set) var weights: [Double]
    private var optimizer: Adam
    static let model = LinearModel(inputWidth: 1, loss: .logistic)

    public init(featureWidth: Int, coldWeight: Double = 0.1, warmLearningRate: Double, learningRate: Double = 0.01) {
        self.featureWidth = featureWidth
        self.coldWeight = coldWeight
        self.warmLearningRate = warmLearningRate
        weights = Array(repeating: 0, count: featureWidth)
        optimizer = Adam(parameterCount: featureWidth, learningRate: learningRate)
    }

    /// The generated embedding γ·f.
    public func embedding(_ features: [Double]) -> Double {
        var e = 0.0
        for k in 0..<featureWidth { e += weights[k] * features[k] }
        return e
    }

    /// Rows scored by a base logit plus one embedding: the batch shape this type trains and warms on.
    public static func batch(offsets: [Double], targets: [Double], observation: [Double]? = nil) -> Batch {
        Batch(width: 1, inputs: Array(repeating: 1, count: offsets.count), targets: targets, observation: observation, offset: offsets)
    }

    /// One SGD step of an embedding on a batch: the warm-up update.
    public func warmUp(_ embedding: Double, on batch: Batch) -> Double {
        guard batch.count > 0 else { return embedding }
        return embedding - warmLearningRate * Self.model.gradient([embedding], on: batch).gradient[0]
    }

    /// One Adam step on a batch of (features, batch a, batch b) tasks; returns the mean objective.
    @discardableResult
    public mutating func step(_ tasks: [(features: [Double], first: Batch, second: Batch)]) -> Double {
        var gradient = [Double](repeating: 0, count: featureWidth)
        var objective = 0.0
        let model = Self.model, α = coldWeight
        for task in tasks {
            let e0 = embedding(task.features)
            let (coldLoss, ga) = model.gradient([e0], on: task.first)
            let ha = model.hessianVectorProduct([e0], [1], on: task.first)[0]
            let e1 = e0 - warmLearningRate * ga[0]
            let (warmLoss, gb) = model.gradient([e1], on: task.second)
            objective += α * coldLoss + (1 - α) * warmLoss
            let de0 = α * ga[0] + (1 - α) * gb[0] * (1 - warmLearningRate * ha)
            for k in 0..<featureWidth { gradient[k] += de0 * task.features[k] }
        }
        let scale = 1 / Double(max(tasks.count, 1))
        for k in 0..<featureWidth { gradient[k] *= scale }
        optimizer.step(&weights, gradient: gradient)
        return objective * scale
    }
}
