import Marketplace
import Scenario
import Stochastics

/// Purposes of counter-based uniforms, mixed into the ad counter so they never collide.
enum UniformPurpose: UInt64 {
    case click = 0, conversion = 1, conversionDelay = 2, throttle = 3
}

/// Counter of the uniform that picks where the exposure floor starts looking in its group's ads.
let floorCounter: UInt64 = 0xFFFF_FFFF_FFFF_FFE0

/// Base of the request-level counters used by popularity retrieval (two uniforms per draw).
let retrievalCounter: UInt64 = 0xFFFF_FFFF_FFFF_0000

/// Counter of the request-level uniform that decides whether a request is explored (outside the
/// range of ad counters, so it never collides with a per-ad uniform).
let explorationCounter: UInt64 = 0xFFFF_FFFF_FFFF_FFF0

extension MarketSimulation {
    /// One request: user → retrieval → ranking → auction → responses → metrics.
    ///
    /// Allocation-free: every buffer was sized at start-up.
    mutating func handleRequest() {
        requestId &+= 1
        metrics.requests += 1
        let (cohort, start) = takeTraffic()
        drawUpcoming(after: queue.now)
        guard activeAds > 0 else { return }
        var n = retrieve(start: start)
        // The explorer claims a slot in a keyed share of requests: the same requests under every
        // policy with the same rate, and nested across rates.
        var explored = -1
        if explorer != nil, response.uniform(requestId, explorationCounter) < explorer!.settings.rate,
           let ad = explorer!.choose(world: world, accounts: accounts) {
            explored = admit(ad, count: &n)
        }
        guard n > 0 else { return }
        let objective = policy.objective ?? scenario.cohorts[cohort].objective
        let hour = Int(queue.now / 3600)
        fairness.requests += 1
        fairness.refreshCalibration(hour: hour)
        if let ranker {
            ranker.prepare(user: UnsafeBufferPointer(user), cohort: cohort)
            ranker.score(UnsafeBufferPointer(rebasing: candidatePosition[0..<n]),
                         ctr: UnsafeMutableBufferPointer(rebasing: predicted[0..<n]), cvr: UnsafeMutableBufferPointer(rebasing: predictedCVR[0..<n]))
        }
        // True click rates: for every candidate when they rank (the oracle) or when this request
        // measures merit; otherwise only for the ads placed (below), which need them for responses.
        let measured = requestId % Self.meritSampling == 0
        if ranker == nil || measured { scoreTruth(count: n) }
        // Candidate by candidate only where something reads or changes the rates: the oracle ranks
        // on the true ones, a measured request sums merit, a tier calibration rescales.
        if ranker == nil || measured || fairness.calibrates {
            for i in 0..<n { rate(i, measured: measured) }
        }
        setQuality(0..<n, objective: objective)
        if measured { flushMerit(hour: hour) }
        metrics.auctions += 1
        metrics.candidatesScored += n
        if case .fairco(let lambda, let merit) = fairness.control { applyFairCo(count: n, lambda: lambda, estimated: merit == .estimated) }
        var exploredBid = 0.0
        if explored >= 0 { exploredBid = bids[explored]; bids[explored] = 0 }
        let filled = runAuction(count: n)
        var placed = place(filled: filled, explored: explored, exploredBid: exploredBid)
        if fairness.floorGroup != nil { placed = enforceFloor(placed: placed, count: &n, hour: hour, objective: objective, measured: measured) }
        if prefetching { prefetchImpressions(placed) }
        if ranker != nil && !measured { scoreTruthPlaced(placed) }
        respond(placed: placed, cohort: cohort)
    }

    /// Asks for the per-advertiser and per-ad records the `placed` impressions will update (their
    /// tallies, the explorer's state of the ad, and their ring positions under personal blocks,
    /// which `respond` then reads to ask for the rows): in large marketplaces each is a cache miss
    /// for a random ad, and asked for together they overlap. The blocks and the explorer are
    /// called unretained (`ranker` and `explorer` keep them alive; see `respond`).
    @inline(__always)
    func prefetchImpressions(_ placed: Int) {
        let personal = ranker?.personal.map { Unmanaged.passUnretained($0) }
        for r in 0..<placed {
            let slot = placedCandidate[r], ad = candidates[slot]
            prefetch(tallies.baseAddress! + Int(positionRanks[candidatePosition[slot]]))
            prefetch(adTallies.baseAddress! + ad)
            personal?._withUnsafeGuaranteedRef { $0.prefetchRecordCounters(ad: ad) }
        }
        explorer.map { Unmanaged.passUnretained($0) }?._withUnsafeGuaranteedRef {
            $0.prefetchImpressions(placed: placed, candidates: candidates, placedCandidate: placedCandidate)
        }
    }

    /// Eligible candidates from a window of the shuffled retrieval order: budget left, not
    /// throttled, one ad per advertiser, at most `maxCandidates`, scanning at most 4× that.
    /// (Popularity retrieval draws the scanned positions instead of stepping through a window.)
    mutating func retrieve(start: Int) -> Int {
        let limit = scenario.placement.maxCandidates
        let scanLimit = min(activeAds, 4 * limit)
        let throttle = scenario.pacing.kind == .throttle
        let rank = UnsafeBufferPointer(positionRanks), order = UnsafeBufferPointer(positionAds)
        var n = 0
        if !popularityIndex.isEmpty {
            var scanned = 0
            while n < limit && scanned < scanLimit {
                let k = retrievalCounter + 2 * UInt64(scanned)
                let position = popularityIndex.draw(response.uniform(requestId, k), response.uniform(requestId, k + 1))
                consider(position, rank: rank, order: order, throttle: throttle, count: &n)
                scanned += 1
            }
            return n
        }
        // The offer and the ranker's served row `prefetchDistance` places on, asked for as the scan
        // goes: the window starts at a random place, and their reads stalled before the hardware
        // caught the streams. Only in worlds too large for the caches. And, when the window's
        // tables outgrow the last-level cache, the next request's window, step by step as this
        // one is scanned.
        var ahead: WindowPrefetch? = nil
        guard let served, prefetching else {
            scanWindow(from: start, rank: rank, order: order, throttle: throttle, prefetching: prefetching, rows: nil,
                       ahead: &ahead, count: &n)
            return n
        }
        guard windowsOutgrowCache else {
            scanWindow(from: start, rank: rank, order: order, throttle: throttle, prefetching: true,
                       rows: (served.rows, served.stride), ahead: &ahead, count: &n)
            return n
        }
        let truth = world.truth
        truth.withUnsafeBufferPointer { t in
            ahead = WindowPrefetch(from: upcoming.likelyStart, end: activeAds, rank: rank.baseAddress!, order: order.baseAddress!,
                                   offers: UnsafePointer(offers.baseAddress!), accountCount: offers.count,
                                   rows: served.rows, rowStride: served.stride, rates: served.rates,
                                   truth: upcoming.measured ? t.baseAddress! : nil, truthStride: world.truthStride,
                                   accounts: upcoming.measured ? UnsafePointer(accounts.baseAddress!) : nil)
            scanWindow(from: start, rank: rank, order: order, throttle: throttle, prefetching: true,
                       rows: (served.rows, served.stride), ahead: &ahead, count: &n)
        }
        return n
    }

    /// Candidates from the window of retrieval positions starting at `start`, wrapping at
    /// `activeAds` (stepped, not divided: a division per scanned ad was a tenth of retrieval).
    /// When `prefetching`, the offer `prefetchDistance` positions ahead is asked for, and its
    /// served row in `rows` if there are any.
    @inline(__always)
    mutating func scanWindow(from start: Int, rank: UnsafeBufferPointer<Int32>, order: UnsafeBufferPointer<Int32>, throttle: Bool,
                             prefetching: Bool, rows: (base: UnsafePointer<Double>, stride: Int)?, ahead: inout WindowPrefetch?,
                             count n: inout Int) {
        let limit = scenario.placement.maxCandidates
        let activeAds = activeAds, scanLimit = min(activeAds, 4 * limit)
        var position = start, scanned = 0
        while n < limit && scanned < scanLimit {
            if prefetching && position + Self.prefetchDistance < activeAds {
                Stochastics.prefetch(offers.baseAddress! + Int(rank[position + Self.prefetchDistance]))
                if let rows { Stochastics.prefetch(rows.base + (position + Self.prefetchDistance) * rows.stride, count: rows.stride) }
            }
            if scanned & (WindowPrefetch.step - 1) == 0 { ahead?.advance() }
            consider(position, rank: rank, order: order, throttle: throttle, count: &n)
            scanned += 1
            position += 1
            if position == activeAds { position = 0 }
        }
    }

    /// Above this many active ads, retrieval prefetches offers and served rows ahead of its scan.
    static let prefetchAds = 4096

    /// Whether the tables a window reads — per ad its served row, true-model row and conversion
    /// rate, its offer and its two position-table entries — outgrow `windowCacheBytes`: then each
    /// request's scan also asks for the next request's window (`WindowPrefetch`). Below that the
    /// extra requests cost more than they save (marketplace-10k, ≈ 3 MB of tables: 0.91×).
    var windowsOutgrowCache: Bool {
        let perAd = 8 * ((served?.stride ?? 0) + world.truthStride + 1) + MemoryLayout<Offer>.stride + 2 * 4
        return activeAds * perAd > Self.windowCacheBytes
    }

    /// The last-level cache of this machine kind (32 MiB, `lscpu`; `sysconf` reports the host's).
    static let windowCacheBytes = 32 << 20

    /// Whether the world has outgrown the caches (`prefetchAds`): then retrieval, placement and
    /// `respond` ask for the records they will touch ahead of use.
    var prefetching: Bool { activeAds > Self.prefetchAds }

    /// How far ahead of the scan (in positions) its offers and served rows are asked for: 16 until
    /// the next window was asked for a request ahead (`WindowPrefetch`; session 6: 8 → 16 +7% on
    /// million-advertisers); since then the lines are mostly in the second-level cache, and
    /// 4–12 measure alike (million 217k–225k auctions/s, 10k unchanged).
    static let prefetchDistance = 8


    /// Takes the ad at retrieval `position` as candidate `n` (and counts it) if its advertiser can
    /// pay, has no candidate in this request yet and, under throttling, participates.
    @inline(__always)
    mutating func consider(_ position: Int, rank: UnsafeBufferPointer<Int32>, order: UnsafeBufferPointer<Int32>,
                           throttle: Bool, count n: inout Int) {
        let a = Int(rank[position])
        let offer = offers[a]
        if offer.seenAt == requestId || offer.bid < 0 { return }
        if throttle {
            let adv = Int(world.positionAdvertiser[position])
            if response.uniform(requestId, UInt64(adv) << 2 | UniformPurpose.throttle.rawValue) >= throttles[a].participation { return }
        }
        offers[a].seenAt = requestId
        candidates[n] = Int(order[position])
        candidatePosition[n] = position
        bids[n] = offer.bid
        n += 1
    }

    /// Makes the explorer's ad a candidate: it replaces its advertiser's retrieved ad if there is
    /// one, else joins the list in the spare place. Returns its candidate position.
    mutating func admit(_ ad: Int, count n: inout Int) -> Int {
        let adv = Int(world.adAdvertiser[ad]), a = world.rank(of: adv)
        let position: Int
        if offers[a].seenAt == requestId, let i = (0..<n).first(where: { Int(world.adAdvertiser[candidates[$0]]) == adv }) {
            position = i
        } else {
            position = n
            n += 1
            offers[a].seenAt = requestId
        }
        candidates[position] = ad
        candidatePosition[position] = Int(world.adPosition[ad])
        bids[position] = accounts[a].auctionBid
        return position
    }

    /// True click rates of candidates `0..<n` for this request's user (`trueRate`), read from the
    /// world's retrieval-order table: the logits first, then one `VectorLogistic` pass.
    mutating func scoreTruth(count n: Int) {
        let d = world.dimension
        world.truth.withUnsafeBufferPointer { t in
            for i in 0..<n { trueRate[i] = trueLogit(candidate: i, truth: t, dimension: d) }
        }
        VectorLogistic.apply(UnsafeMutableBufferPointer(rebasing: trueRate[0..<n]))
    }

    /// True click rates of the `placed` ads (`trueRate`), when the request scored no others: their
    /// logits, then one `VectorLogistic` pass — the bits `scoreTruth(candidate:)` gives each.
    mutating func scoreTruthPlaced(_ placed: Int) {
        let d = world.dimension
        world.truth.withUnsafeBufferPointer { t in
            // All the placed ads' rows and accounts asked for first, so their misses overlap.
            for r in 0..<placed {
                let p = candidatePosition[placedCandidate[r]]
                prefetch(t.baseAddress! + p * (d + 1))
                prefetch(t.baseAddress! + p * (d + 1) + d)
                prefetch(accounts.baseAddress! + Int(positionRanks[p]))
            }
            for r in 0..<placed { placedRate[r] = trueLogit(candidate: placedCandidate[r], truth: t, dimension: d) }
        }
        VectorLogistic.apply(UnsafeMutableBufferPointer(rebasing: placedRate[0..<placed]))
        for r in 0..<placed { trueRate[placedCandidate[r]] = placedRate[r] }
    }

    /// The true click logit of candidate `i` for this request's user, from the world's
    /// retrieval-order table `t` (the advertiser's drift included; `drift`).
    @inline(__always)
    mutating func trueLogit(candidate i: Int, truth t: UnsafeBufferPointer<Double>, dimension d: Int) -> Double {
        let p = candidatePosition[i]
        return World.trueLogit(position: p, truth: t, user: UnsafeBufferPointer(user), drift: drift(position: p), dimension: d)
    }

    /// The click-logit drift of the advertiser of the ad at retrieval `position`: read from its
    /// account when the scenario's truth drifts, else the 0 every account holds then (same value,
    /// without a cache miss for each candidate of a measured request in a large world).
    @inline(__always)
    func drift(position: Int) -> Double {
        drifts ? accounts[Int(positionRanks[position])].drift : 0
    }

    /// The true click rate of candidate `i` alone (one admitted late): the same bits as
    /// `scoreTruth(count:)` gives it.
    mutating func scoreTruth(candidate i: Int) {
        trueRate[i] = world.clickProbability(ad: candidates[i], user: UnsafeBufferPointer(user), drift: drift(position: candidatePosition[i]))
    }

    /// Rates of a candidate admitted after the request's batch (an exposure-floor ad), scored
    /// alone the way the batch was: true rate, then the ranker's prediction if there is one.
    mutating func scoreLate(_ i: Int) {
        scoreTruth(candidate: i)
        ranker?.score(UnsafeBufferPointer(rebasing: candidatePosition[i...i]),
                      ctr: UnsafeMutableBufferPointer(rebasing: predicted[i...i]), cvr: UnsafeMutableBufferPointer(rebasing: predictedCVR[i...i]))
    }

    /// The rates candidate `i` is ranked on (`predicted`, `predictedCVR`), finished: under the
    /// oracle they are the true ones (`scoreTruth` must have run); a learned ranker must already
    /// have written its predictions. On a `measured` request, also accumulates the candidate's
    /// true and estimated merit (bid × click rate) for its groups. Applies a tier calibration
    /// when the policy has one.
    @inline(__always)
    mutating func rate(_ i: Int, measured: Bool) {
        let a = Int(positionRanks[candidatePosition[i]])
        let trueCTR = trueRate[i]
        if ranker == nil {
            predicted[i] = trueCTR
            predictedCVR[i] = world.conversionProbability(advertiser: Int(world.positionAdvertiser[candidatePosition[i]]))
        }
        var ctr = predicted[i]
        let tier = Int(accounts[a].tier)
        if measured {
            let account = accounts[a], groups = fairness.tiers + 1
            let trueMerit = account.bid * trueCTR, estimatedMerit = account.bid * ctr
            requestMerit[tier] += trueMerit
            requestMerit[groups + tier] += estimatedMerit
            requestMerit[2 * groups + tier] += 1
            if account.isNew {
                requestMerit[groups - 1] += trueMerit
                requestMerit[2 * groups - 1] += estimatedMerit
                requestMerit[3 * groups - 1] += 1
            }
        }
        if case .tierCalibrated = fairness.control { ctr = min(ctr * fairness.calibration[tier], 1) }
        predicted[i] = ctr
    }

    /// Auction quality of candidates `range` — what one click is worth to the objective — from
    /// their rates: one loop per objective, no per-candidate branch.
    mutating func setQuality(_ range: Range<Int>, objective: Objective) {
        switch objective {
        case .clicks:
            for i in range { quality[i] = predicted[i] }
        case .conversions:
            for i in range { quality[i] = predicted[i] * predictedCVR[i] }
        case .orderValue:
            for i in range {
                quality[i] = predicted[i] * predictedCVR[i] * world.valuePerConversion[Int(world.positionAdvertiser[candidatePosition[i]])]
            }
        }
    }

    /// Adds the merit the request's scored candidates accumulated (`requestMerit`) to the run's
    /// totals and hourly series, once per request rather than once per candidate, and clears it.
    mutating func flushMerit(hour: Int) {
        let groups = fairness.tiers + 1
        for g in 0..<groups where requestMerit[2 * groups + g] > 0 {
            let trueValue = requestMerit[g], estimatedValue = requestMerit[groups + g], count = requestMerit[2 * groups + g]
            fairness.meritTrue[g] += trueValue
            fairness.meritEstimated[g] += estimatedValue
            fairness.meritCount[g] += count
            let cell = hourly.index(hour: hour, group: g)
            metrics.hourlyMeritTrue[cell] += trueValue
            metrics.hourlyMeritEstimated[cell] += estimatedValue
            metrics.hourlyMeritCount[cell] += count
            requestMerit[g] = 0; requestMerit[groups + g] = 0; requestMerit[2 * groups + g] = 0
        }
    }

    /// FairCo: raise each candidate's ranking score b·q by λ · s̄ · err(tier), s̄ the request's mean
    /// score, by raising its quality factor (so GSP prices use the adjusted score too).
    mutating func applyFairCo(count n: Int, lambda: Double, estimated: Bool) {
        fairness.faircoErrors(estimated: estimated, into: &faircoErrors)
        var mean = 0.0
        for i in 0..<n { mean += bids[i] * quality[i] }
        mean /= Double(n)
        for i in 0..<n where bids[i] > 0 {
            let tier = Int(world.advertiserTier[Int(world.adAdvertiser[candidates[i]])])
            quality[i] += lambda * mean * faircoErrors[tier] / bids[i]
        }
    }

    /// Exposure floor: while the window's share of the floor group (counting this request) is
    /// below the floor, put the group's best unplaced candidate into the cheapest place — an empty
    /// slot first, then the lowest slot held by a regular winner outside the group — priced at
    /// the displaced winner's price (or the reserve), never above its own bid. When retrieval
    /// brought no usable group ad, one is fetched from the group's ads (the first with budget
    /// left in a keyed random window of at most 32), so the floor holds whenever the group can pay.
    mutating func enforceFloor(placed: Int, count n: inout Int, hour: Int, objective: Objective, measured: Bool) -> Int {
        guard let g = fairness.floorGroup else { return placed }
        func inGroup(_ i: Int) -> Bool {
            let adv = Int(world.adAdvertiser[candidates[i]])
            return g == fairness.tiers ? world.isNew[adv] : Int(world.advertiserTier[adv]) == g
        }
        let window = fairness.window(hour: hour)
        var k = placed, requestTotal = 0.0, requestGroup = 0.0
        for r in 0..<k {
            requestTotal += examination[r]
            if inGroup(placedCandidate[r]) { requestGroup += examination[r] }
        }
        while window.group + requestGroup < fairness.floorShare * (window.total + requestTotal) {
            var best = -1, bestScore = 0.0
            for i in 0..<n where inGroup(i) && bids[i] > 0 && bids[i] * quality[i] > bestScore {
                if (0..<k).contains(where: { placedCandidate[$0] == i }) { continue }
                best = i; bestScore = bids[i] * quality[i]
            }
            if best < 0, n < candidates.count, let ad = fetchFloorAd() {
                best = admit(ad, count: &n)
                scoreLate(best)
                rate(best, measured: measured)
                setQuality(best..<(best + 1), objective: objective)
                if measured { flushMerit(hour: hour) }
                if (0..<k).contains(where: { placedCandidate[$0] == best }) || bids[best] <= 0 { break }
            }
            guard best >= 0 else { break }
            if k < examination.count {
                placedCandidate[k] = best; placedPrice[k] = min(bids[best], scenario.auction.reserve); placedExplored[k] = false
                requestTotal += examination[k]; requestGroup += examination[k]
                k += 1
                continue
            }
            guard let slot = (0..<k).reversed().first(where: { !placedExplored[$0] && !inGroup(placedCandidate[$0]) }) else { break }
            placedCandidate[slot] = best
            placedPrice[slot] = min(bids[best], placedPrice[slot])
            requestGroup += examination[slot]
        }
        return k
    }

    /// An ad of the floor group whose advertiser can pay and has no candidate in this request yet.
    mutating func fetchFloorAd() -> Int? {
        let pool = fairness.floorPool
        guard !pool.isEmpty else { return nil }
        let start = Int(response.uniform(requestId, floorCounter) * Double(pool.count))
        for j in 0..<min(pool.count, 32) {
            let ad = pool[(start + j) % pool.count], adv = Int(world.adAdvertiser[ad])
            let a = world.rank(of: adv)
            if accounts[a].entered && offers[a].seenAt != requestId && accounts[a].canPay { return ad }
        }
        return nil
    }

    mutating func runAuction(count n: Int) -> Int {
        examination.withUnsafeBufferPointer { w in
            auction.run(scenario.auction.mechanism, reserve: scenario.auction.reserve,
                        bids: UnsafeBufferPointer(rebasing: bids[0..<n]), quality: UnsafeBufferPointer(rebasing: quality[0..<n]),
                        weights: w)
        }
    }

    /// Slot assignments: the auction's winners in order, with the explored candidate (if any)
    /// inserted at the explorer's slot (or the first free slot above it), pushing later winners
    /// down; the last regular winner drops out when all slots are taken.
    mutating func place(filled: Int, explored: Int, exploredBid: Double) -> Int {
        let slots = examination.count
        guard explored >= 0, let settings = explorer?.settings else {
            for r in 0..<filled {
                placedCandidate[r] = auction.winners[r]
                placedPrice[r] = auction.prices[r]
                placedExplored[r] = false
            }
            return filled
        }
        let at = min(settings.slot - 1, filled)
        let reserve = scenario.auction.reserve
        let price: Double
        switch settings.pricing {
        case .auction: price = min(exploredBid, at < filled ? auction.prices[at] : reserve)
        case .reserve: price = min(exploredBid, reserve)
        case .free: price = 0
        }
        var k = 0
        for r in 0...filled where k < slots {
            if r == at {
                placedCandidate[k] = explored; placedPrice[k] = price; placedExplored[k] = true
                k += 1
            }
            if r < filled && k < slots {
                placedCandidate[k] = auction.winners[r]; placedPrice[k] = auction.prices[r]; placedExplored[k] = false
                k += 1
            }
        }
        return k
    }

    /// Shows the placed ads, draws clicks and conversions from the true model, schedules charges.
    mutating func respond(placed: Int, cohort: Int) {
        let hour = Int(queue.now / 3600)
        let newGroup = metrics.tierCount
        let hourBase = hourly.index(hour: hour, group: 0)
        for g in 0...newGroup { hourly.activeAds[hourBase + g] = fairness.activeAds[g] }
        let delayMean = scenario.truth.conversionDelayHours * 3600
        // Taken once per request (one retain each) rather than once per impression. The personal
        // blocks are called unretained (`ranker` keeps them alive): a retain and release around
        // each `record` call was an atomic operation that waited for the call's stores to a
        // random ad's ring to reach the cache (`swift_release` 3.4% of `marketplace-10k`).
        let ranker = self.ranker, explorer = self.explorer
        let personal = ranker?.personal.map { Unmanaged.passUnretained($0) }
        // Every placed ad's ring row asked for before the first is written, so their misses
        // overlap (their ring positions were asked for by `prefetchImpressions`).
        if let personal, prefetching { for r in 0..<placed { personal._withUnsafeGuaranteedRef { $0.prefetchRecord(ad: candidates[placedCandidate[r]]) } } }
        for r in 0..<placed {
            let slot = placedCandidate[r], position = candidatePosition[slot]
            // The account through retrieval's position table (in cache since the scan); the
            // advertiser's number only where it is needed (a new advertiser, a click).
            let ad = candidates[slot]
            let a = Int(positionRanks[position]), account = accounts[a]
            let tier = Int(account.tier), isNew = account.isNew
            let e = examination[r]
            let trueCTR = trueRate[slot]
            let adKey = UInt64(ad) << 2
            let clicked = response.uniform(requestId, adKey | UniformPurpose.click.rawValue) < e * trueCTR
            tallies[a].impressions += 1
            adTallies[ad].logged += 1
            hourly.cohortImpressions[cohort] += 1
            metrics.expectedClicks += e * trueCTR
            if placedExplored[r] { metrics.exploredImpressions += 1 } else { adTallies[ad].regular += 1 }
            explorer?.recordImpression(ad: ad, examination: e)
            tallies[a].exposure += e
            hourly.add(e, to: hourly.exposure, hour: hour, tier: tier, isNew: isNew)
            fairness.exposure[tier] += e
            if isNew { fairness.exposure[newGroup] += e }
            if let g = fairness.floorGroup {
                fairness.addToWindow(hour: hour, groupExposure: (g == newGroup ? isNew : tier == g) ? e : 0, totalExposure: e)
            }
            if case .tierCalibrated = fairness.control {
                fairness.calibrationPredicted[tier] += e * predicted[slot] / fairness.calibration[tier]
                if clicked { fairness.calibrationClicks[tier] += 1 }
            }
            metrics.prediction[tier].record(e * predicted[slot], outcome: clicked)
            if isNew {
                metrics.prediction[newGroup].record(e * predicted[slot], outcome: clicked)
                let age = min(Int((queue.now - world.entryTime[Int(world.positionAdvertiser[position])]) / 3600), metrics.rampImpressions.count - 1)
                metrics.rampImpressions[age] += 1
            }
            if ranker != nil {
                let u = UnsafeBufferPointer(user)
                if feedbackWanted { feedback.append(ad: ad, user: u, cohort: cohort, examination: e, clicked: clicked) }
                let now = queue.now
                personal?._withUnsafeGuaranteedRef { $0.record(ad: ad, user: u, cohort: cohort, examination: e, clicked: clicked, time: now) }
            }
            guard clicked else { continue }
            hourly.cohortClicks[cohort] += 1
            queue.schedule(at: queue.now, .click(ad: Int32(ad), position: Int32(position), price: placedPrice[r]))
            if response.uniform(requestId, adKey | UniformPurpose.conversion.rawValue)
                < world.conversionProbability(advertiser: Int(world.positionAdvertiser[position])) {
                let delay = response.exponential(mean: delayMean, requestId, adKey | UniformPurpose.conversionDelay.rawValue)
                queue.schedule(at: queue.now + delay, .conversion(ad: Int32(ad), cohort: Int32(cohort)))
            }
        }
    }
}
