import Marketplace
import Scenario

/// Fixed-CPC bidders: every advertiser bids its world bid per click, shaded by its pacing
/// controller — the adaptive multiplier of Balseiro & Gur (bid v/(1+μ)), or probabilistic
/// throttling (take part with probability p, bid v) — or unshaded without pacing.
struct FixedCPCBidders: Bidder {
    let kind: PacingKind
    /// The controllers, indexed by account rank (in scratch memory).
    let pacers: UnsafeMutableBufferPointer<AdaptivePacer>
    let throttles: UnsafeMutableBufferPointer<ThrottlePacer>
    /// Ranks whose controller may move at the next update: every account at first, then the
    /// ones not at rest after an update and the ones charged since (only a charge wakes a
    /// controller at rest). Each controller is independent of the others, so the order is free.
    private var due: [Int32]
    /// How far ahead `updatePacing` asks for the listed accounts' records.
    static let lead = 16

    /// Paces every account of `ledger` but the autobidders' (which stay listed, so a charge never
    /// adds them to the due list).
    init(pacing: PacingSettings, ledger: Ledger, memory: ScratchMemory) {
        kind = pacing.kind
        let accounts = ledger.accounts.count
        pacers = memory.buffer(accounts, filledWith: AdaptivePacer(stepSize: pacing.stepSize, maxMultiplier: pacing.maxMultiplier))
        throttles = memory.buffer(accounts, filledWith: ThrottlePacer(stepSize: pacing.stepSize))
        due = (0..<Int32(accounts)).filter { !ledger.accounts[Int($0)].autobids }
    }

    var throttling: Bool { kind == .throttle }

    @inline(__always)
    func participation(rank: Int) -> Double { throttles[rank].participation }

    @inline(__always)
    mutating func charged(rank a: Int, ledger: Ledger) {
        if !ledger.accounts[a].pacingListed { ledger.accounts[a].pacingListed = true; due.append(Int32(a)) }
    }

    mutating func updatePacing(share: Double, ledger: Ledger, prefetching: Bool) {
        let accounts = ledger.accounts
        let multiplicative = kind == .multiplicative
        // Only the listed controllers. A controller at rest (no spend this period, no shading or
        // full participation) would stay exactly where it is: it leaves the list until a charge
        // brings it back. The listed accounts are charged ones, in the order of their first
        // charge: in a large marketplace each is a cache miss, so the records `lead` on are asked for.
        var kept = 0
        let listed = due.count
        for j in 0..<listed {
            if prefetching && j + Self.lead < listed {
                let ahead = Int(due[j + Self.lead])
                prefetch(accounts.baseAddress! + ahead)
                if multiplicative { prefetch(pacers.baseAddress! + ahead) } else { prefetch(throttles.baseAddress! + ahead) }
            }
            let r = Int(due[j])
            // At rest, or gone (a budget of 0: the advertiser left the market).
            if accounts[r].periodSpend == 0
                && (accounts[r].dailyBudget == 0 || (multiplicative ? pacers[r].multiplier == 0 : throttles[r].participation == 1)) {
                accounts[r].pacingListed = false
                continue
            }
            due[kept] = Int32(r)
            kept += 1
            guard accounts[r].entered else { continue }
            let target = accounts[r].dailyBudget * share
            let relative = accounts[r].periodSpend / target
            if multiplicative {
                pacers[r].update(target: 1, spend: relative)
                accounts[r].pacedBid = pacers[r].bid(accounts[r].bid)
                ledger.refreshOffer(r)
            } else {
                throttles[r].update(target: 1, spend: relative)
            }
            accounts[r].periodSpend = 0
        }
        due.removeLast(due.count - kept)
    }
}
