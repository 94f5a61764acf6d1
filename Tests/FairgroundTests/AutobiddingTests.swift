import Foundation
import Testing
@testable import Marketplace
import Stochastics

/// The autobidding strategies against known optima (oracles.md): each check passes with the
/// strategies as built and fails without the adaptation that makes them work.
@Suite("Marketplace: autobidding")
struct AutobiddingTests {
    @Test func maxConversionsNearsTheOfflineKnapsack() {
        let checks = AutobiddingReproduction.maxConversions(opportunities: 20_000, runs: 5, seed: 7)
        #expect(checks.allSatisfy { $0.pass }, "\(checks.map { "\($0.name): \($0.measured.mean)" })")
        // Without dual descent (λ frozen at 1: bids = pCVR) the bidder underspends and misses.
        let frozen = AutobiddingReproduction.maxConversions(opportunities: 20_000, runs: 5, seed: 7, stepSize: 0)
        #expect(!frozen.allSatisfy { $0.pass })
    }

    @Test func targetCPAMeetsItsTarget() {
        let checks = AutobiddingReproduction.targetCPA(opportunities: 20_000, runs: 5, seed: 7)
        #expect(checks.allSatisfy { $0.pass }, "\(checks.map { "\($0.name): \($0.measured.mean)" })")
        // Truthful bids without the controller: CPA E[(5c)²/4]/E[5c²/2] = 2.5, half the target.
        let truthful = AutobiddingReproduction.targetCPA(opportunities: 20_000, runs: 5, seed: 7, stepSize: 0)
        #expect(!truthful.allSatisfy { $0.pass } && abs(truthful[0].measured.mean - 0.5) < 0.03, "\(truthful[0].measured.mean)")
    }

    @Test func pacingFixedPoint() {
        let checks = AutobiddingReproduction.pacing(auctions: 100_000, runs: 5, seed: 7)
        #expect(checks.allSatisfy { $0.pass }, "\(checks.map { "\($0.name): \($0.measured.mean)" })")
    }

    @Test func biddersNeverSpendMoreThanTheBudget() {
        var bidder = DualDescentBidder(budget: 3, initialLambda: 0.001, stepSize: 0.1)
        var spent = 0.0
        for _ in 0..<100 {
            let bid = bidder.bid(worth: 1)
            let price = min(bid, 0.7)  // second price below the bid
            spent += price
            bidder.update(spend: price, target: 0.01)
        }
        #expect(spent <= 3 + 1e-12 && bidder.budgetLeft >= 0)
        #expect(auctionNetScore(conversions: 10, target: 5, realisedCPA: 10) == 2.5)
        #expect(auctionNetScore(conversions: 10, target: 5, realisedCPA: 4) == 10)
    }

    @Test func reproduceCommandsExitZeroWhenTheyPass() throws {
        for command in [["reproduce", "autobidding", "--quick", "--json"], ["reproduce", "pacing", "--quick", "--json"]] {
            let r = try Fixtures.runCLI(command)
            let out = try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stderr)")
            #expect(out["passed"] as? Bool == true && r.status == 0, "\(command): \(r.stdout)")
        }
    }
}
