/// Asks the caches for the next request's window while the current one is scanned: for every
/// `step` positions scanned now, the next `step` positions of the next window — their position-
/// table entries, offers, served rows and conversion rates, and their true-model rows and accounts
/// when that request measures merit (it reads them for every candidate). Into the second-level
/// cache: the lines are read a request later.
///
/// A window of a large world starts at a random place in tables far larger than the caches; read
/// when its request comes, each stream's first lines wait on memory before the hardware's stream
/// prefetcher catches on. The engine draws the next request's traffic a request early
/// (`UpcomingRequest`) so the start is known in time.
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
        prefetchForLater(rows + p * rowStride, count: Self.step * rowStride)
        if let truth { prefetchForLater(truth + p * truthStride, count: Self.step * truthStride) }
        if let accounts { for a in firstRank...lastRank { prefetchForLater(accounts + a) } }
        next = p + Self.step
    }
}
