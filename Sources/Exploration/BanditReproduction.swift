import Stochastics

/// `fairground reproduce thompson`: the Chapelle & Li (2011) Bernoulli setting — K arms, the best
/// with p = 0.5, the others at 0.5 − ε — and each algorithm's cumulative (pseudo-)regret
/// Σₜ Δ(aₜ), next to the Lai–Robbins bound C·ln T.
public enum BanditReproduction {
    public struct Setting: Sendable {
        public var arms: Int
        public var epsilon: Double
        public var horizon: Int
    }

    public struct Result: Sendable, Codable {
        public var algorithm: String
        public var k: Int
        public var epsilon: Double
        public var horizon: Int
        public var runs: Int
        public var regret: Double
        public var ci95: [Double]
        /// Lai–Robbins C·ln T.
        public var bound: Double
    }

    /// The four settings of the paper; `quick` shortens the horizons for tests.
    public static func settings(quick: Bool) -> [Setting] {
        [(10, 0.1), (10, 0.02), (100, 0.1), (100, 0.02)].map { k, eps in
            Setting(arms: k, epsilon: eps, horizon: quick ? (k == 10 ? 20_000 : 10_000) : (k == 10 ? 1_000_000 : 100_000))
        }
    }

    /// Runs every algorithm on every setting, `runs` times each, on `jobs` threads.
    public static func run(settings: [Setting], runs: Int, seed: UInt64 = 2011, jobs: Int,
                           algorithms: [BanditAlgorithm] = BanditAlgorithm.allCases) -> [Result] {
        let combos = settings.flatMap { s in algorithms.map { (s, $0) } }
        let regrets = parallelMap(count: combos.count * runs, jobs: jobs) { index in
            let (setting, algorithm) = combos[index / runs]
            let stream = RandomStream(seed: deriveSeed(seed, replicate: index, stream: "bandit-\(algorithm.rawValue)"))
            return regret(setting, algorithm, stream)
        }
        return combos.enumerated().map { c, combo in
            let (setting, algorithm) = combo
            let e = Statistics.estimate(Array(regrets[(c * runs)..<((c + 1) * runs)]))
            let means = [0.5] + Array(repeating: 0.5 - setting.epsilon, count: setting.arms - 1)
            return Result(algorithm: algorithm.rawValue, k: setting.arms, epsilon: setting.epsilon, horizon: setting.horizon,
                          runs: runs, regret: e.mean, ci95: e.ci95,
                          bound: laiRobbinsConstant(means) * log(Double(setting.horizon)))
        }
    }

    /// Pseudo-regret of one run. The best arm is placed at a random position so that tie-breaking
    /// toward low indices cannot help.
    static func regret(_ s: Setting, _ algorithm: BanditAlgorithm, _ stream: RandomStream) -> Double {
        let bestArm = stream.integer(below: s.arms)
        var bandit = BernoulliBandit(arms: s.arms, algorithm: algorithm, settings: BanditSettings(epsilon: 1, decay: true, temperature: 0.1))
        let all = Array(0..<s.arms)
        var regret = 0.0
        all.withUnsafeBufferPointer { candidates in
            for _ in 0..<s.horizon {
                let arm = bandit.select(among: candidates, stream)
                let p = arm == bestArm ? 0.5 : 0.5 - s.epsilon
                if arm != bestArm { regret += s.epsilon }
                bandit.update(arm, reward: stream.uniform() < p ? 1 : 0)
            }
        }
        return regret
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
