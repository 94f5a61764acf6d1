import Marketplace
import Scenario
import Stochastics

extension MarketSimulation {
    // MARK: - Responses: impressions, clicks, conversions

    /// Shows the placed ads: draws clicks from the true model, tells every stage that learns or
    /// counts of each impression, and schedules the charges and the delayed conversions.
    mutating func respond(placed: Int, cohort: Int) {
        let hour = Int(queue.now / 3600)
        let newGroup = disparity.tiers
        tallies.recordActiveAds(disparity.activeAds, hour: hour)
        let user = UnsafeBufferPointer(request.user), now = queue.now, logged = feedbackWanted
        // Every placed ad's first ranker record asked for before the first is written, so their
        // misses overlap (their earlier records were asked for by `prefetchImpressions`).
        if K.isTuned && plan.prefetchRecords { for r in 0..<placed { ranker.prefetchRecord(ad: request.candidates[request.placedCandidate[r]]) } }
        for r in 0..<placed {
            let slot = request.placedCandidate[r], position = request.candidatePosition[slot]
            // The account through the position table (in cache since the scan); the advertiser's
            // number only where it is needed (a new advertiser, a conversion).
            let ad = request.candidates[slot]
            let a = ledger.rank(position: position), account = ledger.accounts[a]
            let tier = Int(account.tier), isNew = account.isNew
            let e = examination[r], trueCTR = request.trueRate[slot], predicted = request.predicted[slot]
            let clicked = response.clicks(request: requestId, ad: ad, probability: e * trueCTR)
            if let trace { trace.record(impression: requestId, ad: ad, clickUniform: uniforms.uniform(requestId, UInt64(ad) << 2 | UniformPurpose.click.rawValue)) }
            tallies.recordImpression(Impression(rank: a, ad: ad, cohort: cohort, tier: tier, isNew: isNew,
                                                hoursSinceEntry: isNew ? hoursSinceEntry(position: position) : 0,
                                                examination: e, trueCTR: trueCTR, predicted: predicted, clicked: clicked,
                                                explored: request.placedExplored[r], hour: hour))
            if impressionLog != nil { logImpression(placed: r, position: position, ad: ad, tier: tier, isNew: isNew, clicked: clicked, cohort: cohort) }
            explorer.recordImpression(ad: ad, examination: e)
            disparity.exposure[tier] += e
            if isNew { disparity.exposure[newGroup] += e }
            fairness.recordImpression(tier: tier, isNew: isNew, exposure: e, predicted: predicted, clicked: clicked, hour: hour)
            if R.learns {
                ranker.recordImpression(ad: ad, user: user, cohort: cohort, examination: e, clicked: clicked, time: now, logged: logged)
            }
            guard clicked else { continue }
            queue.schedule(at: now, .click(ad: Int32(ad), position: Int32(position), price: request.placedPrice[r]))
            var conversionTime = Double.infinity, value = 0.0
            if let c = response.conversion(request: requestId, ad: ad, position: position, advertiser: Int(world.positionAdvertiser[position]),
                                           user: user, cohort: cohort) {
                conversionTime = now + c.delay
                value = c.value
                queue.schedule(at: conversionTime, .conversion(ad: Int32(ad), cohort: Int32(cohort), value: value))
            }
            if learnsConversions && logged {
                ranker.recordClickOutcome(ad: ad, user: user, cohort: cohort, time: now, conversionTime: conversionTime, value: value)
            }
        }
    }

    /// Writes the `placed`-th impression of the request to the impression log (kept out of line: the
    /// request path of a run without a log pays only the nil check).
    @inline(never)
    func logImpression(placed r: Int, position: Int, ad: Int, tier: Int, isNew: Bool, clicked: Bool, cohort: Int) {
        guard let impressionLog else { return }
        let adv = Int(world.positionAdvertiser[position])
        let conversion = clicked
            ? response.conversion(request: requestId, ad: ad, position: position, advertiser: adv, user: UnsafeBufferPointer(request.user), cohort: cohort)
            : nil
        impressionLog.record(advertiser: adv, ad: ad, tier: tier, isNew: isNew, position: r + 1, clicked: clicked,
                             price: request.placedPrice[r], converted: conversion != nil,
                             value: conversion?.value ?? world.valuePerConversion[adv], delay: conversion?.delay ?? .nan,
                             explored: request.placedExplored[r])
    }

    /// Whole hours since the entry of the advertiser of the ad at retrieval `position`.
    @inline(__always)
    func hoursSinceEntry(position: Int) -> Int {
        Int((queue.now - world.entryTime[Int(world.positionAdvertiser[position])]) / 3600)
    }

    /// A click on `ad`, at retrieval `position`: the charge, the bidders' pacing, tallies and the
    /// learners' counts. The account is found through the position (the request that showed the ad
    /// has just read that entry) and carries the tier and the new-advertiser flag.
    mutating func handleClick(ad: Int, position: Int, price: Double) {
        let a = ledger.rank(position: position)
        ledger.charge(rank: a, position: position, price: price)
        bidders.charged(rank: a, ledger: ledger)
        let account = ledger.accounts[a]
        tallies.recordClick(Click(rank: a, ad: ad, tier: Int(account.tier), isNew: account.isNew,
                                  hoursSinceEntry: account.isNew ? hoursSinceEntry(position: position) : 0,
                                  price: price, hour: Int(queue.now / 3600), time: queue.now))
        explorer.recordClick(ad: ad)
        if R.learns { ranker.recordClick(ad: ad, position: position) }
    }

    /// A delayed conversion, worth `value`, of a click on `ad` by a user of `cohort`.
    mutating func handleConversion(ad: Int, cohort: Int, value: Double) {
        let adv = Int(world.adAdvertiser[ad])
        tallies.recordConversion(ad: ad, advertiser: adv, cohort: cohort, value: value, time: queue.now)
        if autobidding { autobidders.converted(rank: world.rank(of: adv)) }
        if X.explores { explorer.recordConversion(ad: ad, value: value) }
        if R.learns { ranker.recordConversion(ad: ad) }
    }
}
