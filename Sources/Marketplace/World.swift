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
    /// Time of entry in seconds from the start (0 for advertisers present at the start).
    public internal(set) var entryTime: [Double] = []
    public internal(set) var isNew: [Bool] = []
    public internal(set) var firstAd: [Int32] = []
    public internal(set) var adCount: [Int32] = []

    // MARK: - Ads
    public internal(set) var adAdvertiser: [Int32] = []
    /// Observable ad features (ads × dimension).
    public internal(set) var adFeatures: [Double] = []
    /// Hidden per-ad offset on the click logit.
    public internal(set) var adLogit: [Double] = []

    /// Impressions logged by the incumbent before the run.
    public internal(set) var history: InteractionLog
    /// Shuffled order of ads used by retrieval (initial ads, then entrants by entry time).
    public internal(set) var retrievalOrder: [Int32] = []

    init(dimension: Int, tierNames: [String]) {
        self.dimension = dimension
        self.tierNames = tierNames
        self.history = InteractionLog(dimension: dimension)
    }

    public var advertiserCount: Int { dailyBudget.count }
    public var adCountTotal: Int { adAdvertiser.count }
    /// Number of advertisers present at the start of the run.
    public var initialAdvertiserCount: Int { isNew.firstIndex(of: true) ?? isNew.count }
    /// Number of ads of the advertisers present at the start (their ads come first).
    public var initialAdCount: Int {
        let n = initialAdvertiserCount
        return n == 0 ? 0 : Int(firstAd[n - 1] + adCount[n - 1])
    }
}

extension World {
    /// True click-through rate of `ad` for a user in the top slot (examination 1).
    ///
    /// σ(advertiser offset + ad offset + drift + Σₖ wₐₖ·uₖ·xₖ): a logistic response with
    /// per-advertiser interaction weights.
    @inlinable
    public func clickProbability(ad: Int, user: UnsafeBufferPointer<Double>, drift: Double) -> Double {
        let adv = Int(adAdvertiser[ad])
        var z = clickLogit[adv] + adLogit[ad] + drift
        let xBase = ad * dimension, wBase = adv * dimension
        for k in 0..<dimension {
            z += personalWeights[wBase + k] * user[k] * adFeatures[xBase + k]
        }
        return logistic(z)
    }

    /// True conversion probability of a click on an ad of advertiser `adv`.
    @inlinable
    public func conversionProbability(advertiser adv: Int) -> Double { logistic(conversionLogit[adv]) }
}
