import Yams

/// Reads the `tiers` mapping, distributions and the `newAdvertisers` section.
enum TierReader {
    static let tierKeys = ["count", "adsPerAdvertiser", "budget", "bid", "valuePerConversion",
                           "historyImpressions", "qualityShift", "conversionShift", "bidding", "adgroupsPerAdvertiser",
                           "adgroupBudgetShares"]

    static let defaultTiers: [Tier] = [
        Tier(name: "large", count: 20, adsPerAdvertiser: 4,
             budget: .lognormal(median: 400, sigma: 0.5), bid: .lognormal(median: 1.0, sigma: 0.3),
             valuePerConversion: .lognormal(median: 30, sigma: 0.5),
             historyImpressions: .lognormal(median: 5000, sigma: 0.5), qualityShift: 0, conversionShift: 0),
        Tier(name: "small", count: 200, adsPerAdvertiser: 2,
             budget: .lognormal(median: 25, sigma: 0.5), bid: .lognormal(median: 0.9, sigma: 0.3),
             valuePerConversion: .lognormal(median: 30, sigma: 0.5),
             historyImpressions: .lognormal(median: 40, sigma: 0.8), qualityShift: 0.3, conversionShift: 0),
    ]

    static func readTiers(_ top: Fields, _ r: inout NodeReader) -> [Tier] {
        guard let node = top["tiers"] else { return defaultTiers }
        guard case .mapping(let mapping) = node, !mapping.isEmpty else {
            r.fail("tiers", "expected a mapping of tier names to tier settings, e.g. 'small: {count: 100}'", line: lineOf(node))
            return defaultTiers
        }
        if mapping.count > maxTiers {
            r.fail("tiers", "\(mapping.count) tiers; at most \(maxTiers) are allowed", line: lineOf(node))
            return defaultTiers
        }
        var tiers: [Tier] = []
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            guard let name = keyNode.string, !name.isEmpty else {
                r.fail("tiers", "tier names must be plain text", line: lineOf(keyNode))
                continue
            }
            let path = "tiers.\(NameRules.shown(name))"
            if name == "new" {
                r.fail(path, "'new' is reserved for advertisers entering during the run; name the tier differently", line: lineOf(keyNode))
            }
            if let problem = NameRules.labelProblem(name) { r.fail(path, "the tier name \(problem)", line: lineOf(keyNode)) }
            if !seen.insert(name).inserted {
                r.fail(path, "appears twice", line: lineOf(keyNode))
                continue
            }
            guard let f = r.mapping(value, at: path, parentLine: lineOf(keyNode), keys: tierKeys) else { continue }
            var tier = Tier(
                name: name,
                count: r.int(f, "count", default: 10, min: 0, max: 10_000_000),
                adsPerAdvertiser: r.int(f, "adsPerAdvertiser", default: 2, min: 1, max: 1000),
                budget: distribution(f, "budget", default: .lognormal(median: 100, sigma: 0.5), &r, max: maxMoney),
                bid: distribution(f, "bid", default: .lognormal(median: 1, sigma: 0.3), &r, max: maxMoney),
                valuePerConversion: distribution(f, "valuePerConversion", default: .lognormal(median: 30, sigma: 0.5), &r, max: maxMoney),
                historyImpressions: distribution(f, "historyImpressions", default: .lognormal(median: 100, sigma: 0.5), &r,
                                                 allowZero: true, max: maxHistory),
                qualityShift: r.double(f, "qualityShift", default: 0, .range(-5, 5)),
                conversionShift: r.double(f, "conversionShift", default: 0, .range(-5, 5)),
                bidding: f["bidding"].map { BiddingReader.read($0, at: f.path("bidding"), &r) } ?? .fixedCPC)
            readAdgroups(f, into: &tier, &r)
            tiers.append(tier)
        }
        let totalAds = tiers.reduce(0) { $0 + $1.count * $1.adsPerAdvertiser }
        if totalAds > maxAds {
            r.fail("tiers", "\(totalAds) ads in all (count × adsPerAdvertiser over the tiers); at most \(maxAds) are allowed", line: lineOf(node))
        }
        if !tiers.isEmpty, tiers.allSatisfy({ $0.count == 0 }) {
            r.fail("tiers", "at least one tier needs a positive count", line: lineOf(node))
        }
        return tiers.isEmpty ? defaultTiers : tiers
    }

    /// `adgroupsPerAdvertiser` (1…adsPerAdvertiser) and `adgroupBudgetShares` (one positive number
    /// per adgroup, normalised to sum to 1).
    static func readAdgroups(_ f: Fields, into tier: inout Tier, _ r: inout NodeReader) {
        if f["adgroupsPerAdvertiser"] != nil {
            tier.adgroupsPerAdvertiser = r.int(f, "adgroupsPerAdvertiser", default: tier.adsPerAdvertiser, min: 1, max: 1000)
            if tier.adgroupsPerAdvertiser > tier.adsPerAdvertiser {
                r.fail(f.path("adgroupsPerAdvertiser"), "\(tier.adgroupsPerAdvertiser) adgroups for \(tier.adsPerAdvertiser) ads per advertiser; "
                       + "every adgroup needs at least one ad", line: lineOf(f["adgroupsPerAdvertiser"]!))
                tier.adgroupsPerAdvertiser = tier.adsPerAdvertiser
            }
        }
        guard let node = f["adgroupBudgetShares"] else { return }
        if f["adgroupsPerAdvertiser"] == nil {
            r.fail(f.path("adgroupBudgetShares"), "needs adgroupsPerAdvertiser (the adgroups the shares are for)", line: lineOf(node))
            return
        }
        let shares = r.doubles(f, "adgroupBudgetShares", default: [], Bounds(min: 0, max: 1e6, minExclusive: true))
        guard case .sequence(let items) = node, !shares.isEmpty || items.isEmpty else { return }
        if shares.count != tier.adgroups {
            r.fail(f.path("adgroupBudgetShares"), "\(shares.count) shares for \(tier.adgroups) adgroups per advertiser; give one per adgroup",
                   line: lineOf(node))
            return
        }
        let total = shares.reduce(0, +)
        tier.adgroupBudgetShares = shares.map { $0 / total }
    }

    /// A number (constant) or `{distribution: lognormal|pareto|uniform|gamma|constant, …}`.
    /// Largest money parameter (budget, bid, value per conversion): totals over 10⁷ advertisers,
    /// replicates and days stay finite. Samples are capped at 10¹² (WorldGenerator).
    static let maxMoney = 1e9
    /// Most tiers a scenario may define (each is a group in every table and chart).
    static let maxTiers = 1000
    /// Most ads at the start (ads are indexed by 32-bit integers; memory is checked separately).
    static let maxAds = 100_000_000
    /// Largest history parameter (logged impressions per ad; samples are capped at 10⁷).
    static let maxHistory = 1e7

    static func distribution(_ f: Fields, _ key: String, default fallback: Distribution,
                             _ r: inout NodeReader, allowZero: Bool = false, max upper: Double) -> Distribution {
        guard let node = f[key] else { return fallback }
        let path = f.path(key)
        let positive = Bounds(min: 0, max: upper, minExclusive: !allowZero)
        let scale = Bounds(min: 0, max: upper, minExclusive: true)
        if case .scalar = node {
            return r.number(node, at: path, positive).map { .constant($0) } ?? fallback
        }
        let allKeys = ["distribution", "value", "median", "sigma", "scale", "shape", "min", "max", "mean"]
        guard let d = r.mapping(node, at: path, parentLine: f.line, keys: allKeys) else { return fallback }
        guard let kindNode = d["distribution"] else {
            r.fail(d.path("distribution"), "missing; one of constant | lognormal | pareto | uniform | gamma", line: d.line)
            return fallback
        }
        enum Kind: String, CaseIterable { case constant, lognormal, pareto, uniform, gamma }
        let kind = r.choice(kindNode, at: d.path("distribution"), default: Kind.constant)
        let needed: [Kind: [String]] = [.constant: ["value"], .lognormal: ["median", "sigma"], .pareto: ["scale", "shape"],
                                         .uniform: ["min", "max"], .gamma: ["mean", "shape"]]
        for (k, _) in d.entries where k != "distribution" && !needed[kind]!.contains(k) {
            r.fail(d.path(k), "not a parameter of the \(kind.rawValue) distribution (it takes \(needed[kind]!.joined(separator: ", ")))", line: d.line(k))
        }
        for k in needed[kind]! where !d.has(k) {
            r.fail(d.path(k), "missing; the \(kind.rawValue) distribution needs \(needed[kind]!.joined(separator: " and "))", line: d.line)
        }
        switch kind {
        case .constant: return .constant(r.double(d, "value", default: 1, positive))
        case .lognormal: return .lognormal(median: r.double(d, "median", default: 1, scale), sigma: r.double(d, "sigma", default: 0.5, .range(0, 5)))
        case .pareto:
            return .pareto(scale: r.double(d, "scale", default: 1, scale), shape: r.double(d, "shape", default: 2, Bounds(min: 0, max: 1e6, minExclusive: true)))
        case .gamma: return .gamma(mean: r.double(d, "mean", default: 1, scale), shape: r.double(d, "shape", default: 1, Bounds(min: 0, max: 1e6, minExclusive: true)))
        case .uniform:
            let lo = r.double(d, "min", default: 0, positive), hi = r.double(d, "max", default: 1, scale)
            if hi < lo { r.fail(d.path("max"), "must be at least min (\(lo)), got \(hi)", line: d.line("max")) }
            return .uniform(min: lo, max: max(lo, hi))
        }
    }

    /// Most advertisers expected to enter over a run (perDay × days).
    static let maxEntrants = 10_000_000.0

    static func readNewAdvertisers(_ top: Fields, tiers: [Tier], days: Double, _ r: inout NodeReader) -> NewAdvertisers {
        let f = r.mapping(top["newAdvertisers"], at: "newAdvertisers", parentLine: top.line,
                          keys: ["perDay", "share", "tierMix"]) ?? Fields(path: "newAdvertisers", line: top.line)
        var perDay = r.double(f, "perDay", default: 0, .range(0, 1e7))
        var requestedShare: Double?
        if perDay * days > maxEntrants {
            r.fail(f.path("perDay"), "\(perDay) per day over \(days) days expects \(perDay * days) entrants; at most 10000000 are allowed", line: f.line("perDay"))
        }
        if f.has("share") {
            let share = r.double(f, "share", default: 0, .range(0, 0.99))
            if f.has("perDay") {
                r.fail(f.path("share"), "give either share or perDay, not both (share is converted to an entry rate per day)", line: f.line("share"))
            } else {
                requestedShare = share
                perDay = entryRate(share: share, incumbents: tiers.reduce(0) { $0 + $1.count }, days: days)
                if perDay * days > maxEntrants {
                    r.fail(f.path("share"), "a share of \(share) expects \(Int(perDay * days)) entrants; at most 10000000 are allowed", line: f.line("share"))
                    perDay = 0
                }
            }
        }
        var mix: [(tier: String, weight: Double)] = []
        let tierNames = Set(tiers.map(\.name))
        if let node = f["tierMix"] {
            guard case .mapping(let m) = node else {
                r.fail(f.path("tierMix"), "expected a mapping of tier names to weights, e.g. {small: 0.8, large: 0.2}", line: lineOf(node))
                return NewAdvertisers(perDay: perDay, tierMix: tiers.map { ($0.name, 1.0 / Double(tiers.count)) })
            }
            for (keyNode, value) in m {
                let name = keyNode.string ?? ""
                let path = f.path("tierMix") + "." + name
                guard tierNames.contains(name) else {
                    let hint = Suggestion.closest(to: name, in: tiers.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""
                    r.fail(path, "'\(name)' is not a tier of this scenario (tiers: \(tiers.map(\.name).joined(separator: ", ")))\(hint)", line: lineOf(keyNode))
                    continue
                }
                if let w = r.number(value, at: path, .nonNegative) { mix.append((name, w)) }
            }
        }
        if mix.isEmpty { mix = tiers.map { ($0.name, 1) } }
        let total = mix.reduce(0) { $0 + $1.weight }
        if total <= 0 {
            r.fail(f.path("tierMix"), "needs at least one positive weight", line: f.line("tierMix"))
            mix = tiers.map { ($0.name, 1) }
        }
        let sum = mix.reduce(0) { $0 + $1.weight }
        return NewAdvertisers(perDay: perDay, requestedShare: requestedShare, tierMix: mix.map { ($0.tier, $0.weight / sum) })
    }

    /// The entry rate at which entrants are `share` of all advertisers by the end of `days`,
    /// ignoring churn: entrants E = share·N₀/(1 − share) over the horizon, E/days per day.
    public static func entryRate(share: Double, incumbents: Int, days: Double) -> Double {
        guard share > 0, days > 0 else { return 0 }
        return share * Double(incumbents) / (1 - share) / days
    }
}
