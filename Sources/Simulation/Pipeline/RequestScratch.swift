/// The per-request scratch every stage reads and writes: one home for a request's buffers,
/// allocated once at start-up (in `ScratchMemory`), so a request allocates nothing.
///
/// Candidate `i` (`0 ..< count`, the count retrieval returns) is the ad `candidates[i]` at
/// retrieval position `candidatePosition[i]` (`World.adPosition`, the key of the ranker's and the
/// true model's per-position tables), bidding `bids[i]`. Stages fill the rest in order: the ranker
/// `predicted` and `predictedCVR`, the response model `trueRate` (for every candidate when the
/// ranker ranks on truth or the request measures merit, else for the placed ones), the engine
/// `quality` (what a click is worth to the objective), the placement the `placed…` arrays (slot by
/// slot: the candidate, its price per click, whether the explorer put it there).
struct RequestScratch {
    /// The request's user features.
    let user: UnsafeMutableBufferPointer<Double>
    let candidates: UnsafeMutableBufferPointer<Int>
    let candidatePosition: UnsafeMutableBufferPointer<Int>
    let bids: UnsafeMutableBufferPointer<Double>
    let quality: UnsafeMutableBufferPointer<Double>
    let predicted: UnsafeMutableBufferPointer<Double>
    let predictedCVR: UnsafeMutableBufferPointer<Double>
    /// True click rate of each candidate for this request's user (scored once, reused for responses).
    let trueRate: UnsafeMutableBufferPointer<Double>
    /// The request's merit per group (tiers, then new advertisers): true merit, estimated merit
    /// and candidate count, one group-length run each.
    let requestMerit: UnsafeMutableBufferPointer<Double>
    let placedCandidate: UnsafeMutableBufferPointer<Int>
    let placedPrice: UnsafeMutableBufferPointer<Double>
    let placedExplored: UnsafeMutableBufferPointer<Bool>
    /// The placed ads' true click rates, while the kernel computes them.
    let placedRate: UnsafeMutableBufferPointer<Double>
    /// Expected order value per conversion of each candidate, written only by a ranker with a learned
    /// value model (`Ranker.predictsValues`); otherwise a conversion is worth the declared value.
    let predictedValue: UnsafeMutableBufferPointer<Double>

    /// Room for `maxCandidates` retrieved candidates, one the explorer brings, one per slot an
    /// exposure floor brings.
    init(dimension: Int, maxCandidates: Int, slots: Int, groups: Int, memory: ScratchMemory) {
        let size = maxCandidates + 1 + slots
        user = memory.buffer(dimension, filledWith: 0.0)
        candidates = memory.buffer(size, filledWith: 0)
        candidatePosition = memory.buffer(size, filledWith: 0)
        bids = memory.buffer(size, filledWith: 0.0)
        quality = memory.buffer(size, filledWith: 0.0)
        predicted = memory.buffer(size, filledWith: 0.0)
        trueRate = memory.buffer(size, filledWith: 0.0)
        predictedCVR = memory.buffer(size, filledWith: 0.0)
        requestMerit = memory.buffer(3 * groups, filledWith: 0.0)
        placedCandidate = memory.buffer(slots, filledWith: 0)
        placedPrice = memory.buffer(slots, filledWith: 0.0)
        placedExplored = memory.buffer(slots, filledWith: false)
        placedRate = memory.buffer(slots, filledWith: 0.0)
        predictedValue = memory.buffer(size, filledWith: 0.0)
    }

    /// Candidate places there are room for.
    var capacity: Int { candidates.count }
}
