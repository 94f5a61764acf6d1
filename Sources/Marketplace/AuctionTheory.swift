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
}
