import Foundation

/// Closed forms for auctions with values i.i.d. Uniform[0, 1] (Myerson 1981; Krishna, *Auction Theory*).
public enum AuctionTheory {
    /// Expected second-price revenue with n bidders and reserve r:
    /// R(r) = 2n(1 − r^{n+1})/(n+1) − (1 − rⁿ); with r = 0 this is (n−1)/(n+1).
    public static func secondPriceRevenue(bidders n: Int, reserve r: Double) -> Double {
        let nd = Double(n)
        return 2 * nd * (1 - pow(r, nd + 1)) / (nd + 1) - (1 - pow(r, nd))
    }

    /// Symmetric first-price equilibrium bid with reserve r: v − (vⁿ − rⁿ)/(n·vⁿ⁻¹) for v ≥ r.
    public static func firstPriceBid(value v: Double, bidders n: Int, reserve r: Double) -> Double {
        guard v >= r, v > 0 else { return 0 }
        let nd = Double(n)
        return v - (pow(v, nd) - pow(r, nd)) / (nd * pow(v, nd - 1))
    }

    /// Expected VCG revenue of a K-slot position auction with slot weights α and n bidders:
    /// Σⱼ j·(αⱼ − αⱼ₊₁)·E[v₍ⱼ₊₁₎], where the (j+1)-th highest of n uniforms has mean (n−j)/(n+1).
    public static func vcgRevenue(weights α: [Double], bidders n: Int) -> Double {
        var total = 0.0
        for j in 1...α.count where j < n {
            let next = j < α.count ? α[j] : 0
            total += Double(j) * (α[j - 1] - next) * Double(n - j) / Double(n + 1)
        }
        return total
    }

    /// VCG prices per click for values sorted high to low: pᵢ = Σ_{j≥i} (αⱼ − αⱼ₊₁)·v₍ⱼ₊₁₎ / αᵢ.
    public static func vcgPricesPerClick(sortedValues v: [Double], weights α: [Double]) -> [Double] {
        let k = min(α.count, v.count)
        return (0..<k).map { i in
            var payment = 0.0
            for j in i..<k {
                let next = j + 1 < α.count ? α[j + 1] : 0
                payment += (α[j] - next) * (j + 1 < v.count ? v[j + 1] : 0)
            }
            return payment / α[i]
        }
    }

    /// The lowest envy-free equilibrium bids of a GSP auction (Edelman, Ostrovsky & Schwarz 2007;
    /// Varian 2007) for values sorted high to low: the first loser bids its value (at least the
    /// reserve; the reserve itself when nobody loses), and each winner below the top is exactly
    /// indifferent to moving up: αᵢ(vᵢ − bᵢ₊₁) = αᵢ₋₁(vᵢ − bᵢ). The top bidder bids its value.
    /// Values 5, 4, 3, 2 with weights 0.5, 0.3, 0.1 give bids 5, 3.2, 2.6667, 2.
    public static func envyFreeBids(sortedValues v: [Double], weights α: [Double], reserve: Double = 0) -> [Double] {
        let k = min(α.count, v.count)
        var bids = v
        guard k > 0 else { return bids }
        // b[k] is the first loser's bid (or the reserve when every bidder wins a slot).
        var below = k < v.count ? max(v[k], reserve) : reserve
        if k < v.count { bids[k] = below }
        for i in stride(from: k - 1, through: 1, by: -1) {
            bids[i] = v[i] - α[i] / α[i - 1] * (v[i] - below)
            below = bids[i]
        }
        return bids
    }
}
