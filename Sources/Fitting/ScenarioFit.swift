import Foundation
import Reporting
import Stochastics

/// A scenario fitted to an impression log: every parameter `fit` estimates, and the commented
/// YAML that `fairground run` accepts.
public struct ScenarioFit: Sendable {
    public struct TierFit: Sendable {
        public var name: String
        public var advertisers: Int
        public var adsPerAdvertiser: Int
        public var impressions: Double
        public var history: SizeDistributionFit?
        public var qualityShift: Double
        public var budget: SizeDistributionFit?
        public var bid: SizeDistributionFit?
        public var value: SizeDistributionFit?
        public var conversionShift: Double
    }

    public var source: String
    public var rows: Int
    public var position: PositionBias
    public var clickRates: BetaBinomialFit
    public var tiers: [TierFit]
    public var days: Double
    public var daysFromTimestamps: Bool
    public var requestsPerDay: Double
    public var diurnal: [Double]?
    public var baseCVR: Double?
    public var conversionDelayHours: Double?
    public var cohorts: [(name: String, share: Double)]
    public var tieredBySpend = false
    /// Cautions for the reader: pooled policies, too few clicks.
    public var warnings: [String] = []

    /// Tier names for `count` tiers, largest first.
    static func tierNames(_ count: Int) -> [String] {
        switch count {
        case 1: return ["all"]
        case 2: return ["large", "small"]
        case 3: return ["large", "medium", "small"]
        default: return (1...count).map { "tier\($0)" }
        }
    }

    /// Fits a scenario to a tallied log. Tiers: advertisers sorted by impressions (or by spend,
    /// `bySpend`, when the log has costs) and cut into
    /// `tiers` groups of equal count (the largest first); `days` is the log's span when it has
    /// timestamps, else `defaultDays`.
    public static func fit(_ t: LogTally, source: String, tiers tierCount: Int, defaultDays: Double, bySpend: Bool = false) -> ScenarioFit {
        let position = PositionBias.fit(t)
        let K = t.slots
        let theta = position.ratios.map { $0.isFinite ? $0 : 0 }
        // Per ad: clicks and examination-weighted impressions.
        var adClicks = [Double](repeating: 0, count: t.ads), adExamined = adClicks, adImpressions = adClicks
        for ad in 0..<t.ads {
            for k in 1...K {
                let x = t.counts(ad: ad, position: k)
                adClicks[ad] += x.c; adExamined[ad] += x.n * theta[k - 1]; adImpressions[ad] += x.n
            }
        }
        let rates = BetaBinomialFit.fit(clicks: adClicks, trials: adExamined)
        let days = t.days ?? defaultDays
        // Advertisers by impressions, largest first, cut into equal-count tiers.
        var advertiserImpressions = [Double](repeating: 0, count: t.advertisers), advertiserAds = [Int](repeating: 0, count: t.advertisers)
        for ad in 0..<t.ads { advertiserImpressions[t.adAdvertiser[ad]] += adImpressions[ad]; advertiserAds[t.adAdvertiser[ad]] += 1 }
        let size = bySpend && t.hasCost ? t.advertiserCost : advertiserImpressions
        let order = (0..<t.advertisers).sorted { size[$0] != size[$1] ? size[$0] > size[$1] : $0 < $1 }
        let count = max(1, min(tierCount, t.advertisers))
        let names = tierNames(count)
        var tierOf = [Int](repeating: 0, count: t.advertisers)
        for (rank, adv) in order.enumerated() { tierOf[adv] = min(count - 1, rank * count / t.advertisers) }
        let overallCVR: Double? = t.hasConversion && t.advertiserClicks.reduce(0, +) > 0
            ? t.advertiserConversions.reduce(0, +) / t.advertiserClicks.reduce(0, +) : nil
        func logit(_ p: Double) -> Double { log(p / (1 - p)) }
        var fitted: [TierFit] = []
        for (i, name) in names.enumerated() {
            let members = (0..<t.advertisers).filter { tierOf[$0] == i }
            let memberSet = Set(members)
            let ads = (0..<t.ads).filter { memberSet.contains(t.adAdvertiser[$0]) }
            let clicks = ads.reduce(0) { $0 + adClicks[$1] }, examined = ads.reduce(0) { $0 + adExamined[$1] }
            // The tier's click logit against the ads' centre, shrunk by the prior (a pseudo-count of α + β).
            let tierRate = (clicks + rates.alpha) / (examined + rates.alpha + rates.beta)
            let shift = logit(min(0.999, max(1e-6, tierRate))) - logit(min(0.999, max(1e-6, rates.mean)))
            var conversionShift = 0.0
            if let overallCVR, overallCVR > 0, overallCVR < 1 {
                let conv = members.reduce(0) { $0 + t.advertiserConversions[$1] }, cl = members.reduce(0) { $0 + t.advertiserClicks[$1] }
                if cl > 0 { conversionShift = logit(min(0.999, max(1e-6, (conv + 1) / (cl + 1 / overallCVR)))) - logit(overallCVR) }
            }
            let value: SizeDistributionFit? = {
                guard t.hasValue else { return nil }
                var n = 0.0, s = 0.0, s2 = 0.0
                for a in members { n += t.valueCount[a]; s += t.valueLog[a]; s2 += t.valueLogSquare[a] }
                guard n >= 2 else { return nil }
                let mu = s / n, sigma = max(1e-6, (max(0, s2 / n - mu * mu)).squareRoot())
                return SizeDistributionFit(family: .lognormal, first: exp(mu), second: sigma, aic: .nan, otherAIC: .nan)
            }()
            fitted.append(TierFit(
                name: name, advertisers: members.count,
                adsPerAdvertiser: max(1, Int((Double(ads.count) / Double(max(1, members.count))).rounded())),
                impressions: ads.reduce(0) { $0 + adImpressions[$1] },
                history: SizeDistributionFit.fit(ads.map { adImpressions[$0] }),
                qualityShift: shift.isFinite ? shift : 0,
                budget: t.hasCost ? SizeDistributionFit.fit(members.map { t.advertiserCost[$0] / days }) : nil,
                bid: t.hasCost ? SizeDistributionFit.fit(members.compactMap { t.advertiserClicks[$0] > 0 ? t.advertiserCost[$0] / t.advertiserClicks[$0] : nil }) : nil,
                value: value, conversionShift: conversionShift.isFinite ? conversionShift : 0))
        }
        let requests = t.requestsByHour.reduce(0, +) > 0 ? t.requestsByHour.reduce(0, +)
            : (0..<t.ads).reduce(0.0) { $0 + t.counts(ad: $1, position: 1).n }
        let diurnal: [Double]? = t.hasTimestamp && days >= 1 && t.requestsByHour.allSatisfy({ $0 > 0 })
            ? t.requestsByHour.map { $0 / (t.requestsByHour.reduce(0, +) / 24) } : nil
        let totalCohort = t.cohortRows.values.reduce(0, +)
        var result = ScenarioFit(source: source, rows: t.rows, position: position, clickRates: rates, tiers: fitted, days: days,
                           daysFromTimestamps: t.days != nil, requestsPerDay: max(1, requests / days), diurnal: diurnal,
                           baseCVR: overallCVR, conversionDelayHours: t.delayCount > 0 ? t.delaySum / t.delayCount : nil,
                           cohorts: t.cohortRows.count > 1 ? t.cohortRows.sorted { $0.key < $1.key }.map { ($0.key, $0.value / totalCohort) } : [])
        result.tieredBySpend = bySpend && t.hasCost
        if t.policies.count > 1 {
            result.warnings.append("the log holds \(t.policies.count) policies (\(t.policies.sorted().prefix(5).joined(separator: ", "))\(t.policies.count > 5 ? ", …" : "")), fitted as one marketplace: traffic and spend add up across them; fit one with --where policy=NAME")
        }
        let totalClicks = t.advertiserClicks.reduce(0, +)
        if totalClicks < 30 {
            result.warnings.append("only \(Int(totalClicks)) click\(totalClicks == 1 ? "" : "s"): every estimate is rough (see the intervals)")
        }
        return result
    }

    /// The commented scenario YAML. `name` becomes the scenario's name (and default output folder).
    public func yaml(name: String) -> String {
        let p = position
        var y = """
            # Fitted by `fairground fit` to \(source) (\(Format.grouped(Double(rows))) impressions).
            # Every fitted value says how it was estimated; values marked "default" are not in the log.\(warnings.map { "\n# Caution: " + $0 + "." }.joined())
            # The goodness-of-fit report (fit --report DIR) compares this world's simulated log with the real one.
            name: \(FitYAML.quoted(name))
            seed: 1
            replicates: 5
            horizon:
              days: \(FitYAML.number(min(max(days, 1.0 / 24), 365)))   # \(daysFromTimestamps ? "the log's span (first to last timestamp)" : "default: the log has no timestamps (--days)")
              requestsPerDay: \(FitYAML.number(min(requestsPerDay, 1e8)))   # top-slot impressions per day (one per request)

            """
        if let diurnal {
            y += "  diurnal: [\(diurnal.map { FitYAML.number($0) }.joined(separator: ", "))]   # top-slot impressions by hour of the day\n"
        }
        y += """
            placement:
              # Examination per slot relative to the top slot: \(p.method.rawValue); 95% intervals:
              # \(zip(p.lower, p.upper).enumerated().map { "slot \($0.offset + 1) \(FitYAML.number($0.element.0))–\(FitYAML.number($0.element.1))" }.joined(separator: ", "))
              examination: [\(p.ratios.map { FitYAML.number(min(1, max(0.001, $0.isFinite ? $0 : 0.001))) }.joined(separator: ", "))]
              maxCandidates: 50
            auction:
              mechanism: gsp   # default: a log does not show the mechanism
              reserve: 0.05

            """
        // A log shows each ad's click rate but not how personal it is (that needs the ads' features
        // as well as the users'): the fitted users are alike (spread 0), so every ad's click rate is
        // the log's for everyone. Raise `spread` for a personalised world.
        y += "cohorts:   # \(cohorts.isEmpty ? "one cohort" : "the log's cohort column, shares of impressions"); spread 0: a log does not show how personal click rates are\n"
        for c in cohorts.isEmpty ? [("everyone", 1.0)] : cohorts {
            y += "  - {name: \(FitYAML.quoted(c.0)), share: \(FitYAML.number(c.1)), center: 0, spread: 0}\n"
        }
        y += "tiers:   # advertisers by \(tieredBySpend ? "spend" : "impressions"), cut into \(tiers.count) equal-count tiers, largest first\n"
        for tier in tiers {
            y += "  \(FitYAML.quoted(tier.name)):   # \(Format.grouped(tier.impressions)) impressions in the log\n"
            y += "    count: \(tier.advertisers)\n    adsPerAdvertiser: \(tier.adsPerAdvertiser)\n"
            if let h = tier.history {
                y += "    historyImpressions: \(h.yaml)   # per-ad impressions in the log; \(h.family.rawValue) by maximum likelihood (AIC \(FitYAML.number(h.aic)) vs \(FitYAML.number(h.otherAIC)))\n"
            } else {
                y += "    historyImpressions: \(FitYAML.number(max(1, tier.impressions)))   # one ad: its impressions\n"
            }
            y += "    qualityShift: \(FitYAML.number(tier.qualityShift))   # the tier's debiased click logit against all ads' (prior-shrunk)\n"
            if let b = tier.budget { y += "    budget: \(b.yaml)   # daily spend per advertiser (a budget is at least what was spent)\n" }
            else { y += "    # budget: default (the log has no cost column)\n" }
            if let b = tier.bid { y += "    bid: \(b.yaml)   # cost per click per advertiser\n" }
            if let v = tier.value { y += "    valuePerConversion: \(v.yaml)   # order values, lognormal by maximum likelihood\n" }
            if tier.conversionShift != 0 { y += "    conversionShift: \(FitYAML.number(tier.conversionShift))\n" }
        }
        let spread = clickRates.logitSpread
        y += """
            truth:
              # Per-ad click rates, position-debiased: beta-binomial by empirical Bayes, Beta(\(FitYAML.number(clickRates.alpha)), \(FitYAML.number(clickRates.beta))),
              # mean \(FitYAML.number(clickRates.mean)); baseCTR is the centre of the ads' click logits (ψ(α) − ψ(β)) and noise their spread (√(ψ₁(α) + ψ₁(β))).
              baseCTR: \(FitYAML.number(1 / (1 + exp(-clickRates.logitCenter))))
              noise: \(FitYAML.number(min(5, max(0.01, spread))))

            """
        if let baseCVR { y += "  baseCVR: \(FitYAML.number(min(0.99, max(1e-4, baseCVR))))   # conversions ÷ clicks\n" }
        else { y += "  # baseCVR: default (the log has no conversion column)\n" }
        if let delay = conversionDelayHours { y += "  conversionDelayHours: \(FitYAML.number(max(0.01, delay)))   # mean delay (exponential by maximum likelihood)\n" }
        y += """
            policies:
              - name: global
                ranker: global
              - name: oracle
                ranker: oracle

            """
        return y
    }
}

/// Numbers and names in the fitted YAML.
enum FitYAML {
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        return String(format: "%.4g", x)
    }

    /// A YAML scalar: quoted unless it is plain word characters.
    static func quoted(_ s: String) -> String {
        let plain = !s.isEmpty && s.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" }
            && Double(s) == nil && !["true", "false", "null", "yes", "no"].contains(s.lowercased())
        return plain ? s : "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
