import Marketplace
import Scenario

/// The fairness-control stage: an optional intervention between the ranker and the placement —
/// it may rescale predicted rates, re-rank by raising quality factors, or hold an exposure floor.
///
/// The contract: the engine calls `beginRequest(hour:)` once per request; `rescaled(_:tier:)` on
/// every candidate's predicted click rate when `rescalesRates`; `rerank` after qualities are set
/// when `reranks`; the exposure-floor step (`MarketSimulation.enforceFloor`) after placement when
/// `floors`; and `recordImpression` on every impression. Controls draw no random numbers of their
/// own (the floor's keyed uniform is the engine's). The exposure and merit every policy reports
/// live in `DisparityLedger`, which a control may read.
protocol FairnessStage {
    /// Whether `rescaled(_:tier:)` changes predicted click rates (false: the engine skips it).
    static var rescalesRates: Bool { get }
    /// Whether `rerank` changes qualities (false: the engine skips it).
    static var reranks: Bool { get }
    /// Whether the control holds an exposure floor (false: the engine skips the floor step).
    static var floors: Bool { get }

    mutating func beginRequest(hour: Int)
    /// The click rate candidate of `tier` is ranked on, given the ranker's `ctr`.
    func rescaled(_ ctr: Double, tier: Int) -> Double
    /// Adjusts `request.quality` of candidates `0..<count`.
    mutating func rerank(_ request: RequestScratch, count: Int, world: World, ledger: DisparityLedger)
    /// An impression in `tier` (and in "new" when `isNew`) with examination `exposure`, ranked on
    /// `predicted` (after `rescaled`), clicked or not, in `hour`.
    mutating func recordImpression(tier: Int, isNew: Bool, exposure: Double, predicted: Double, clicked: Bool, hour: Int)
    /// An advertiser entered.
    mutating func enter(advertiser: Int, world: World)

    // The exposure floor (read only when `floors`).
    /// The floor's group: a tier index, or the tier count for new advertisers.
    var floorGroup: Int { get }
    /// The group's share of exposure the floor holds.
    var floorShare: Double { get }
    /// Exposure of the group and of everyone in the window ending with `hour`.
    func floorWindow(hour: Int) -> (group: Double, total: Double)
    /// The group's active ads, from which the floor fetches a candidate retrieval did not bring.
    var floorPool: [Int] { get }
    /// Complete windows of the run, and those in which the group's share met the floor.
    func floorAttainment(_ metrics: CellMetrics) -> (windows: Double, met: Double)
}

extension FairnessStage {
    static var rescalesRates: Bool { false }
    static var reranks: Bool { false }
    static var floors: Bool { false }
    mutating func beginRequest(hour: Int) {}
    func rescaled(_ ctr: Double, tier: Int) -> Double { ctr }
    mutating func rerank(_ request: RequestScratch, count: Int, world: World, ledger: DisparityLedger) {}
    mutating func recordImpression(tier: Int, isNew: Bool, exposure: Double, predicted: Double, clicked: Bool, hour: Int) {}
    mutating func enter(advertiser: Int, world: World) {}
    var floorGroup: Int { -1 }
    var floorShare: Double { 0 }
    func floorWindow(hour: Int) -> (group: Double, total: Double) { (0, 0) }
    var floorPool: [Int] { [] }
    func floorAttainment(_ metrics: CellMetrics) -> (windows: Double, met: Double) { (0, 0) }
}

/// No fairness control.
struct NoFairnessControl: FairnessStage {}
