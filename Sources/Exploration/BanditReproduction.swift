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

    /// The four settings of the paper at its horizon 10⁶; `quick` shortens the horizons for tests.
    public static func settings(quick: Bool) -> [Setting] {
        [(10, 0.1), (10, 0.02), (100, 0.1), (100, 0.02)].map { k, eps in
            Setting(arms: k, epsilon: eps, horizon: quick ? (k == 10 ? 20_000 : 10_000) : publishedHorizon)
        }
    }

    /// Chapelle & Li's horizon.
    public static let publishedHorizon = 1_000_000

    /// Thompson sampling's regret must lie within this factor range of C·ln T at 10⁶.
    public static let boundBand = 0.3...1.5

    /// The checks a set of results must pass, as sentences; empty when all pass.
    ///
    /// At T = 10⁶, for (K, ε) = (10, 0.1), (10, 0.02) and (100, 0.1): Thompson's regret within
    /// `boundBand` × C·ln T, and Thompson's 95% interval entirely below UCB1's. At shorter horizons
    /// only (10, 0.1)'s interval order is checked (the others lose about what uniform play loses).
    /// (100, 0.02) is never checked: its bound, 34,184 at 10⁶, exceeds the most regret ε·T = 20,000.
    public static func failures(_ results: [Result]) -> [String] {
        var failures: [String] = []
        let fullRun = results.contains { $0.horizon >= publishedHorizon }
        for (k, eps) in [(10, 0.1), (10, 0.02), (100, 0.1)] {
            let here = results.filter { $0.k == k && $0.epsilon == eps }
            guard let ts = here.first(where: { $0.algorithm == BanditAlgorithm.thompson.rawValue }) else {
                // A run at the published horizon must hold every checked setting's Thompson result.
                if fullRun || !here.isEmpty { failures.append("K=\(k), ε=\(eps): no Thompson sampling result to check") }
                continue
            }
            let published = ts.horizon >= publishedHorizon
            let name = "K=\(k), ε=\(eps), T=\(ts.horizon)"
            if published && !boundBand.contains(ts.regret / ts.bound) {
                failures.append("\(name): Thompson regret \(rounded(ts.regret, 1)) is \(rounded(ts.regret / ts.bound, 2))× the Lai–Robbins bound "
                                + "\(rounded(ts.bound, 1)), outside \(boundBand.lowerBound)–\(boundBand.upperBound)×")
            }
            guard published || (k == 10 && eps == 0.1) else { continue }
            guard let ucb = here.first(where: { $0.algorithm == BanditAlgorithm.ucb1.rawValue }) else {
                failures.append("\(name): no UCB1 result to compare Thompson sampling with")
                continue
            }
            if ts.ci95[1] >= ucb.ci95[0] {
                failures.append("\(name): Thompson's interval (\(rounded(ts.ci95[0], 1))–\(rounded(ts.ci95[1], 1))) is not below "
                                + "UCB1's (\(rounded(ucb.ci95[0], 1))–\(rounded(ucb.ci95[1], 1)))")
            }
        }
        return failures
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

    private static func rounded(_ x: Double, _ digits: Int) -> Double {
        let scale = digits == 1 ? 10.0 : 100.0
        return (x * scale).rounded() / scale
    }

    /// Pseudo-regret of one run. The best arm is placed at a random position so that tie-breaking
    /// toward low indices cannot help. Thompson sampling chooses through `selectThompsonPruned`
    /// (the same law as `select`, without a Beta draw per arm and step), KL-UCB through
    /// `KLUCBSearch` (the same choices as `select`, without a bisection per arm and step).
    static func regret(_ s: Setting, _ algorithm: BanditAlgorithm, _ stream: RandomStream) -> Double {
        let bestArm = stream.integer(below: s.arms)
        var bandit = BernoulliBandit(arms: s.arms, algorithm: algorithm, settings: BanditSettings(epsilon: 1, decay: true, temperature: 0.1))
        let all = Array(0..<s.arms)
        var regret = 0.0
        var klSearch = algorithm == .klUCB ? KLUCBSearch(bandit) : nil
        all.withUnsafeBufferPointer { candidates in
            for _ in 0..<s.horizon {
                let arm: Int
                switch algorithm {
                case .thompson: arm = bandit.selectThompsonPruned(stream)
                case .klUCB: arm = klSearch!.select(bandit)
                default: arm = bandit.select(among: candidates, stream)
                }
                let p = arm == bestArm ? 0.5 : 0.5 - s.epsilon
                if arm != bestArm { regret += s.epsilon }
                bandit.update(arm, reward: stream.uniform() < p ? 1 : 0)
                klSearch?.refresh(arm, bandit)
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
