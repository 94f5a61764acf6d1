import Learning
import Scenario
import Stochastics

/// The latest `capacity` impressions of each owner (an ad, or a cohort), one ring per owner:
/// the support and query data of personal blocks.
///
/// A row holds the user vector, the slot's examination probability, the click, a tag naming the
/// impression's other owner (an ad ring tags rows with the cohort; a cohort ring with the ad) and
/// the time. The first four share one record (`recordStride` values), so recording an impression
/// for a random ad touches two cache lines there instead of one per field; the times sit apart,
/// owner by owner, because the usable-row counts scan them for every ad.
struct ImpressionRings {
    let capacity: Int
    let dimension: Int
    /// Per row: user (d), examination, click (0 or 1), tag.
    private let records: UnsafeMutableBufferPointer<Double>
    private let times: UnsafeMutableBufferPointer<Double>
    private let count: UnsafeMutableBufferPointer<Int32>, next: UnsafeMutableBufferPointer<Int32>
    private let memory = ScratchMemory()
    var recordStride: Int { dimension + 3 }
    /// Bytes of the rings' buffers (`RankerFootprint` is checked against it).
    var bytes: Int { memory.bytes }

    init(owners: Int, capacity: Int, dimension: Int) {
        self.capacity = capacity
        self.dimension = dimension
        records = memory.buffer(owners * capacity * (dimension + 3), filledWith: 0.0)
        times = memory.buffer(owners * capacity, filledWith: 0.0)
        count = memory.buffer(owners, filledWith: 0)
        next = memory.buffer(owners, filledWith: 0)
    }

    /// The row's user vector (valid as long as the rings).
    func user(_ row: Int) -> UnsafeBufferPointer<Double> {
        UnsafeBufferPointer(start: records.baseAddress! + row * recordStride, count: dimension)
    }
    func examination(_ row: Int) -> Double { records[row * recordStride + dimension] }
    func clicked(_ row: Int) -> Bool { records[row * recordStride + dimension + 1] > 0.5 }
    func tag(_ row: Int) -> Int { Int(records[row * recordStride + dimension + 2]) }
    private func time(_ row: Int) -> Double { times[row] }

    /// Asks for the owner's ring position and count, which `prefetchNextRow` and `record` read.
    func prefetchCounters(owner: Int) {
        prefetch(next.baseAddress! + owner)
        prefetch(count.baseAddress! + owner)
    }

    /// Asks for the lines the owner's next `record` writes: its next row's record and time.
    func prefetchNextRow(owner: Int) {
        let row = owner * capacity + Int(next[owner])
        prefetch(records.baseAddress! + row * recordStride, count: recordStride, forWriting: true)
        prefetchForWriting(times.baseAddress! + row)
    }

    /// Asks for the owner's latest `rows` records and their times (what `latestRows` and an
    /// adaptation read first).
    func prefetchLatest(owner: Int, rows: Int) {
        let n = Int(count[owner]), newest = Int(next[owner]) + capacity - 1
        for j in 0..<min(rows, n) {
            let row = owner * capacity + (newest - j) % capacity
            prefetch(records.baseAddress! + row * recordStride, count: recordStride)
        }
        prefetch(times.baseAddress! + owner * capacity, count: capacity)
    }

    /// Overwrites the owner's oldest row once its ring is full.
    func record(owner: Int, user u: UnsafeBufferPointer<Double>, tag t: Int, examination e: Double, clicked c: Bool, time now: Double) {
        let slot = Int(next[owner]), row = owner * capacity + slot, o = row * recordStride
        for k in 0..<dimension { records[o + k] = u[k] }
        records[o + dimension] = e
        records[o + dimension + 1] = c ? 1 : 0
        records[o + dimension + 2] = Double(t)
        times[row] = now
        next[owner] = Int32((slot + 1) % capacity)
        count[owner] = min(count[owner] + 1, Int32(capacity))
    }

    /// The owner's rows recorded within the last `windowHours` of `now` (all when nil), oldest first.
    func rows(owner: Int, now: Double, windowHours: Double?) -> [Int] {
        let n = Int(count[owner]), start = n < capacity ? 0 : Int(next[owner])
        let oldest = windowHours.map { now - $0 * 3600 } ?? -.infinity
        return (0..<n).map { owner * capacity + (start + $0) % capacity }.filter { time($0) >= oldest }
    }

    /// The latest `limit` of `rows(owner:now:windowHours:)`, oldest first, written to `into`
    /// (at least `limit` long); returns how many. Allocation-free.
    func latestRows(owner: Int, now: Double, windowHours: Double?, limit: Int, into out: UnsafeMutableBufferPointer<Int>) -> Int {
        let n = Int(count[owner]), start = n < capacity ? 0 : Int(next[owner])
        let oldest = windowHours.map { now - $0 * 3600 } ?? -.infinity
        var skip = max(0, usableCount(owner: owner, now: now, windowHours: windowHours) - limit), m = 0
        for j in 0..<n {
            let row = owner * capacity + (start + j) % capacity
            guard time(row) >= oldest else { continue }
            if skip > 0 { skip -= 1; continue }
            out[m] = row
            m += 1
        }
        return m
    }

    /// How many of the owner's rows are usable at `now`.
    func usableCount(owner: Int, now: Double, windowHours: Double?) -> Int {
        let n = Int(count[owner]), start = n < capacity ? 0 : Int(next[owner])
        let oldest = windowHours.map { now - $0 * 3600 } ?? -.infinity
        var usable = 0
        for j in 0..<n where time(owner * capacity + (start + j) % capacity) >= oldest { usable += 1 }
        return usable
    }

    /// The owner's usable rows shuffled by `stream` and split into a query set (up to `querySize`,
    /// at most half) and a support set (up to `supportSize` of the rest): one meta-training task.
    func task(owner: Int, now: Double, windowHours: Double?, querySize: Int, supportSize: Int,
              stream: RandomStream) -> (support: [Int], query: [Int]) {
        var r = rows(owner: owner, now: now, windowHours: windowHours)
        for i in stride(from: r.count - 1, to: 0, by: -1) { r.swapAt(i, stream.integer(below: i + 1)) }
        let q = min(querySize, r.count / 2)
        return (Array(r[q...].prefix(supportSize)), Array(r[0..<q]))
    }
}

/// The tag of a row in an adgroup's ring: the impression's cohort and which of the adgroup's ads
/// (its index from the adgroup's first ad), as cohort + cohorts × index — the cohort alone when
/// every adgroup is one ad. Shared by the click blocks and the conversion blocks.
enum AdgroupRowTag {
    static func encode(cohort: Int, adIndex: Int, cohorts: Int) -> Int { cohort + cohorts * adIndex }
    static func decode(_ tag: Int, cohorts: Int) -> (adIndex: Int, cohort: Int) { (tag / cohorts, tag % cohorts) }
}

extension MetaRankerSettings {
    /// A task's inner step sizes scale with its evidence: support rows ÷ `supportSize` (1 with a
    /// full support set).
    func stepScale(rows: Int) -> Double { min(1, Double(rows) / Double(supportSize)) }

    /// The learner of a personal-block task model with `parameters` weights (all zero at first),
    /// adapting `adapted`: the scenario's meta-learning method for a `meta` ranker; for `finetune`
    /// one that only adapts (first-order MAML, never stepped).
    func learner(metaTrained: Bool, parameters: Int, adapted: Range<Int>?) -> MetaLearner<LinearModel> {
        let method: MetaMethod = metaTrained ? MetaMethod(rawValue: self.method.rawValue) ?? .metasgd : .fomaml
        return MetaLearner(model: LinearModel(inputWidth: parameters, loss: .logistic),
                           settings: MetaSettings(method: method, innerSteps: innerSteps, innerLearningRate: innerLearningRate,
                                                  outerLearningRate: outerLearningRate, adapted: adapted),
                           parameters: Array(repeating: 0, count: parameters))
    }
}
