import Testing
@testable import Marketplace
import Scenario
import Stochastics

@Suite("Marketplace: auctions")
struct AuctionTests {
    let ctrs = [0.5, 0.3, 0.1]
    let bids = [5.0, 4, 3, 2]

    // MARK: - Worked examples (numbers computed by hand from the definitions)

    @Test func gspChargesTheNextBidPerClick() {
        // The worked example: prices 4, 3, 2; payments 2.0, 0.9, 0.2; revenue 3.1.
        let awards = PositionAuction.awards(.gsp, reserve: 0, bids: bids, weights: ctrs)
        #expect(awards.map(\.bidder) == [0, 1, 2])
        #expect(awards.map(\.pricePerClick) == [4, 3, 2])
        #expect(zip(awards.map(\.payment), [2.0, 0.9, 0.2]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(abs(awards.reduce(0) { $0 + $1.payment } - 3.1) < 1e-12)
    }

    @Test func vcgPaymentsFollowTheClosedForm() {
        // Slot 3: (0.1−0)·2 = 0.2; slot 2: (0.3−0.1)·3 + 0.2 = 0.8; slot 1: (0.5−0.3)·4 + 0.8 = 1.6.
        let awards = PositionAuction.awards(.vcg, reserve: 0, bids: bids, weights: ctrs)
        let payments = awards.map(\.payment)
        #expect(zip(payments, [1.6, 0.8, 0.2]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(abs(awards[1].pricePerClick - 0.8 / 0.3) < 1e-12)
    }

    @Test func vcgWithAReserveTreatsItAsAPhantomBidder() {
        // Hand case: eligible bids 5, 4, 3 (2 is below the reserve 2.5). Slot 1 pays
        // 0.2·4 + 0.2·3 + 0.1·2.5 = 1.65 (3.30 per click), slot 2 0.2·3 + 0.1·2.5 = 0.85 (2.8333),
        // slot 3 0.1·2.5 = 0.25 (2.50): revenue 2.75. Myerson's identity gives slot 1 the same:
        // 5·0.5 − (0.1·0.5 + 0.3·1 + 0.5·1) = 1.65.
        let awards = PositionAuction.awards(.vcg, reserve: 2.5, bids: bids, weights: ctrs)
        #expect(awards.map(\.bidder) == [0, 1, 2])
        #expect(zip(awards.map(\.pricePerClick), [3.30, 0.85 / 0.3, 2.50]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(abs(awards.reduce(0) { $0 + $1.payment } - 2.75) < 1e-12)
        // Quality-weighted: bids 6, 4, 3 with quality 1, 1, 0.5 (scores 6, 4, 1.5), reserve 2.5.
        // Slot 1: (0.2·4 + 0.2·max(1.5, 2.5) + 0.1·2.5)/0.5 = 3.10; Myerson: 6·0.5 − (0.3·1.5 + 0.5·1) = 1.55 → 3.10.
        let weighted = PositionAuction.awards(.vcg, reserve: 2.5, bids: [6, 4, 3], quality: [1, 1, 0.5], weights: ctrs)
        #expect(weighted.map(\.bidder) == [0, 1, 2])
        #expect(zip(weighted.map(\.pricePerClick), [3.10, 2.5, 2.5]).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func gspAtTheEnvyFreeEquilibriumFromValuesChargesVCG() {
        // EOS/Varian bids from values 5, 4, 3, 2: b₄ = 2, b₃ = 3 − (1/3)(3 − 2) = 2.6667,
        // b₂ = 4 − 0.6(4 − 2.6667) = 3.2; GSP prices 3.2, 2.6667, 2 and revenue 2.6 — VCG's.
        let values = [5.0, 4, 3, 2]
        let eq = AuctionTheory.envyFreeBids(sortedValues: values, weights: ctrs)
        #expect(zip(eq, [5, 3.2, 8.0 / 3, 2]).allSatisfy { abs($0 - $1) < 1e-12 })
        let gsp = PositionAuction.awards(.gsp, reserve: 0, bids: eq, weights: ctrs)
        #expect(zip(gsp.map(\.pricePerClick), [3.2, 8.0 / 3, 2]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(abs(gsp.reduce(0) { $0 + $1.payment } - 2.6) < 1e-12)
        // With the reserve 2.5 as the loser's bid: 3.30, 2.8333, 2.50 — VCG with the reserve.
        let withReserve = AuctionTheory.envyFreeBids(sortedValues: values, weights: ctrs, reserve: 2.5)
        let g = PositionAuction.awards(.gsp, reserve: 2.5, bids: withReserve, weights: ctrs)
        let v = PositionAuction.awards(.vcg, reserve: 2.5, bids: values, weights: ctrs)
        #expect(zip(g.map(\.pricePerClick), v.map(\.pricePerClick)).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(abs(g[0].pricePerClick - 3.30) < 1e-12)
    }

    /// Slot counts that take each ranking path: four lanes (3 slots), eight lanes (4 and 7
    /// slots) and insertion (9 slots).
    @Test(arguments: [[1.0, 0.6, 0.35], [1.0, 0.7, 0.5, 0.35], [1.0, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3],
                      [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2]])
    func repeatedAuctionsRankLikeAFullSort(weights: [Double]) {
        // One auction object reused over many markets (its shortlist threshold carries over from
        // one to the next), against a plain stable sort by score: ranks, winners and GSP prices.
        // Scores come in coarse steps so ties are common; some bidders are ineligible.
        let stream = RandomStream(seed: 7)
        let slots = weights.count
        var auction = PositionAuction(capacity: slots)
        for market in 0..<3000 {
            let n = 1 + stream.integer(below: 40)
            let scale = market % 3 == 0 ? 1.0 : 0.05 + stream.uniform() * 4
            let bids = (0..<n).map { _ in stream.uniform() < 0.1 ? 0 : scale * Double(1 + stream.integer(below: 6)) }
            let quality = (0..<n).map { _ in stream.uniform() < 0.05 ? 0 : Double(1 + stream.integer(below: 4)) / 4 }
            let reserve = 0.5 * scale
            let eligible = (0..<n).filter { bids[$0] >= reserve && bids[$0] > 0 && quality[$0] > 0 }
            let order = eligible.sorted { a, b in
                let sa = bids[a] * quality[a], sb = bids[b] * quality[b]
                return sa > sb || (sa == sb && a < b)
            }
            let filled = bids.withUnsafeBufferPointer { b in
                quality.withUnsafeBufferPointer { q in
                    weights.withUnsafeBufferPointer { w in auction.run(.gsp, reserve: reserve, bids: b, quality: q, weights: w) }
                }
            }
            #expect(filled == min(order.count, slots), "market \(market)")
            for r in 0..<min(filled, slots) {
                let w = order[r]
                let next = r + 1 < order.count ? bids[order[r + 1]] * quality[order[r + 1]] / quality[w] : 0
                #expect(auction.winners[r] == w, "market \(market) slot \(r)")
                #expect(auction.prices[r] == min(bids[w], max(reserve, next)), "market \(market) slot \(r)")
            }
        }
    }

    @Test func vcgNeverChargesMoreThanGSPAtTheSameBids() {
        let s = RandomStream(seed: 1)
        for _ in 0..<1000 {
            let b = (0..<6).map { _ in s.uniform() }
            let g = PositionAuction.awards(.gsp, reserve: 0, bids: b, weights: ctrs).reduce(0) { $0 + $1.payment }
            let v = PositionAuction.awards(.vcg, reserve: 0, bids: b, weights: ctrs).reduce(0) { $0 + $1.payment }
            #expect(v <= g + 1e-12)
        }
    }

    @Test func qualityScalesGSPPrices() {
        // Scores: 2·1 = 2, 3·0.5 = 1.5, 1·1 = 1. Winner pays 1.5/1 = 1.5; second pays 1·1/0.5 = 2.
        let awards = PositionAuction.awards(.gsp, reserve: 0, bids: [2, 3, 1], quality: [1, 0.5, 1], weights: [0.5, 0.3])
        #expect(awards.map(\.bidder) == [0, 1])
        #expect(awards.map(\.pricePerClick) == [1.5, 2])
        #expect(abs(awards[1].payment - 2 * 0.3 * 0.5) < 1e-12)
    }

    @Test func reserveExcludesLowBidsAndFloorsPrices() {
        let awards = PositionAuction.awards(.gsp, reserve: 2.5, bids: bids, weights: ctrs)
        #expect(awards.map(\.bidder) == [0, 1, 2])
        #expect(awards.map(\.pricePerClick) == [4, 3, 2.5])
        let none = PositionAuction.awards(.secondPrice, reserve: 10, bids: bids, weights: ctrs)
        #expect(none.isEmpty)
    }

    @Test func firstAndSecondPrice() {
        #expect(PositionAuction.awards(.firstPrice, reserve: 0, bids: bids, weights: ctrs).map(\.pricePerClick) == [5, 4, 3])
        #expect(PositionAuction.awards(.secondPrice, reserve: 0, bids: [1, 7, 3], weights: [1]).map(\.pricePerClick) == [3])
    }

    @Test func tiesGoToTheLowerIndex() {
        let awards = PositionAuction.awards(.gsp, reserve: 0, bids: [2, 2, 2], weights: [0.5, 0.3])
        #expect(awards.map(\.bidder) == [0, 1])
        #expect(awards.map(\.pricePerClick) == [2, 2])
    }

    // MARK: - Closed forms (oracles.md)

    @Test func closedFormsMatchTheTabulatedValues() {
        // oracles.md: n=1: 0 → 0.25 · n=2: 1/3 → 5/12 · n=3: 0.5 → 0.53125 · n=5 → 0.67188 · n=10 → 0.81827.
        #expect(abs(AuctionTheory.secondPriceRevenue(bidders: 1, reserve: 0.5) - 0.25) < 1e-12)
        #expect(abs(AuctionTheory.secondPriceRevenue(bidders: 2, reserve: 0) - 1.0 / 3) < 1e-12)
        #expect(abs(AuctionTheory.secondPriceRevenue(bidders: 2, reserve: 0.5) - 5.0 / 12) < 1e-12)
        #expect(abs(AuctionTheory.secondPriceRevenue(bidders: 3, reserve: 0.5) - 0.53125) < 1e-12)
        #expect(abs(AuctionTheory.secondPriceRevenue(bidders: 5, reserve: 0.5) - 0.67188) < 1e-5)
        #expect(abs(AuctionTheory.secondPriceRevenue(bidders: 10, reserve: 0.5) - 0.81827) < 1e-5)
        #expect(abs(AuctionTheory.firstPriceBid(value: 0.8, bidders: 4, reserve: 0) - 0.6) < 1e-12)
    }

    @Test func monteCarloReproducesEveryClosedForm() {
        let checks = AuctionReproduction.run(samples: 40_000, seed: 17)
        #expect(checks.count >= 14)
        for c in checks {
            #expect(c.pass, "\(c.name): measured \(c.measured.mean) ± \(c.standardError), expected \(c.expected)")
        }
    }

    @Test func reproductionDetectsAWrongMechanism() {
        // The same harness must fail when the mechanism is wrong: first-price revenue with truthful
        // bids is E[max] = n/(n+1), not (n−1)/(n+1).
        var auction = PositionAuction(capacity: 1)
        let s = RandomStream(seed: 2)
        var total = 0.0
        let n = 3, samples = 20_000
        for _ in 0..<samples {
            let b = (0..<n).map { _ in s.uniform() }
            _ = b.withUnsafeBufferPointer { bb in [1.0, 1, 1].withUnsafeBufferPointer { q in
                [1.0].withUnsafeBufferPointer { auction.run(.firstPrice, reserve: 0, bids: bb, quality: q, weights: $0) } } }
            total += auction.prices[0]
        }
        let mean = total / Double(samples)
        #expect(abs(mean - 0.75) < 0.01)
        #expect(abs(mean - AuctionTheory.secondPriceRevenue(bidders: n, reserve: 0)) > 0.2)
    }
}
