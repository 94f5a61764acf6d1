import Foundation
import Yams

/// Builds a `Scenario` section by section from a composed YAML tree, filling defaults.
///
/// The defaults written here are the ones documented in README.md's scenario reference.
enum ScenarioBuilder {
    static let topKeys = ["name", "seed", "replicates", "horizon", "placement", "auction", "cohorts",
                          "tiers", "newAdvertisers", "truth", "pacing", "learning", "policies", "currency", "advertiserDynamics"]

    static func build(_ root: Node?, defaultName: String, reader r: inout NodeReader) -> Scenario? {
        if let root, case .scalar(let s) = root, s.string.isEmpty || s.tag == Tag(.null) {
            return build(nil, defaultName: defaultName, reader: &r)
        }
        guard let top = r.mapping(root, at: "", parentLine: nil, keys: topKeys) else { return nil }
        let name = r.string(top, "name", default: defaultName)
        if top.has("name"), let problem = NameRules.folderProblem(name) { r.fail("name", problem, line: top.line("name")) }
        let seedValue = r.int(top, "seed", default: 1, min: ScenarioLimits.seed.lowerBound, max: ScenarioLimits.seed.upperBound)
        let replicates = r.int(top, "replicates", default: 5, min: ScenarioLimits.replicates.lowerBound, max: ScenarioLimits.replicates.upperBound)
        let truth = readTruth(top, &r)
        let scenario = Scenario(
            name: name,
            seed: UInt64(seedValue),
            replicates: replicates,
            horizon: readHorizon(top, &r),
            placement: readPlacement(top, &r),
            auction: readAuction(top, &r),
            cohorts: readCohorts(top, dimension: truth.latentDimension, &r),
            tiers: TierReader.readTiers(top, &r),
            newAdvertisers: NewAdvertisers(perDay: 0, tierMix: []),
            truth: truth,
            pacing: readPacing(top, &r),
            learning: readLearning(top, &r),
            policies: [])
        var result = scenario
        if top.has("currency") {
            let currency = r.string(top, "currency", default: "money units")
            if let problem = NameRules.labelProblem(currency) { r.fail("currency", problem, line: top.line("currency")) }
            else if currency.count > 24 { r.fail("currency", "is \(currency.count) characters long; at most 24 are allowed (a unit such as EUR, USD or credits)", line: top.line("currency")) }
            else { result.currency = currency }
        }
        result.newAdvertisers = TierReader.readNewAdvertisers(top, tiers: scenario.tiers, days: scenario.horizon.days, &r)
        result.policies = PolicyReader.readPolicies(top, slots: scenario.placement.slots, tiers: scenario.tiers.map(\.name), &r)
        result.advertiserDynamics = BiddingReader.readDynamics(top, tiers: scenario.tiers.map(\.name), &r)
        BiddingReader.checkFeedback(result, top, &r)
        return result
    }

    /// A plausible day: quiet at night, a lunchtime bump, an evening peak.
    static let defaultDiurnal: [Double] = [0.35, 0.25, 0.2, 0.2, 0.25, 0.4, 0.65, 0.9, 1.05, 1.1, 1.15, 1.25,
                                           1.3, 1.2, 1.1, 1.1, 1.15, 1.25, 1.45, 1.65, 1.7, 1.5, 1.05, 0.65]

    /// Most requests one replicate of one policy may simulate (hours of CPU at 10⁶ per second).
    static let maxRequests = 1e10

    static func readHorizon(_ top: Fields, _ r: inout NodeReader) -> Horizon {
        let f = r.mapping(top["horizon"], at: "horizon", parentLine: top.line,
                          keys: ["days", "requestsPerDay", "diurnal"]) ?? Fields(path: "horizon", line: top.line)
        let days = r.double(f, "days", default: 3, .range(1.0 / 24, 3650))
        let perDay = r.double(f, "requestsPerDay", default: 20_000, .range(1, 1e10))
        if days * perDay > maxRequests {
            r.fail(f.path("requestsPerDay"), "\(Int(perDay)) per day over \(days) days is \(String(format: "%.3g", days * perDay)) requests per replicate and policy; at most 1e10 are allowed", line: f.line("requestsPerDay"))
        }
        var diurnal = defaultDiurnal
        if let node = f["diurnal"], case .scalar(let s) = node, s.string == "flat" {
            diurnal = Array(repeating: 1, count: 24)
        } else {
            diurnal = r.doubles(f, "diurnal", default: defaultDiurnal, .nonNegative)
            if diurnal.count != 24 || diurnal.reduce(0, +) <= 0 {
                r.fail(f.path("diurnal"), "needs 24 non-negative hourly weights with a positive sum (or 'flat'), got \(diurnal.count)", line: f.line("diurnal"))
                diurnal = defaultDiurnal
            }
        }
        let mean = diurnal.reduce(0, +) / 24
        return Horizon(days: days, requestsPerDay: perDay, diurnal: diurnal.map { $0 / mean })
    }

    static func readPlacement(_ top: Fields, _ r: inout NodeReader) -> Placement {
        let f = r.mapping(top["placement"], at: "placement", parentLine: top.line,
                          keys: ["examination", "maxCandidates", "retrieval"]) ?? Fields(path: "placement", line: top.line)
        var exam = r.doubles(f, "examination", default: [1.0, 0.6, 0.35], .probability)
        if exam.isEmpty || exam.count > 20 {
            r.fail(f.path("examination"), "needs between 1 and 20 slots, got \(exam.count)", line: f.line("examination"))
            exam = [1.0]
        }
        let maxCandidates = r.int(f, "maxCandidates", default: 50, min: 1, max: 100_000)
        if maxCandidates < exam.count {
            r.fail(f.path("maxCandidates"), "must be at least the number of slots (\(exam.count)), got \(maxCandidates)", line: f.line("maxCandidates"))
        }
        return Placement(examination: exam, maxCandidates: maxCandidates, retrieval: r.choice(f, "retrieval", default: Retrieval.uniform))
    }

    static func readAuction(_ top: Fields, _ r: inout NodeReader) -> AuctionSettings {
        let f = r.mapping(top["auction"], at: "auction", parentLine: top.line,
                          keys: ["mechanism", "reserve"]) ?? Fields(path: "auction", line: top.line)
        return AuctionSettings(mechanism: r.choice(f, "mechanism", default: Mechanism.gsp),
                               reserve: r.double(f, "reserve", default: 0.05, .nonNegative))
    }

    /// User features stay where the true model's dot products are finite.
    static let featureBounds = Bounds.range(-1000, 1000)

    static func readCohorts(_ top: Fields, dimension: Int, _ r: inout NodeReader) -> [Cohort] {
        let fallback = [Cohort(name: "everyone", share: 1, objective: .clicks,
                               center: Array(repeating: 0, count: dimension), spread: 1)]
        guard let node = top["cohorts"] else { return fallback }
        guard case .sequence(let list) = node, !list.isEmpty else {
            r.fail("cohorts", "expected a non-empty list of cohorts", line: lineOf(node))
            return fallback
        }
        var cohorts: [Cohort] = []
        var seen: Set<String> = []
        for (i, item) in list.enumerated() {
            let path = "cohorts[\(i)]"
            guard let f = r.mapping(item, at: path, parentLine: lineOf(item),
                                    keys: ["name", "share", "objective", "center", "spread", "conversionShift", "orderValueScale"]) else { continue }
            let name = r.string(f, "name", default: "cohort\(i)")
            if let problem = NameRules.labelProblem(name) { r.fail(f.path("name"), problem, line: f.line("name")) }
            if !seen.insert(name).inserted {
                r.fail(f.path("name"), "'\(name)' is used by an earlier cohort", line: f.line("name"))
            }
            var center = Array(repeating: 0.0, count: dimension)
            if let c = f["center"] {
                if case .sequence = c {
                    let values = r.doubles(f, "center", default: center, featureBounds)
                    if values.count == dimension { center = values } else {
                        r.fail(f.path("center"), "needs \(dimension) numbers (truth.latentDimension) or one number, got \(values.count)", line: lineOf(c))
                    }
                } else if let x = r.number(c, at: f.path("center"), featureBounds) {
                    center = Array(repeating: x, count: dimension)
                }
            }
            cohorts.append(Cohort(name: name,
                                  share: r.double(f, "share", default: 1, .positive),
                                  objective: r.choice(f, "objective", default: Objective.clicks),
                                  center: center,
                                  spread: r.double(f, "spread", default: 1, .range(0, 1000)),
                                  conversionShift: r.double(f, "conversionShift", default: 0, .range(-10, 10)),
                                  orderValueScale: r.double(f, "orderValueScale", default: 1, Bounds(min: 0, max: 1000, minExclusive: true))))
        }
        let total = cohorts.reduce(0) { $0 + $1.share }
        return cohorts.isEmpty ? fallback : cohorts.map { var c = $0; c.share /= total; return c }
    }

    static func readTruth(_ top: Fields, _ r: inout NodeReader) -> GroundTruth {
        let f = r.mapping(top["truth"], at: "truth", parentLine: top.line,
                          keys: ["latentDimension", "baseCTR", "baseCVR", "deviationScale", "noise", "drift",
                                 "conversionDelayHours", "conversionInteraction", "orderValueSigma", "orderValueDeviation"])
            ?? Fields(path: "truth", line: top.line)
        return GroundTruth(
            latentDimension: r.int(f, "latentDimension", default: 8, min: 1, max: 64),
            baseCTR: r.double(f, "baseCTR", default: 0.03, Bounds(min: 0, max: 0.99, minExclusive: true)),
            baseCVR: r.double(f, "baseCVR", default: 0.08, Bounds(min: 0, max: 0.99, minExclusive: true)),
            deviationScale: r.double(f, "deviationScale", default: 0.3, .range(0, 5)),
            noise: r.double(f, "noise", default: 0.3, .range(0, 5)),
            drift: r.double(f, "drift", default: 0, .range(0, 5)),
            conversionDelayHours: r.double(f, "conversionDelayHours", default: 4, .range(0, 24 * 60)),
            conversionInteraction: r.double(f, "conversionInteraction", default: 0, .range(-10, 10)),
            orderValueSigma: r.double(f, "orderValueSigma", default: 0, .range(0, 3)),
            orderValueDeviation: r.double(f, "orderValueDeviation", default: 0, .range(0, 3)))
    }

    static func readPacing(_ top: Fields, _ r: inout NodeReader) -> PacingSettings {
        if let node = top["pacing"], case .scalar = node {
            return PacingSettings(kind: r.choice(node, at: "pacing", default: PacingKind.multiplicative),
                                  intervalMinutes: 60, stepSize: 0.5, maxMultiplier: 10)
        }
        let f = r.mapping(top["pacing"], at: "pacing", parentLine: top.line,
                          keys: ["kind", "intervalMinutes", "stepSize", "maxMultiplier"]) ?? Fields(path: "pacing", line: top.line)
        return PacingSettings(kind: r.choice(f, "kind", default: PacingKind.multiplicative),
                              intervalMinutes: r.double(f, "intervalMinutes", default: 60, .range(1, 24 * 60)),
                              stepSize: r.double(f, "stepSize", default: 0.5, Bounds(min: 0, max: 100, minExclusive: true)),
                              maxMultiplier: r.double(f, "maxMultiplier", default: 10, Bounds(min: 0, max: 1e6, minExclusive: true)))
    }

    static func readLearning(_ top: Fields, _ r: inout NodeReader) -> LearningSettings {
        let f = r.mapping(top["learning"], at: "learning", parentLine: top.line,
                          keys: ["updateEveryHours"]) ?? Fields(path: "learning", line: top.line)
        return LearningSettings(updateEveryHours: r.double(f, "updateEveryHours", default: 24, .range(0.25, 24 * 3650)))
    }
}
