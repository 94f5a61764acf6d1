import Foundation
import Scenario
import Stochastics

/// A generated marketplace: advertisers, their ads, the hidden true response model and the
/// pre-run history log. Policy-independent: every policy of a replicate runs on the same world.
///
/// Storage is struct-of-arrays indexed by advertiser or ad number, so the request path reads
/// contiguous memory and never hashes. Advertisers present at the start come first; those
/// entering during the run follow in order of entry time.
public struct World: Sendable {
    public let dimension: Int
    public let tierNames: [String]

    // MARK: - Advertisers
    public internal(set) var advertiserTier: [Int32] = []
    public internal(set) var dailyBudget: [Double] = []
    /// Bid per click the advertiser enters before any pacing.
    public internal(set) var bid: [Double] = []
    public internal(set) var valuePerConversion: [Double] = []
    /// The advertiser's own click-logit offset (tier shift + personal deviation).
    public internal(set) var clickLogit: [Double] = []
    /// The advertiser's conversion logit (per click).
    public internal(set) var conversionLogit: [Double] = []
    /// Per-advertiser weights on the user × ad interaction (advertisers × dimension): the part of
    /// the response that one shared model cannot represent.
    public internal(set) var personalWeights: [Double] = []
    /// The conversion model's user side: γ per cohort, κ on the click model's interaction term.
    public internal(set) var cohortConversionShift: [Double] = [0]
    public internal(set) var conversionInteraction = 0.0
    /// Expected order value per advertiser and cohort (advertisers × cohorts): the advertiser's
    /// `valuePerConversion` × the cohort's `orderValueScale` × the advertiser's own factor for it.
    public internal(set) var expectedOrderValue: [Double] = []
    /// σ of a single order's lognormal value around its median (expected value · e^(−σ²/2)).
    public internal(set) var orderValueSigma = 0.0
    /// Time of entry in seconds from the start (0 for advertisers present at the start).
    public internal(set) var entryTime: [Double] = []
    public internal(set) var isNew: [Bool] = []
    public internal(set) var firstAd: [Int32] = []
    public internal(set) var adCount: [Int32] = []
    public internal(set) var firstAdgroup: [Int32] = []
    public internal(set) var adgroupCount: [Int32] = []

    // MARK: - Adgroups (an advertiser's marketing purposes: one per ad unless the tier says otherwise)
    public internal(set) var adgroupAdvertiser: [Int32] = []
    /// Each adgroup's ads: `adgroupAdCount` of them from `adgroupFirstAd` (an advertiser's ads are
    /// split into its adgroups in order).
    public internal(set) var adgroupFirstAd: [Int32] = []
    public internal(set) var adgroupAdCount: [Int32] = []
    /// The cohort the adgroup targets (adgroup k of an advertiser: cohort k mod cohorts; −1 in a
    /// tier that does not declare adgroups); it is reported under that cohort's objective. A
    /// purpose, not a filter: the adgroup's ads compete for every user.
    public internal(set) var adgroupTarget: [Int32] = []
    /// The adgroup's share of its advertiser's daily budget: its own daily cap is that share of
    /// the advertiser's (1 when the tier sets no shares: the advertiser's cap alone binds).
    public internal(set) var adgroupBudgetShare: [Double] = []
    /// Whether any adgroup has a cap of its own (a share below 1).
    public internal(set) var hasAdgroupBudgets = false
    /// Whether the scenario declares adgroups (`adgroupsPerAdvertiser` on some tier): runs then
    /// report delivery by adgroup objective.
    public internal(set) var adgroupsDeclared = false

    // MARK: - Ads
    public internal(set) var adAdvertiser: [Int32] = []
    public internal(set) var adAdgroup: [Int32] = []
    /// Observable ad features (ads × dimension).
    public internal(set) var adFeatures: [Double] = []
    /// Hidden per-ad offset on the click logit.
    public internal(set) var adLogit: [Double] = []

    /// Impressions logged by the incumbent before the run.
    public internal(set) var history: InteractionLog
    /// Shuffled order of ads used by retrieval (initial ads, then entrants by entry time).
    public internal(set) var retrievalOrder: [Int32] = []

    // MARK: - Retrieval-order layout (built once by `layOutForRetrieval()`)
    /// Each ad's position in `retrievalOrder` (its inverse).
    public internal(set) var adPosition: [Int32] = []
    /// Advertiser of the ad at each retrieval position.
    public internal(set) var positionAdvertiser: [Int32] = []
    /// Each advertiser's rank in order of first appearance in `retrievalOrder`, and the
    /// advertiser at each rank: per-advertiser state that the request path reads (the simulation's
    /// accounts) is stored in this order, so a window of retrieval positions reads it nearly front
    /// to back too.
    public internal(set) var advertiserRank: [Int32] = []
    public internal(set) var rankAdvertiser: [Int32] = []
    /// `advertiserRank` of the advertiser of the ad at each retrieval position.
    public internal(set) var positionRank: [Int32] = []
    /// The true click model per retrieval position, `truthStride` values each: the ad's fixed logit
    /// (advertiser offset + ad offset), then its advertiser's interaction weights times its features,
    /// wₖ·xₖ (d values), so the logit is one dot product with the user.
    ///
    /// Retrieval reads a window of consecutive positions, so a request's candidates are read front to
    /// back from one region instead of from five arrays in shuffled order.
    public internal(set) var truth: [Double] = []

    init(dimension: Int, tierNames: [String]) {
        self.dimension = dimension
        self.tierNames = tierNames
        self.history = InteractionLog(dimension: dimension)
    }

    public var advertiserCount: Int { dailyBudget.count }
    /// Where advertiser `adv`'s state sits in storage ordered by `advertiserRank`.
    @inlinable
    public func rank(of adv: Int) -> Int { Int(advertiserRank[adv]) }
    /// Values per position in `truth`: d + 1.
    public var truthStride: Int { dimension + 1 }
    public var adCountTotal: Int { adAdvertiser.count }
    public var adgroupCountTotal: Int { adgroupAdvertiser.count }
    /// Whether every adgroup holds exactly one ad (adgroup g is then ad g).
    public var adgroupsAreAds: Bool { adgroupCountTotal == adCountTotal }
    /// Number of advertisers present at the start of the run.
    public var initialAdvertiserCount: Int { isNew.firstIndex(of: true) ?? isNew.count }
    /// Number of ads of the advertisers present at the start (their ads come first).
    public var initialAdCount: Int {
        let n = initialAdvertiserCount
        return n == 0 ? 0 : Int(firstAd[n - 1] + adCount[n - 1])
    }
}

extension World {
    /// Builds the retrieval-order layout (`adPosition`, `positionAdvertiser`, the advertiser ranks
    /// and `truth`) from the per-advertiser and per-ad arrays and `retrievalOrder`.
    mutating func layOutForRetrieval() {
        let d = dimension, stride = truthStride
        adPosition = Array(repeating: 0, count: adCountTotal)
        positionAdvertiser = Array(repeating: 0, count: adCountTotal)
        truth = Array(repeating: 0, count: adCountTotal * stride)
        advertiserRank = Array(repeating: -1, count: advertiserCount)
        rankAdvertiser = []
        rankAdvertiser.reserveCapacity(advertiserCount)
        positionRank = Array(repeating: 0, count: adCountTotal)
        for (position, ad32) in retrievalOrder.enumerated() {
            let ad = Int(ad32), adv = Int(adAdvertiser[ad]), o = position * stride
            adPosition[ad] = Int32(position)
            positionAdvertiser[position] = adAdvertiser[ad]
            if advertiserRank[adv] < 0 {
                advertiserRank[adv] = Int32(rankAdvertiser.count)
                rankAdvertiser.append(Int32(adv))
            }
            positionRank[position] = advertiserRank[adv]
            truth[o] = clickLogit[adv] + adLogit[ad]
            for k in 0..<d { truth[o + 1 + k] = personalWeights[adv * d + k] * adFeatures[ad * d + k] }
        }
        // Advertisers without ads (none are generated, but the layout must cover every one).
        for adv in 0..<advertiserCount where advertiserRank[adv] < 0 {
            advertiserRank[adv] = Int32(rankAdvertiser.count)
            rankAdvertiser.append(Int32(adv))
        }
    }

    /// True click-through rate of `ad` for a user in the top slot (examination 1).
    ///
    /// σ(advertiser offset + ad offset + drift + Σₖ wₐₖ·uₖ·xₖ): a logistic response with
    /// per-advertiser interaction weights. σ is `VectorLogistic`'s, the one the request path uses
    /// for a whole batch of candidates, so a rate is the same bits wherever it is computed.
    @inlinable
    public func clickProbability(ad: Int, user: UnsafeBufferPointer<Double>, drift: Double) -> Double {
        truth.withUnsafeBufferPointer { VectorLogistic.logistic(Self.trueLogit(position: Int(adPosition[ad]), truth: $0, user: user, drift: drift, dimension: dimension)) }
    }

    /// The true click logit of the ad at retrieval `position`, read from `truth`.
    @inlinable @inline(__always)
    public static func trueLogit(position: Int, truth t: UnsafeBufferPointer<Double>, user u: UnsafeBufferPointer<Double>,
                                 drift: Double, dimension d: Int) -> Double {
        let o = position * (d + 1)
        return t[o] + drift + dot(t.baseAddress! + o + 1, u.baseAddress!, count: d)
    }

    /// True conversion probability of a click by `user` (of `cohort`) on the ad at retrieval `position`.
    ///
    /// σ(a_adv + γ_cohort + κ·Σₖ wₐₖ·uₖ·xₖ): the advertiser's conversion logit, the cohort's shift and κ
    /// times the click model's interaction term (the taste that makes a user click also makes them buy).
    @inlinable
    public func conversionProbability(position: Int, user: UnsafeBufferPointer<Double>, cohort: Int) -> Double {
        let adv = Int(positionAdvertiser[position])
        var z = conversionLogit[adv] + cohortConversionShift[cohort]
        if conversionInteraction != 0 {
            let d = dimension
            z += conversionInteraction * truth.withUnsafeBufferPointer { dot($0.baseAddress! + position * (d + 1) + 1, user.baseAddress!, count: d) }
        }
        return logistic(z)
    }

    /// A conversion's expected value for advertiser `adv` and a user of `cohort`.
    @inlinable
    public func expectedOrderValue(advertiser adv: Int, cohort: Int) -> Double {
        expectedOrderValue[adv * cohortConversionShift.count + cohort]
    }

    /// An order's value from a standard normal draw z: lognormal with the expected value above,
    /// median = mean·e^(−σ²/2); exactly the mean when σ = 0.
    @inlinable
    public func orderValue(advertiser adv: Int, cohort: Int, standardNormal z: Double) -> Double {
        let mean = expectedOrderValue(advertiser: adv, cohort: cohort)
        guard orderValueSigma > 0 else { return mean }
        return min(mean * exp(orderValueSigma * z - orderValueSigma * orderValueSigma / 2), 1e12)
    }
}
