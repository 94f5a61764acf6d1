import Stochastics

/// The next request's traffic, drawn while the current request is handled: its arrival time,
/// cohort and user, and the first generator draw of its retrieval start.
///
/// Arrivals, users and retrieval starts come from the traffic stream in a fixed order (user,
/// start, next arrival, next user, …) and depend on nothing a request changes, so they can be
/// drawn one request early in the same order: outputs do not move. A tuned retriever uses the
/// time to ask the caches for the next window (`WindowPrefetch`). The start itself is finished
/// when its request comes (`RandomStream.integer(below:firstDraw:)`), because the number of
/// active ads may change in between (an advertiser enters) and GSL's mapping depends on it.
struct UpcomingRequest {
    var arrival = 0.0
    var cohort = 0
    /// The first generator draw of the retrieval start.
    var startDraw: UInt = 0
    /// Where that start will most likely be (`RandomStream.likelyInteger`), and whether that
    /// request measures merit (then its candidates' true-model rows and accounts are read too).
    var likelyStart = 0
    var measured = false
    /// The next request's user features.
    let user: UnsafeMutableBufferPointer<Double>

    init(dimension: Int, memory: ScratchMemory) {
        user = memory.buffer(dimension, filledWith: 0.0)
    }
}

extension MarketSimulation {
    /// The user (into the request's scratch), cohort and retrieval start of the request being
    /// handled, drawn when the previous request was (`drawUpcoming`; the first by `run` before the loop).
    @inline(__always)
    mutating func takeTraffic() -> (cohort: Int, start: Int) {
        request.user.baseAddress!.update(from: upcoming.user.baseAddress!, count: request.user.count)
        return (upcoming.cohort, traffic.integer(below: max(activeAds, 1), firstDraw: upcoming.startDraw))
    }

    /// Draws the next request's arrival (after `time`, the current request's), user and first
    /// start draw: the traffic stream's next values, in the order the requests would draw them.
    @inline(__always)
    mutating func drawUpcoming(after time: Double) {
        upcoming.arrival = arrivals.next(after: time, traffic)
        upcoming.cohort = users.draw(traffic, into: upcoming.user)
        upcoming.startDraw = traffic.draw()
        upcoming.likelyStart = traffic.likelyInteger(below: max(activeAds, 1), firstDraw: upcoming.startDraw)
        upcoming.measured = (requestId &+ 1) % Self.meritSampling == 0
    }
}
