import Marketplace
import Scenario
import Stochastics

/// The explorer stage: in a keyed share of requests (`rate`) it may claim a slot for an ad of
/// its pool, whether or not retrieval found it, and it learns from every impression and click.
///
/// The contract: `choose` is called only in explored requests and returns an ad whose
/// advertiser (and adgroup) can pay today (or nil); it may draw only from the explorer's own stream. The
/// engine places the chosen ad at `slot` (or the first free slot above it) at the `pricing` rule.
protocol Explorer: AnyObject {
    /// Whether the explorer ever claims a slot (false: the engine skips the stage).
    static var explores: Bool { get }
    /// Share of requests explored.
    var rate: Double { get }
    /// 1-based slot of the explored ad.
    var slot: Int { get }
    var pricing: ExplorerPricing { get }
    /// The ad to show, or nil when no pool ad can be shown.
    func choose(world: World, ledger: Ledger) -> Int?
    /// An advertiser entered: its ads may join the pool.
    func enter(advertiser: Int, _ world: World)
    /// An impression of `ad` (explored or not) examined with probability `examination`.
    func recordImpression(ad: Int, examination: Double)
    func recordClick(ad: Int)
    /// A conversion of a click on `ad`, worth `value`, arriving after its delay.
    func recordConversion(ad: Int, value: Double)
    /// Asks for the per-ad state the placed ads' `recordImpression` will update (a tuned-kernel hint).
    func prefetchImpressions(_ request: RequestScratch, placed: Int)
    /// End of run: graduations, and the ads ever eligible for the pool among the entered ones.
    func discovery(world: World, entered: (Int) -> Bool) -> (graduations: Double, poolAds: Double)
    /// Whether the pool holds an ad (an explored request could then show one).
    var hasPool: Bool { get }
    /// The share of `draws` repetitions of `choose`, on the current state and with `stream`'s
    /// numbers instead of the explorer's own, that pick `ad` — the choice just made counted as one
    /// more draw, so the estimate is (hits + 1)/(draws + 1) > 0 (the impression log's propensity).
    func selectionProbability(of ad: Int, world: World, ledger: Ledger, draws: Int, stream: RandomStream) -> Double
}

/// No explorer: every request goes to the auction alone.
final class NoExplorer: Explorer {
    static var explores: Bool { false }
    var rate: Double { 0 }
    var slot: Int { 1 }
    var pricing: ExplorerPricing { .reserve }
    func choose(world: World, ledger: Ledger) -> Int? { nil }
    func enter(advertiser: Int, _ world: World) {}
    func recordImpression(ad: Int, examination: Double) {}
    func recordClick(ad: Int) {}
    func recordConversion(ad: Int, value: Double) {}
    func prefetchImpressions(_ request: RequestScratch, placed: Int) {}
    func discovery(world: World, entered: (Int) -> Bool) -> (graduations: Double, poolAds: Double) { (0, 0) }
    var hasPool: Bool { false }
    func selectionProbability(of ad: Int, world: World, ledger: Ledger, draws: Int, stream: RandomStream) -> Double { 0 }
}
