import Learning
import Marketplace
import Scenario
import Stochastics

/// `fairground reproduce warmup`: the Meta-Embedding cold-start protocol (Pan et al., SIGIR 2019)
/// on a simulated marketplace.
///
/// Per replicate a world is generated; its established ads' logged history trains the global
/// click model (shared weights plus an ID bias per ad) and the embedding generator. The ads of
/// advertisers that would enter later are the new ads: each gets a held-out test set and three
/// warm-up batches a, b, c of 20 impressions (top slot, clicks drawn from the true model). The
/// baseline starts a new ad's ID bias at 0 (what the global model gives an unseen ID); Meta-Embedding
/// starts it at the generator's output. After each stage both take one SGD step on the ID bias
/// only, and AUC and log-loss are measured on the pooled test impressions of all new ads.
///
/// The generator sees the advertiser's tier; the protocol's global model does not. So the whole
/// protocol runs a second time on a global model with tier features (`RankerSettings.tierFeatures`,
/// the features a platform has): its baseline starts a new ad at its tier's learned shift, and the
/// generator, trained on that model, has only what the tier does not tell left to learn. That arm
/// is reported beside the published one and not checked: no published figure exists for it.
public enum WarmupReproduction {
    /// How the ID-embedding generator is trained and warmed up (both reproductions).
    public struct GeneratorTraining: Sendable {
        /// Outer steps of generator training, each over `batch` established entities.
        public var steps: Int
        public var batch = 32
        /// The step size of a warm-up update (and of the one step inside generator training).
        public var warmLearningRate = 1.0
        /// α, the cold loss weight of the generator's objective.
        public var coldWeight = 0.1

        public static let full = GeneratorTraining(steps: 3000)
        public static let quick = GeneratorTraining(steps: 800)
    }

    public struct Setup: Sendable {
        public var replicates: Int
        public var warmupSize = 20
        public var testSize = 200
        public var generator: GeneratorTraining

        public static let full = Setup(replicates: 10, generator: .full)
        public static let quick = Setup(replicates: 4, generator: .quick)
    }

    public struct Quality: Sendable, Codable, Equatable {
        public var auc: Double
        public var aucCI95: [Double]
        public var logloss: Double
        public var loglossCI95: [Double]
    }

    public struct Stage: Sendable, Codable, Equatable {
        public var stage: String
        public var baseline: Quality
        public var metaEmbedding: Quality
        /// Baseline minus Meta-Embedding log-loss, paired by replicate (positive: the generator helps).
        public var loglossGain: Double
        public var loglossGainCI95: [Double]
    }

    /// Both arms: the published protocol, and the same on a global model that knows the tier.
    public struct Result: Sendable {
        public var stages: [Stage]
        public var tierAware: [Stage]
    }

    public static let stageNames = ["cold", "warm-a", "warm-b", "warm-c"]

    /// The marketplace the protocol runs on: established large and small advertisers with skewed
    /// history, and new advertisers of both tiers (so a generator from tier and features has
    /// something to tell apart).
    static let world = """
        name: warmup
        seed: 2019
        replicates: 1
        horizon: {days: 7, requestsPerDay: 10000}
        tiers:
          large:
            count: 60
            adsPerAdvertiser: 4
            historyImpressions: {distribution: lognormal, median: 3000, sigma: 0.6}
          small:
            count: 400
            adsPerAdvertiser: 1
            historyImpressions: {distribution: lognormal, median: 60, sigma: 0.6}
            qualityShift: 1.0
        newAdvertisers:
          perDay: 30
          tierMix: {small: 0.6, large: 0.4}
        truth: {latentDimension: 8, baseCTR: 0.03, deviationScale: 0.3, noise: 0.5}
        policies:
          - {name: global, ranker: global}
        """

    /// Runs the protocol in both arms; results per stage are means over replicates with 95% intervals.
    public static func run(_ setup: Setup, seed: UInt64 = 2019, jobs: Int) -> Result {
        // The embedded scenario is fixed and valid; a parse failure is a programming error.
        var parsed = try! ScenarioLoader.parse(yaml: world, file: "<warmup>")
        parsed.seed = seed
        let scenario = parsed
        let perReplicate = parallelMap(count: 2 * setup.replicates, jobs: jobs) { i in
            replicate(setup, scenario: scenario, replicate: i / 2, tierFeatures: i % 2 == 1)
        }
        return Result(stages: summarise(perReplicate.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)),
                      tierAware: summarise(perReplicate.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)))
    }

    /// Per stage, the means over replicates with 95% intervals.
    static func summarise(_ perReplicate: [Replicate]) -> [Stage] {
        stageNames.indices.map { s in
            func quality(_ pick: (Replicate) -> (auc: Double, logloss: Double)) -> Quality {
                let auc = Statistics.estimate(perReplicate.map { pick($0).auc }), loss = Statistics.estimate(perReplicate.map { pick($0).logloss })
                return Quality(auc: auc.mean, aucCI95: auc.ci95, logloss: loss.mean, loglossCI95: loss.ci95)
            }
            let gain = Statistics.estimate(perReplicate.map { $0.baseline[s].logloss - $0.generated[s].logloss })
            return Stage(stage: stageNames[s], baseline: quality { $0.baseline[s] }, metaEmbedding: quality { $0.generated[s] },
                         loglossGain: gain.mean, loglossGainCI95: gain.ci95)
        }
    }

    struct Replicate: Sendable {
        var baseline: [(auc: Double, logloss: Double)]
        var generated: [(auc: Double, logloss: Double)]
    }

    /// A new ad's impressions: base logits (global model, ID bias excluded) and clicks.
    struct Sample {
        var offsets: [Double] = []
        var clicks: [Double] = []
    }

    /// One replicate of one arm: `tierFeatures` gives the global model the advertiser's tier. Both
    /// arms of a replicate share the world, the generator's task draws and the warm-up samples.
    static func replicate(_ setup: Setup, scenario: Scenario, replicate r: Int, tierFeatures: Bool) -> Replicate {
        let world = WorldGenerator.generate(scenario, replicate: r)
        let d = world.dimension
        var settings = scenario.policies[0].ranker
        settings.tierFeatures = tierFeatures
        let base = GlobalModel(world: world, settings: settings,
                               seed: deriveSeed(scenario.seed, replicate: r, stream: "warmup-base"), servesRows: true)
        // Established ads' history rows, grouped by ad, scored without their own ID bias.
        var rowsByAd = [[Int]](repeating: [], count: world.adCountTotal)
        for i in 0..<world.history.count { rowsByAd[Int(world.history.ad[i])].append(i) }
        let eligible = (0..<world.initialAdCount).filter { rowsByAd[$0].count >= 2 * setup.warmupSize }
        let history = world.history
        func historyBatch(_ rows: ArraySlice<Int>, ad: Int) -> Batch {
            history.user.withUnsafeBufferPointer { u in
                EmbeddingGenerator.batch(
                    offsets: rows.map { base.baseLogit(ad: ad, user: UnsafeBufferPointer(rebasing: u[($0 * d)..<(($0 + 1) * d)]), world: world) - base.idBias(ad: ad) },
                    targets: rows.map { history.clicked[$0] ? 1 : 0 }, observation: rows.map { history.examination[$0] })
            }
        }
        let generator = trainGenerator(setup.generator, featureWidth: world.coldStartFeatureCount, taskSize: setup.warmupSize,
                                       rows: eligible.map { rowsByAd[$0] },
                                       stream: RandomStream(seed: deriveSeed(scenario.seed, replicate: r, stream: "warmup-generator")),
                                       features: { world.coldStartFeatures(ad: eligible[$0]) },
                                       batch: { historyBatch($0, ad: eligible[$1]) })
        // New ads: warm-up batches and a test set each, drawn from the true model in the top slot.
        let users = UserSampler(scenario)
        let draws = RandomStream(seed: deriveSeed(scenario.seed, replicate: r, stream: "warmup-samples"))
        var user = [Double](repeating: 0, count: d)
        let newAds = (world.initialAdCount..<world.adCountTotal)
        var batches: [[Batch]] = [], tests: [Batch] = []
        for ad in newAds {
            func draw(_ n: Int) -> Batch {
                var sample = Sample()
                for _ in 0..<n {
                    user.withUnsafeMutableBufferPointer { _ = users.draw(draws, into: $0) }
                    user.withUnsafeBufferPointer { u in
                        sample.offsets.append(base.baseLogit(ad: ad, user: u, world: world) - base.idBias(ad: ad))
                        sample.clicks.append(draws.uniform() < world.clickProbability(ad: ad, user: u, drift: 0) ? 1 : 0)
                    }
                }
                return EmbeddingGenerator.batch(offsets: sample.offsets, targets: sample.clicks)
            }
            batches.append((0..<3).map { _ in draw(setup.warmupSize) })
            tests.append(draw(setup.testSize))
        }
        return warmUp(generator, generated: newAds.map { generator.embedding(world.coldStartFeatures(ad: $0)) },
                      rounds: batches, tests: tests)
    }

    /// Trains a generator on established entities: each outer step takes `training.batch` entities
    /// drawn with replacement from `rows` (each entity's row indices), shuffles each one's rows and
    /// makes a task of its first `taskSize` rows and the next `taskSize`. `features(j)` is entity
    /// j's generator input, `batch(rows, j)` its rows scored without its own ID bias.
    static func trainGenerator(_ training: GeneratorTraining, featureWidth: Int, taskSize k: Int, rows: [[Int]],
                               stream: RandomStream, features: (Int) -> [Double],
                               batch: (ArraySlice<Int>, Int) -> Batch) -> EmbeddingGenerator {
        var generator = EmbeddingGenerator(featureWidth: featureWidth, coldWeight: training.coldWeight,
                                           warmLearningRate: training.warmLearningRate)
        for _ in 0..<training.steps {
            var tasks: [(features: [Double], first: Batch, second: Batch)] = []
            for _ in 0..<training.batch {
                let j = stream.integer(below: rows.count)
                var shuffled = rows[j]
                for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, stream.integer(below: i + 1)) }
                tasks.append((features(j), batch(shuffled[0..<k], j), batch(shuffled[k..<(2 * k)], j)))
            }
            generator.step(tasks)
        }
        return generator
    }

    /// The stages of the protocol for new entities: scored cold (baseline: ID embedding 0;
    /// Meta-Embedding: `generated`), then after each warm-up round (`rounds[i][round]`), both
    /// warmed up by the generator's one-step rule, each stage scored on `tests`.
    static func warmUp(_ generator: EmbeddingGenerator, generated start: [Double], rounds: [[Batch]], tests: [Batch]) -> Replicate {
        var baseline = [Double](repeating: 0, count: start.count), generated = start
        var result = Replicate(baseline: [], generated: [])
        for stage in 0..<stageNames.count {
            if stage > 0 {
                for i in start.indices {
                    baseline[i] = generator.warmUp(baseline[i], on: rounds[i][stage - 1])
                    generated[i] = generator.warmUp(generated[i], on: rounds[i][stage - 1])
                }
            }
            result.baseline.append(evaluate(tests, embeddings: baseline))
            result.generated.append(evaluate(tests, embeddings: generated))
        }
        return result
    }

    /// Pooled AUC and mean log-loss of σ(offset + embedding), with the accumulator the marketplace
    /// metrics use.
    static func evaluate(_ tests: [Batch], embeddings: [Double]) -> (auc: Double, logloss: Double) {
        var quality = PredictionQuality()
        for (batch, e) in zip(tests, embeddings) {
            for i in 0..<batch.count { quality.record(logistic(batch.offset![i] + e), outcome: batch.targets[i] > 0.5) }
        }
        return (quality.auc ?? .nan, quality.logLoss ?? .nan)
    }

    /// The checks of the published shape: the generator has the lower log-loss at every stage,
    /// each warm-up round lowers both log-losses, and the gap narrows from cold to the last stage.
    public static func failures(_ stages: [Stage]) -> [String] {
        var out: [String] = []
        for (i, s) in stages.enumerated() {
            if s.metaEmbedding.logloss >= s.baseline.logloss {
                out.append("\(s.stage): Meta-Embedding log-loss \(s.metaEmbedding.logloss) is not below the baseline's \(s.baseline.logloss)")
            }
            if i > 0, s.baseline.logloss >= stages[i - 1].baseline.logloss || s.metaEmbedding.logloss >= stages[i - 1].metaEmbedding.logloss {
                out.append("\(s.stage): warm-up did not lower the log-loss")
            }
        }
        if let first = stages.first, let last = stages.last,
           last.baseline.logloss - last.metaEmbedding.logloss >= first.baseline.logloss - first.metaEmbedding.logloss {
            out.append("the log-loss gap did not narrow from cold to \(last.stage)")
        }
        return out
    }
}
