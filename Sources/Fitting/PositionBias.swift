import Foundation
import Stochastics

/// Examination probability per slot, relative to the top slot (θ₁ = 1), with 95% intervals.
public struct PositionBias: Sendable {
    public enum Method: String, Sendable { case randomised = "direct (randomised positions)", em = "position-based model, EM" }
    public var method: Method
    /// θ_k / θ₁ for k = 1 … slots, and their 95% intervals.
    public var ratios: [Double]
    public var lower: [Double]
    public var upper: [Double]
    /// Per-ad relevance γ (click probability when examined at the top), from the EM fit; for a
    /// randomised log, clicks ÷ examination-weighted impressions.
    public var relevance: [Double]

    /// Fits the log's position bias.
    ///
    /// Randomised log (every row has the same propensity): each ad is equally likely in every
    /// slot, so θ_k/θ₁ = CTR_k / CTR₁, with a delta-method interval on the log ratio,
    /// var = (1 − p_k)/(n_k p_k) + (1 − p₁)/(n₁ p₁).
    ///
    /// Otherwise the position-based click model P(click) = θ_k γ_ad by expectation–maximisation
    /// (Wang et al., WSDM 2018; their regression EM with the ad's identity as the only relevance
    /// feature is the classical EM below): for a non-click at (ad, k) the posteriors of
    /// "examined" and "relevant" are θ(1 − γ)/(1 − θγ) and γ(1 − θ)/(1 − θγ); the M-step averages
    /// them with the clicks. It runs on the (ad, slot) counts, so its cost grows with ads, not
    /// rows. Iterates until no ratio moves by 1e-7 (at most `iterations` times). Intervals:
    /// delete-one-block jackknife over `LogTally.blocks` blocks of rows,
    /// ratio ± 1.96 · SE.
    public static func fit(_ t: LogTally, iterations: Int = 5000) -> PositionBias {
        let K = t.slots
        if t.uniformLogging {
            var ratios = [Double](repeating: 1, count: K), lower = ratios, upper = ratios
            let n = (1...K).map { k in (0..<t.ads).reduce(0.0) { $0 + t.counts(ad: $1, position: k).n } }
            let c = (1...K).map { k in (0..<t.ads).reduce(0.0) { $0 + t.counts(ad: $1, position: k).c } }
            for k in 1..<K {
                guard n[k] > 0, c[k] > 0, c[0] > 0 else { ratios[k] = .nan; lower[k] = .nan; upper[k] = .nan; continue }
                let pk = c[k] / n[k], p1 = c[0] / n[0]
                let r = pk / p1, se = ((1 - pk) / (n[k] * pk) + (1 - p1) / (n[0] * p1)).squareRoot()
                ratios[k] = r; lower[k] = r * exp(-1.959964 * se); upper[k] = r * exp(1.959964 * se)
            }
            let relevance = (0..<t.ads).map { ad -> Double in
                var clicks = 0.0, examined = 0.0
                for k in 1...K { let x = t.counts(ad: ad, position: k); clicks += x.c; examined += x.n * (ratios[k - 1].isFinite ? ratios[k - 1] : 0) }
                return examined > 0 ? clicks / examined : .nan
            }
            return PositionBias(method: .randomised, ratios: ratios, lower: lower, upper: upper, relevance: relevance)
        }
        let full = em(t, leavingOut: nil, iterations: iterations, start: nil)
        var jack: [[Double]] = []
        for b in 0..<LogTally.blocks { jack.append(em(t, leavingOut: b, iterations: iterations, start: full).theta) }
        var lower = full.ratios, upper = full.ratios
        for k in 0..<K {
            let se = LogTally.jackknifeStandardError(jack.map { $0[k] / $0[0] })
            lower[k] = full.ratios[k] - 1.959964 * se; upper[k] = full.ratios[k] + 1.959964 * se
        }
        // γ on the top slot's scale: θ₁γ is the top-slot click probability.
        let relevance = full.gamma.map { $0 * full.theta[0] }
        return PositionBias(method: .em, ratios: full.ratios, lower: lower, upper: upper, relevance: relevance)
    }

    struct EMResult { var theta: [Double]; var gamma: [Double]; var ratios: [Double] }

    /// EM for the position-based model on the counts, leaving out one block (jackknife) or none.
    static func em(_ t: LogTally, leavingOut out: Int?, iterations: Int, start: EMResult?) -> EMResult {
        let K = t.slots
        // The (ad, k) cells with impressions.
        var cellAd: [Int] = [], cellK: [Int] = [], cellN: [Double] = [], cellC: [Double] = []
        for ad in 0..<t.ads {
            for k in 1...K {
                let x = t.counts(ad: ad, position: k, leaving: out)
                guard x.n > 0 else { continue }
                cellAd.append(ad); cellK.append(k - 1); cellN.append(x.n); cellC.append(x.c)
            }
        }
        var theta: [Double] = start?.theta ?? (0..<K).map { k -> Double in 1 / (1 + 0.3 * Double(k)) }
        var gamma: [Double]
        if let start { gamma = start.gamma } else {
            var g = [Double](repeating: 0, count: t.ads), n = [Double](repeating: 0, count: t.ads)
            for i in cellAd.indices { g[cellAd[i]] += cellC[i]; n[cellAd[i]] += cellN[i] }
            gamma = (0..<t.ads).map { a -> Double in n[a] > 0 ? min(0.99, max(1e-4, (g[a] + 0.5) / (n[a] + 1))) : 0.01 }
        }
        var thetaNum = [Double](repeating: 0, count: K), thetaDen = thetaNum
        var gammaNum = [Double](repeating: 0, count: t.ads), gammaDen = gammaNum
        for _ in 0..<iterations {
            for k in 0..<K { thetaNum[k] = 0; thetaDen[k] = 0 }
            for a in 0..<t.ads { gammaNum[a] = 0; gammaDen[a] = 0 }
            for i in cellAd.indices {
                let a = cellAd[i], k = cellK[i], th = theta[k], g = gamma[a]
                let nonClicks = cellN[i] - cellC[i], denominator = max(1e-12, 1 - th * g)
                thetaNum[k] += cellC[i] + nonClicks * th * (1 - g) / denominator
                thetaDen[k] += cellN[i]
                gammaNum[a] += cellC[i] + nonClicks * g * (1 - th) / denominator
                gammaDen[a] += cellN[i]
            }
            let before = theta.map { $0 / theta[0] }
            for k in 0..<K where thetaDen[k] > 0 { theta[k] = min(1 - 1e-9, max(1e-9, thetaNum[k] / thetaDen[k])) }
            for a in 0..<t.ads where gammaDen[a] > 0 { gamma[a] = min(1 - 1e-9, max(1e-9, gammaNum[a] / gammaDen[a])) }
            // Only θ_k γ is identified: rescale so the largest θ is ½ (γ up by the same factor, at
            // most 1), keeping the iterates off the bound θ ≤ 1 that would distort the ratios.
            let scale = 0.5 / (theta.max() ?? 0.5)
            if gamma.allSatisfy({ $0 / scale < 1 }) {
                for k in 0..<K { theta[k] *= scale }
                for a in 0..<t.ads { gamma[a] = min(1 - 1e-9, gamma[a] / scale) }
            }
            // Until the ratios θ_k/θ₁ move by less than 1e-7 in an iteration (EM creeps on flat likelihoods).
            if (0..<K).allSatisfy({ abs(theta[$0] / theta[0] - before[$0]) < 1e-7 }) { break }
        }
        return EMResult(theta: theta, gamma: gamma, ratios: theta.map { $0 / theta[0] })
    }
}
