import Stochastics

/// The next request's traffic, drawn while the current request is handled: its arrival time,
/// cohort and user, and the first generator draw of its retrieval start.
///
/// Arrivals, users and retrieval starts come from the traffic stream in a fixed order (user,
/// start, next arrival, next user, …) and depend on nothing a request changes, so they can be
/// drawn one request early in the same order: outputs do not move. What that buys is time: the
/// current request's scan asks the caches for the next window as it goes (`WindowPrefetch`), a
/// whole request before that window is read. The start itself is finished when its request comes
/// (`RandomStream.integer(below:firstDraw:)`), because the number of active ads may change in
/// between (an advertiser enters) and GSL's mapping depends on it.
struct UpcomingRequest {
    var arrival = 0.0
    var cohort = 0
    /// The first generator draw of the retrieval start.
    var startDraw: UInt = 0
    /// Where that start will most likely be (`RandomStream.likelyInteger`), and whether that
    /// request measures merit (then its candidates' true-model rows and accounts are read too).
    var likelyStart = 0
    var measured = false
}

extension MarketSimulation {
    /// The user (into `user`), cohort and retrieval start of the request being handled, drawn
    /// when the previous request was (`drawUpcoming`; the first by `run` before the loop).
    @inline(__always)
    mutating func takeTraffic() -> (cohort: Int, start: Int) {
        user.baseAddress!.update(from: upcomingUser.baseAddress!, count: user.count)
        return (upcoming.cohort, traffic.integer(below: max(activeAds, 1), firstDraw: upcoming.startDraw))
    }

    /// Draws the next request's arrival (after `time`, the current request's), user and first
    /// start draw: the traffic stream's next values, in the order the requests would draw them.
    @inline(__always)
    mutating func drawUpcoming(after time: Double) {
        upcoming.arrival = arrivals.next(after: time, traffic)
        upcoming.cohort = users.draw(traffic, into: upcomingUser)
        upcoming.startDraw = traffic.draw()
        upcoming.likelyStart = traffic.likelyInteger(below: max(activeAds, 1), firstDraw: upcoming.startDraw)
        upcoming.measured = (requestId &+ 1) % Self.meritSampling == 0
    }
}

/// Asks the caches for the next request's window while the current one is scanned: for every
/// `step` positions scanned now, the next `step` positions of the next window — their position-
/// table entries, offers, served rows and conversion rates, and their true-model rows and accounts
/// when that request measures merit (it reads them for every candidate). Into the second-level
/// cache: the lines are read a request later.
///
/// A window of a large world starts at a random place in tables far larger than the caches; read
/// when its request comes, each stream's first lines wait on memory before the hardware's stream
/// prefetcher catches on (1.6–1.9 µs for a random 14 KB window on session 7's machine, ≈ 1 µs when
/// the previous window's reading asked for it as it went; `docs/performance.md`).
struct WindowPrefetch {
    let rank: UnsafePointer<Int32>, order: UnsafePointer<Int32>
    /// The offers and, below, the accounts: `accountCount` records each, indexed by rank.
    let offers: UnsafePointer<Offer>, accountCount: Int
    let rows: UnsafePointer<Double>, rowStride: Int
    let rates: UnsafePointer<Double>
    /// The true model's rows (stride d + 1) and the accounts, when the next request measures merit.
    let truth: UnsafePointer<Double>?, truthStride: Int
    let accounts: UnsafePointer<Account>?
    let end: Int
    private(set) var next: Int
    /// Positions asked for per call of `advance()`: eight, one line of conversion rates.
    static let step = 8

    /// Positions the position tables are asked for ahead of the offers, which need their entries.
    static let tableLead = 32

    init(from start: Int, end: Int, rank: UnsafePointer<Int32>, order: UnsafePointer<Int32>, offers: UnsafePointer<Offer>, accountCount: Int,
         rows: UnsafePointer<Double>, rowStride: Int, rates: UnsafePointer<Double>,
         truth: UnsafePointer<Double>?, truthStride: Int, accounts: UnsafePointer<Account>?) {
        self.rank = rank; self.order = order; self.offers = offers; self.accountCount = accountCount; self.rows = rows; self.rowStride = rowStride; self.rates = rates
        self.truth = truth; self.truthStride = truthStride; self.accounts = accounts; self.end = end; next = start
        var p = start
        while p < min(start + Self.tableLead, end) { prefetchForLater(rank + p); prefetchForLater(order + p); p += 16 }
    }

    /// Asks for the next `step` positions (none past `end`).
    @inline(__always)
    mutating func advance() {
        let p = next
        guard p + Self.step <= end else { return }
        // Position tables `tableLead` ahead (16 entries to a line, so every other step); the offers
        // of these positions from the table's entry for the first, which arrived meanwhile. An
        // advertiser's rank is its order of first appearance, so the step's offers follow that
        // one's (exactly so when every advertiser has one ad; the scan asks for any others).
        let lead = p + Self.tableLead
        if lead & 15 < Self.step && lead < end { prefetchForLater(rank + lead); prefetchForLater(order + lead) }
        let firstRank = Int(rank[p]), lastRank = min(firstRank + Self.step, accountCount) - 1
        prefetchForLater(offers + firstRank); prefetchForLater(offers + lastRank)
        prefetchForLater(rates + p)
        Stochastics.prefetchForLater(rows + p * rowStride, count: Self.step * rowStride)
        if let truth { Stochastics.prefetchForLater(truth + p * truthStride, count: Self.step * truthStride) }
        if let accounts { for a in firstRank...lastRank { prefetchForLater(accounts + a) } }
        next = p + Self.step
    }
}
