import Stochastics

/// Every impression a cell served, with the propensity of the logging policy's choice: what
/// `fairground run --log-impressions` writes to impressions.csv (the schema `fairground fit` reads).
///
/// Recorded only when a cell is given a log; otherwise the engine pays one nil check per request
/// and per impression. Logging never changes a run: the propensity's Monte Carlo draws come from
/// a stream of their own, and clicks and conversions are the keyed uniforms the run uses.
///
/// Propensity (`pscore`): the probability that the logging policy shows this ad at this position
/// on this request. Ranking and the auction are deterministic given the request, so the only
/// stochastic choices are the explorer's: whether the request is explored (probability `rate`,
/// when the pool has an ad) and which pool ad it shows. An explored impression has
/// rate × P(the explorer picks this ad), the latter estimated by re-running the explorer's choice
/// `draws` times on its current state (Thompson sampling has no closed form; as Open Bandit
/// Pipeline does), the choice made counted as one more draw so the estimate is never 0; a regular
/// impression has the probability of its request's branch — 1 − rate (not explored), rate
/// (explored), 1 without an explorer or with an empty pool.
public final class ImpressionLog: @unchecked Sendable {
    /// Monte Carlo draws per explored impression (standard error ≤ 0.5/√draws).
    public static let draws = 200

    public let dimension: Int
    /// Impressions recorded.
    public var count: Int { request.count }
    // The request being served.
    var requestId: UInt64 = 0, time = 0.0, cohort = 0, regularPropensity = 1.0, exploredPropensity = 1.0
    var user: [Double]
    // One entry per impression.
    public private(set) var request: [UInt64] = [], timestamp: [Double] = [], advertiser: [Int32] = [], ad: [Int32] = []
    public private(set) var tier: [Int32] = [], isNew: [Bool] = [], cohortOf: [Int32] = [], position: [Int8] = []
    public private(set) var click: [Bool] = [], cost: [Double] = [], conversion: [Bool] = [], value: [Double] = []
    public private(set) var conversionDelay: [Double] = [], explored: [Bool] = [], propensity: [Double] = []
    /// Users' features, `dimension` per impression.
    public private(set) var users: [Float] = []

    public init(dimension: Int) {
        self.dimension = dimension
        user = Array(repeating: 0, count: dimension)
    }

    func beginRequest(id: UInt64, time: Double, cohort: Int, user features: UnsafeMutableBufferPointer<Double>) {
        requestId = id
        self.time = time
        self.cohort = cohort
        for i in 0..<dimension { user[i] = features[i] }
        regularPropensity = 1
        exploredPropensity = 1
    }

    func record(advertiser adv: Int, ad: Int, tier t: Int, isNew new: Bool, position p: Int, clicked: Bool, price: Double,
                converted: Bool, value v: Double, delay: Double, explored e: Bool) {
        request.append(requestId); timestamp.append(time); advertiser.append(Int32(adv)); self.ad.append(Int32(ad))
        tier.append(Int32(t)); isNew.append(new); cohortOf.append(Int32(cohort)); position.append(Int8(p))
        click.append(clicked); cost.append(clicked ? price : 0); conversion.append(converted); value.append(converted ? v : 0)
        conversionDelay.append(converted ? delay : .nan); explored.append(e)
        propensity.append(e ? exploredPropensity : regularPropensity)
        for x in user { users.append(Float(x)) }
    }
}
