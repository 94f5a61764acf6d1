import Testing
@testable import Stochastics

@Suite("Stochastics: statistics, inequality, seeds")
struct StatisticsTests {
    // MARK: - Student t intervals

    /// Replicates to resolve a mean of 1 with s = 2: the smallest N with t(N − 1)·2/√N < 1 is 18
    /// (t table: t(16) = 2.1199 gives 17.98 > 17, t(17) = 2.1098 gives 17.80 < 18). Zero means,
    /// single replicates and hopeless cases give nil.
    @Test func replicatesToResolveFollowTheTTable() {
        let half = 3.182446   // t(3)·2/√4
        #expect(Estimate(mean: 1, lower: 1 - half, upper: 1 + half, count: 4).replicatesToResolve() == 18)
        #expect(Estimate(mean: -1, lower: -1 - half, upper: -1 + half, count: 4).replicatesToResolve() == 18)
        #expect(Estimate(mean: 0, lower: -1, upper: 1, count: 4).replicatesToResolve() == nil)
        #expect(Estimate(mean: 1, lower: 1, upper: 1, count: 1).replicatesToResolve() == nil)
        #expect(Estimate(mean: 1e-6, lower: -1, upper: 1, count: 4).replicatesToResolve() == nil)
    }

    @Test func tCriticalMatchesPublishedTable() {
        // Two-sided 95% critical values from standard t tables.
        #expect(abs(Statistics.tCritical(degreesOfFreedom: 9) - 2.262157) < 1e-5)
        #expect(abs(Statistics.tCritical(degreesOfFreedom: 1) - 12.706205) < 1e-5)
        #expect(abs(Statistics.tCritical(degreesOfFreedom: 1000) - 1.962339) < 1e-5)
    }

    @Test func intervalOfASmallSampleByHand() {
        // mean 3, sd √2.5, half width t(4)·sd/√5 with t(4) = 2.776445.
        let e = Statistics.estimate([1, 2, 3, 4, 5])
        let half = 2.776445 * 2.5.squareRoot() / 5.0.squareRoot()
        #expect(e.mean == 3)
        #expect(abs(e.lower - (3 - half)) < 1e-5 && abs(e.upper - (3 + half)) < 1e-5)
    }

    @Test func intervalIgnoresUndefinedValuesAndCollapsesOnOneSample() {
        let e = Statistics.estimate([.nan, 4])
        #expect(e.mean == 4 && e.lower == 4 && e.upper == 4 && e.count == 1)
    }

    @Test func quantileInterpolatesLinearly() {
        #expect(Statistics.quantile([4, 1, 3, 2], 0.5) == 2.5)
        #expect(Statistics.quantile([4, 1, 3, 2], 1) == 4)
    }

    // MARK: - Gini and Jain (values from oracles.md)

    @Test(arguments: [
        ([1.0, 1, 1, 1], 0.0, 1.0),
        ([1.0, 0, 0, 0], 0.75, 0.25),
        ([1.0, 2, 3, 4], 0.25, 0.8333333),
        ([10.0, 1, 1, 1, 1], 0.5142857, 0.3769231),
    ])
    func giniAndJainMatchOracles(values: [Double], gini: Double, jain: Double) {
        #expect(abs(Inequality.gini(values) - gini) < 1e-6)
        #expect(abs(Inequality.jain(values) - jain) < 1e-6)
    }

    @Test func lorenzCurveEndsAtOne() {
        let curve = Inequality.lorenz([3, 1, 0, 4])
        #expect(curve == [0, 0.125, 0.5, 1])
    }

    // MARK: - Seeds and counter-based uniforms

    @Test func derivedSeedsDifferByNameAndReplicate() {
        let a = deriveSeed(1, replicate: 0, stream: "traffic")
        #expect(a == deriveSeed(1, replicate: 0, stream: "traffic"))
        #expect(a != deriveSeed(1, replicate: 1, stream: "traffic"))
        #expect(a != deriveSeed(1, replicate: 0, stream: "world"))
        #expect(a != deriveSeed(2, replicate: 0, stream: "traffic"))
    }

    @Test func counterUniformsAreUniform() {
        // Mean 1/2 and variance 1/12 of 200k keyed uniforms, within 4 standard errors.
        let u = CounterUniform(key: 99)
        let n = 200_000
        let xs = (0..<n).map { u.uniform(UInt64($0), 7) }
        let mean = xs.reduce(0, +) / Double(n)
        #expect(abs(mean - 0.5) < 4 * (1.0 / 12 / Double(n)).squareRoot())
        #expect(xs.allSatisfy { $0 > 0 && $0 < 1 })
        let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        #expect(abs(variance - 1.0 / 12) < 0.002)
    }

    @Test func gslStreamsAreReproducibleAndMatchTheirMeans() {
        let a = RandomStream(seed: 5), b = RandomStream(seed: 5)
        #expect((0..<10).map { _ in a.gaussian() } == (0..<10).map { _ in b.gaussian() })
        // Pareto(shape 3, scale 2) has mean 3 and variance 3 (a b² / ((a−1)²(a−2))).
        let s = RandomStream(seed: 6)
        let n = 100_000
        let xs = (0..<n).map { _ in s.pareto(shape: 3, scale: 2) }
        #expect(abs(xs.reduce(0, +) / Double(n) - 3) < 4 * (3.0 / Double(n)).squareRoot() * 3)
        #expect(xs.allSatisfy { $0 >= 2 })
    }

    @Test(arguments: [1, 7, 1000, 12_345_678, 2_147_483_649, 3_000_000_000])
    func aStartFinishedFromAnEarlierDrawIsGSLsInteger(n: Int) {
        // Twin streams: one asks GSL (`gsl_rng_uniform_int`), the other takes the first draw ahead
        // and finishes later. n = 2³¹ + 1 rejects about half of all draws, so replacement draws
        // are exercised; the streams must also stay in step (the next raw draws agree).
        let gsl = RandomStream(seed: 11), ahead = RandomStream(seed: 11)
        var rejections = 0
        for _ in 0..<2_000 {
            let first = ahead.draw()
            let guess = ahead.likelyInteger(below: n, firstDraw: first)
            let value = ahead.integer(below: n, firstDraw: first)
            #expect(value == gsl.integer(below: n))
            #expect(value >= 0 && value < n && guess < n)
            if guess != value { rejections += 1 }
            #expect(ahead.draw() == gsl.draw())
        }
        if n == 2_147_483_649 { #expect(rejections > 800) }
    }

    // MARK: - Streaming AUC

    @Test func binnedAUCOfAPerfectAndARandomRanker() {
        var perfect = PredictionQuality(), random = PredictionQuality()
        let s = RandomStream(seed: 3)
        for i in 0..<20_000 {
            let positive = i % 4 == 0
            perfect.record(positive ? 0.9 : 0.1, outcome: positive)
            random.record(s.uniform(0.01, 0.99), outcome: positive)
        }
        #expect(perfect.auc == 1)
        // The AUC of unrelated scores is 1/2 with standard error ≈ √((n₁+n₀+1)/(12 n₁ n₀)).
        let se = (20_001.0 / (12 * 5000 * 15000)).squareRoot()
        #expect(abs(random.auc! - 0.5) < 4 * se + 0.002)
        #expect(abs(perfect.logLoss! - (-(0.25 * log(0.9) + 0.75 * log(0.9)))) < 1e-9)
    }

    @Test func nonFiniteReplicatesAreLeftOutAndCounted() throws {
        // 1, 2, 3 remain: mean 2, s = 1, t(0.975, 2) = 4.303 (tables): 2 ± 2.4843.
        let e = Statistics.estimate([1, .nan, 2, .infinity, 3])
        #expect(e.count == 3 && e.dropped == 2 && e.mean == 2)
        #expect(abs(e.upper - (2 + 4.303 / 3.0.squareRoot())) < 1e-3)
        let json = String(decoding: try JSONEncoder().encode(e), as: UTF8.self)
        #expect(json.contains("\"dropped\":2"))
        let clean = String(decoding: try JSONEncoder().encode(Statistics.estimate([1, 2])), as: UTF8.self)
        #expect(!clean.contains("dropped"))
    }
}

import Foundation
