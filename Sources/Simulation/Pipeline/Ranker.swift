import Marketplace

/// The ranker stage: predicts each candidate's click and conversion rates for the request's user
/// (what the auction ranks on), and learns from what was shown (`LearnerFeedback`).
///
/// The contract, for a new kind:
/// - `prepare(user:cohort:)` runs once per request, then `score(_:_:kernel:)` writes
///   `request.predicted[i]` (the click rate in a fully examined slot, in [0, 1]) and
///   `request.predictedCVR[i]` (conversions per click) for every `i` in the range, reading
///   `request.candidates[i]` (the ad) and `request.candidatePosition[i]` (its retrieval position).
///   A candidate admitted late (an exposure-floor ad) is scored alone, with a one-element range,
///   and must get the bits it would get in a batch.
/// - Scoring writes nothing else, allocates nothing and draws no random numbers: policies face the
///   same traffic only if no ranker consumes a shared stream.
/// - A ranker whose `ranksOnTruth` is true is scored after the engine has put every candidate's true
///   click rate in `request.trueRate` (the oracle copies it).
/// - `kernel` offers the scoring primitives (`Kernel.linearScores`); a ranker may ignore it.
///
/// Adding a kind: one conforming type, its `RankerKind` case and parser (Scenario/PolicyReader.swift),
/// and one line in `CellFactory.run` (docs/architecture.md walks through it).
protocol Ranker: LearnerFeedback {
    /// Whether the ranker ranks on the true rates (the oracle).
    static var ranksOnTruth: Bool { get }
    /// Folds the request's user (and cohort) into whatever `score` reads per candidate.
    func prepare(user: UnsafeBufferPointer<Double>, cohort: Int)
    /// Predicted click and conversion rates of the candidates in `range` (see the contract above).
    func score<K: Kernel>(_ request: RequestScratch, _ range: Range<Int>, kernel: K.Type)
    /// The per-position rows `score` reads, for the tuned kernel's prefetches (nil: none).
    var servedRows: ServedRows? { get }
    /// Hours between re-adaptations (`adapt(now:)`); nil when the ranker never adapts between model updates.
    var adaptEveryHours: Double? { get }
    /// The re-adaptation tick: personal blocks of ads with fresh feedback adapt.
    func adapt(now: Double)
    /// An advertiser enters the market at `now`.
    func enter(advertiser: Int, now: Double)
    /// Asks for what `recordImpression` will touch first for `ad` (a tuned-kernel hint; no effect on values).
    func prefetchImpression(ad: Int)
    /// Asks for the lines `recordImpression` will write for `ad`, a step after `prefetchImpression`.
    func prefetchRecord(ad: Int)
    /// Whether `score` also writes `request.predictedValue` (a learned order-value model).
    var predictsValues: Bool { get }
}

extension Ranker {
    static var ranksOnTruth: Bool { false }
    var servedRows: ServedRows? { nil }
    var adaptEveryHours: Double? { nil }
    func adapt(now: Double) {}
    func enter(advertiser: Int, now: Double) {}
    func prefetchImpression(ad: Int) {}
    func prefetchRecord(ad: Int) {}
    var predictsValues: Bool { false }
}

/// Learner feedback: what a learning stage is told of each impression, click and conversion, and
/// when the engine's model-update tick comes. Feedback arrives in event order: a click at its
/// impression's instant, a conversion after its delay.
protocol LearnerFeedback: AnyObject {
    /// Whether the learner wants impressions at all (false: the engine skips the calls).
    static var learns: Bool { get }
    /// An impression of `ad` examined with probability `examination`; `logged` is false once no
    /// later model update will read the log (the engine knows the schedule).
    func recordImpression(ad: Int, user: UnsafeBufferPointer<Double>, cohort: Int, examination: Double, clicked: Bool,
                          time: Double, logged: Bool)
    /// A click on `ad`, shown at retrieval `position`.
    func recordClick(ad: Int, position: Int)
    /// A conversion of a click on `ad`.
    func recordConversion(ad: Int)
    /// Whether the learner wants `recordClickOutcome` (a learned conversion model).
    var learnsConversions: Bool { get }
    /// A click by `user` of `cohort` on `ad` at `time`, with the time its conversion will arrive (∞:
    /// none) and the order's value. A learner must not use the outcome before `conversionTime`.
    func recordClickOutcome(ad: Int, user: UnsafeBufferPointer<Double>, cohort: Int, time: Double, conversionTime: Double, value: Double)
    /// The model-update tick: train on the feedback since the last tick. `trainingSeed` and
    /// `metaSeed` key this tick's random streams.
    func modelUpdate(now: Double, trainingSeed: UInt64, metaSeed: UInt64)
}

extension LearnerFeedback {
    static var learns: Bool { true }
    func recordImpression(ad: Int, user: UnsafeBufferPointer<Double>, cohort: Int, examination: Double, clicked: Bool,
                          time: Double, logged: Bool) {}
    func recordClick(ad: Int, position: Int) {}
    func recordConversion(ad: Int) {}
    var learnsConversions: Bool { false }
    func recordClickOutcome(ad: Int, user: UnsafeBufferPointer<Double>, cohort: Int, time: Double, conversionTime: Double, value: Double) {}
    func modelUpdate(now: Double, trainingSeed: UInt64, metaSeed: UInt64) {}
}

/// A ranker's serving tables as the tuned kernel reads them: `stride` values per retrieval
/// position from `rows`, and one conversion rate per position from `rates`.
struct ServedRows {
    let rows: UnsafePointer<Double>
    let stride: Int
    let rates: UnsafePointer<Double>
}
