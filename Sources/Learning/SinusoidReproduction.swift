import Foundation
import Stochastics

/// `fairground reproduce sinusoid`: the sinusoid regression benchmark of Finn et al. (2017).
///
/// Tasks y = A·sin(x − φ) with A ~ U[0.1, 5], φ ~ U[0, π], x ~ U[−5, 5]; a 1-40-40-1 ReLU network;
/// K support and K query points per training task, meta-batch 25, inner SGD α = 0.01 (one step
/// in training), outer Adam 1e-3, 70,000 meta-iterations. Each trained model is then adapted to
/// 600 new tasks from K points and scored on 100 fresh points per task after 0, 1 and 10 steps.
/// Reptile, which has no published band here, uses 5 inner steps on the task's 2K points.
public enum SinusoidReproduction {
    public struct Setup: Sendable {
        public var iterations: Int
        public var metaBatch = 25
        public var testTasks: Int
        public var queryPoints = 100
        public var ks: [Int]
        public var methods: [MetaMethod] = [.pretrained, .maml, .fomaml, .metasgd, .reptile]
        public var evaluationSteps = [0, 1, 10]
        /// Support and query points per training task; nil trains at each tested K (the protocol).
        public var trainK: Int?

        /// The published protocol.
        public static let full = Setup(iterations: 70_000, testTasks: 600, ks: [5, 10, 20])
        /// A short run for tests: K = 10 only, 1,500 meta-iterations, 200 test tasks.
        public static let quick = Setup(iterations: 1_500, testTasks: 200, ks: [10])
    }

    public struct Result: Sendable, Encodable, Equatable {
        public var method: String
        public var k: Int
        public var steps: Int
        public var mse: Double
        public var ci95: [Double]

        /// True when repeated steps overshot without bound (a learned step size applied ten times).
        public var diverged: Bool { !mse.isFinite || mse > 1e6 }

        enum CodingKeys: String, CodingKey { case method, k, steps, mse, ci95, diverged }

        /// A diverged result is written with `mse` and `ci95` null (JSON has no infinity).
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(method, forKey: .method)
            try c.encode(k, forKey: .k)
            try c.encode(steps, forKey: .steps)
            try c.encode(diverged ? nil : mse, forKey: .mse)
            try c.encode(diverged || !ci95.allSatisfy(\.isFinite) ? nil : ci95, forKey: .ci95)
            try c.encode(diverged, forKey: .diverged)
        }
    }

    /// The published 1-step bands (oracles.md), by method and K; nil where none is published.
    public static func referenceBand(method: MetaMethod, k: Int) -> ClosedRange<Double>? {
        let table: [MetaMethod: [Int: ClosedRange<Double>]] = [
            .maml: [5: 0.64...0.71, 10: 0.39...0.44, 20: 0.22...0.25],
            .fomaml: [5: 0.72...1.10, 10: 0.43...0.65, 20: 0.25...0.39],
            .metasgd: [5: 0.38...0.42, 10: 0.22...0.25, 20: 0.11...0.13],
            .pretrained: [5: 2.44...2.82, 10: 2.29...2.52, 20: 2.04...2.24],
        ]
        return table[method]?[k]
    }

    /// Whether a result's 95% interval reaches into `band` (a diverged result reaches nothing).
    public static func reaches(_ r: Result, _ band: ClosedRange<Double>) -> Bool {
        !r.diverged && r.ci95[1] >= band.lowerBound && r.ci95[0] <= band.upperBound
    }

    /// Misses of a published band whose probable cause is known, by method and K: the failure stays a
    /// failure, with its reason beside it (docs/reproductions.md).
    static let knownMisses: [String: [Int: String]] = [
        MetaMethod.fomaml.rawValue: [20: "documented miss: trained at K = 10 (as Finn et al. trained) and tested at K = 20, "
                                      + "first-order MAML lands in the band over three seeds (0.391, 0.258, 0.300); trained at "
                                      + "K = 20 it sits near 0.43 over three seeds and twice the iterations do not cure it, so "
                                      + "the band probably comes from K = 10 training"],
    ]

    /// MSE of predicting 0 (E[A²]/2) and of the best task-agnostic predictor.
    public static let zeroPredictorMSE = 4.2517
    public static let bestAgnosticMSE = 3.0057

    /// Weights start at N(0, 0.01²), as in the MAML reference code: with larger starting weights
    /// the fixed inner step α = 0.01 can diverge before training has shaped the curvature.
    static let network = MLP(sizes: [1, 40, 40, 1], activation: .relu, loss: .squaredError, initialWeightScale: 0.01)

    /// Draws a task's amplitude and phase, then `count` points of it.
    static func sample(_ stream: RandomStream, amplitude: Double, phase: Double, count: Int) -> Batch {
        var xs = [Double](), ys = [Double]()
        for _ in 0..<count {
            let x = stream.uniform(-5, 5)
            xs.append(x)
            ys.append(amplitude * Foundation.sin(x - phase))
        }
        return Batch(width: 1, inputs: xs, targets: ys)
    }

    static func task(_ stream: RandomStream, support: Int, query: Int) -> MetaTask {
        let a = stream.uniform(0.1, 5), phase = stream.uniform(0, Double.pi)
        return MetaTask(support: sample(stream, amplitude: a, phase: phase, count: support),
                        query: sample(stream, amplitude: a, phase: phase, count: query))
    }

    /// Trains every method for every K (one job each, on `jobs` threads) and evaluates them on
    /// the same test tasks. Results are ordered by K, method, then steps; independent of `jobs`.
    public static func run(_ p: Setup, seed: UInt64 = 2017, jobs: Int,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) -> [Result] {
        let combos = p.ks.flatMap { k in p.methods.map { (k, $0) } }
        let perCombo = parallelMap(count: combos.count, jobs: jobs, progress: progress) { index in
            let (k, method) = combos[index]
            return trainAndEvaluate(p, k: k, method: method, seed: seed)
        }
        return perCombo.flatMap { $0 }
    }

    static func trainAndEvaluate(_ p: Setup, k: Int, method: MetaMethod, seed: UInt64) -> [Result] {
        let initStream = RandomStream(seed: deriveSeed(seed, replicate: k, stream: "sinusoid-init"))
        let settings = MetaSettings(method: method, innerSteps: method == .reptile ? 5 : 1,
                                    innerLearningRate: 0.01, outerLearningRate: 1e-3)
        var learner = MetaLearner(model: network, settings: settings, parameters: network.initialParameters(stream: initStream))
        let train = RandomStream(seed: deriveSeed(seed, replicate: k, stream: "sinusoid-train-\(method.rawValue)"))
        for _ in 0..<p.iterations {
            let kTrain = p.trainK ?? k
            learner.step((0..<p.metaBatch).map { _ in task(train, support: kTrain, query: kTrain) })
        }
        // The same test tasks for every method (common random numbers).
        let test = RandomStream(seed: deriveSeed(seed, replicate: k, stream: "sinusoid-test"))
        var errors = Array(repeating: [Double](), count: p.evaluationSteps.count)
        for _ in 0..<p.testTasks {
            let t = task(test, support: k, query: p.queryPoints)
            for (i, steps) in p.evaluationSteps.enumerated() {
                errors[i].append(network.loss(learner.adapt(t.support, steps: steps), on: t.query))
            }
        }
        return zip(p.evaluationSteps, errors).map { steps, e in
            let est = Statistics.estimate(e)
            return Result(method: method.rawValue, k: k, steps: steps, mse: est.mean, ci95: est.ci95)
        }
    }

    /// The checks of the issue: MAML's 0-step interval contains the best task-agnostic MSE 3.0057; MAML 1-step at K = 10 ≤ 0.6 (full
    /// protocol only); Meta-SGD below MAML at 1 step; pretrained 1-step ≥ 2.0. Returns failures.
    public static func failures(_ results: [Result], full: Bool) -> [String] {
        func mse(_ m: MetaMethod, _ k: Int, _ s: Int) -> Double? {
            results.first { $0.method == m.rawValue && $0.k == k && $0.steps == s }?.mse
        }
        var out: [String] = []
        for k in Set(results.map(\.k)).sorted() {
            if full, let r0 = results.first(where: { $0.method == MetaMethod.maml.rawValue && $0.k == k && $0.steps == 0 }),
               !(r0.ci95[0] <= bestAgnosticMSE && bestAgnosticMSE <= r0.ci95[1]) {
                out.append("K=\(k): MAML before adaptation \(r0.mse) (\(r0.ci95[0])–\(r0.ci95[1])) does not contain the best task-agnostic MSE \(bestAgnosticMSE)")
            }
            if let m1 = mse(.maml, k, 1), let s1 = mse(.metasgd, k, 1), full, s1 >= m1 {
                out.append("K=\(k): Meta-SGD 1-step \(s1) is not below MAML's \(m1)")
            }
            if let p1 = mse(.pretrained, k, 1), p1 < 2.0 { out.append("K=\(k): pretrained 1-step \(p1) is below 2.0") }
            if let m1 = mse(.maml, k, 1), let p1 = mse(.pretrained, k, 1), m1 >= p1 {
                out.append("K=\(k): MAML 1-step \(m1) does not beat pretrained \(p1)")
            }
        }
        if full, let m1 = mse(.maml, 10, 1), m1 > 0.6 { out.append("K=10: MAML 1-step \(m1) exceeds 0.6") }
        // The published 1-step bands: a full run's 95% interval must reach into each.
        if full {
            for r in results where r.steps == 1 {
                guard let method = MetaMethod(rawValue: r.method), let band = referenceBand(method: method, k: r.k) else { continue }
                let (lo, hi) = r.diverged ? (Double.infinity, Double.infinity) : (r.ci95[0], r.ci95[1])
                if !reaches(r, band) {
                    func f(_ x: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", x) }
                    out.append("K=\(r.k): \(r.method) 1-step \(f(r.mse)) (\(f(lo))–\(f(hi))) misses the published band "
                               + "\(f(band.lowerBound, 2))–\(f(band.upperBound, 2))" + (knownMisses[r.method]?[r.k].map { " — \($0)" } ?? ""))
                }
            }
        }
        return out
    }
}
