import Scenario
import Stochastics

/// One Monte Carlo check of the simulator's auctions against a closed form.
public struct ReproductionCheck: Sendable, Codable {
    public var name: String
    public var expected: Double
    public var measured: Estimate
    public var standardError: Double
    /// Passes when |measured − expected| ≤ 4 standard errors (for identities: ≤ 1e-9).
    public var pass: Bool
}

/// `fairground reproduce auction`: drives `PositionAuction` with uniform values and compares
/// its revenue with the closed forms of `AuctionTheory`.
public enum AuctionReproduction {
    public static let tolerance = 4.0

    public static func run(samples: Int = 200_000, seed: UInt64 = 2024) -> [ReproductionCheck] {
        let stream = RandomStream(seed: deriveSeed(seed, replicate: 0, stream: "reproduce-auction"))
        var checks: [ReproductionCheck] = []
        for n in [2, 3, 5, 10] {
            checks.append(singleSlot("second price, n=\(n), no reserve", n: n, reserve: 0, .secondPrice, samples, stream,
                                     expected: AuctionTheory.secondPriceRevenue(bidders: n, reserve: 0)) { v in v })
        }
        for n in [1, 2, 3, 5, 10] {
            checks.append(singleSlot("second price, n=\(n), Myerson reserve 0.5", n: n, reserve: 0.5, .secondPrice, samples, stream,
                                     expected: AuctionTheory.secondPriceRevenue(bidders: n, reserve: 0.5)) { v in v })
        }
        for r in [0.3, 0.7] {
            checks.append(singleSlot("second price, n=2, reserve \(r) (\(r < 0.5 ? "below" : "above") the optimum)", n: 2, reserve: r, .secondPrice, samples, stream,
                                     expected: AuctionTheory.secondPriceRevenue(bidders: 2, reserve: r)) { v in v })
        }
        for n in [2, 5] {
            checks.append(singleSlot("first price at equilibrium, n=\(n): revenue equivalence", n: n, reserve: 0, .firstPrice, samples, stream,
                                     expected: AuctionTheory.secondPriceRevenue(bidders: n, reserve: 0)) {
                AuctionTheory.firstPriceBid(value: $0, bidders: n, reserve: 0)
            })
        }
        checks.append(singleSlot("first price at equilibrium, n=3, reserve 0.5", n: 3, reserve: 0.5, .firstPrice, samples, stream,
                                 expected: AuctionTheory.secondPriceRevenue(bidders: 3, reserve: 0.5)) {
            AuctionTheory.firstPriceBid(value: $0, bidders: 3, reserve: 0.5)
        })
        checks += positionChecks(samples: samples, stream)
        return checks
    }

    private static func singleSlot(_ name: String, n: Int, reserve: Double, _ mechanism: Mechanism, _ samples: Int,
                                   _ s: RandomStream, expected: Double, bidOf: (Double) -> Double) -> ReproductionCheck {
        var auction = PositionAuction(capacity: 1)
        var bids = Array(repeating: 0.0, count: n)
        let quality = Array(repeating: 1.0, count: n), weights = [1.0]
        var revenues = Array(repeating: 0.0, count: samples)
        for t in 0..<samples {
            for i in 0..<n { bids[i] = bidOf(s.uniform()) }
            let filled = bids.withUnsafeBufferPointer { b in quality.withUnsafeBufferPointer { q in
                weights.withUnsafeBufferPointer { auction.run(mechanism, reserve: reserve, bids: b, quality: q, weights: $0) } } }
            revenues[t] = filled > 0 ? auction.prices[0] : 0
        }
        return check(name, revenues, expected: expected)
    }

    /// Three slots, five bidders: VCG with truthful bids against its closed form, and GSP at the
    /// lowest envy-free equilibrium (bids from the values by the indifference recursion,
    /// `AuctionTheory.envyFreeBids`) against VCG, per draw: the two coincide (EOS 2007, Theorem 2).
    private static func positionChecks(samples: Int, _ s: RandomStream) -> [ReproductionCheck] {
        let weights = [0.5, 0.3, 0.1], n = 5
        let quality = Array(repeating: 1.0, count: n)
        var auction = PositionAuction(capacity: weights.count)
        var vcg = Array(repeating: 0.0, count: samples), gsp = vcg
        var largestGap = 0.0
        for t in 0..<samples {
            let values = (0..<n).map { _ in s.uniform() }.sorted(by: >)
            let equilibrium = AuctionTheory.envyFreeBids(sortedValues: values, weights: weights)
            vcg[t] = revenue(&auction, .vcg, values, quality, weights)
            gsp[t] = revenue(&auction, .gsp, equilibrium, quality, weights)
            largestGap = max(largestGap, abs(gsp[t] - vcg[t]))
        }
        let expected = AuctionTheory.vcgRevenue(weights: weights, bidders: n)
        var identity = check("GSP at the envy-free equilibrium charges VCG payments (largest gap per auction)", [largestGap], expected: 0)
        identity.pass = largestGap <= 1e-9
        return [
            check("VCG, 3 slots (0.5, 0.3, 0.1), n=5, truthful bids", vcg, expected: expected),
            check("GSP at the envy-free equilibrium, same market: VCG revenue", gsp, expected: expected),
            identity,
        ]
    }

    private static func revenue(_ auction: inout PositionAuction, _ m: Mechanism, _ bids: [Double], _ q: [Double], _ w: [Double]) -> Double {
        let filled = bids.withUnsafeBufferPointer { b in q.withUnsafeBufferPointer { qb in
            w.withUnsafeBufferPointer { auction.run(m, reserve: 0, bids: b, quality: qb, weights: $0) } } }
        return (0..<filled).reduce(0) { $0 + auction.prices[$1] * w[$1] }
    }

    private static func check(_ name: String, _ xs: [Double], expected: Double) -> ReproductionCheck {
        let e = Statistics.estimate(xs)
        let se = xs.count > 1 ? Statistics.standardDeviation(xs) / Double(xs.count).squareRoot() : 0
        return ReproductionCheck(name: name, expected: expected, measured: e, standardError: se,
                                 pass: abs(e.mean - expected) <= tolerance * max(se, 1e-12))
    }
}
