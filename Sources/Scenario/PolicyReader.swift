import Yams

/// Reads the `policies` list.
enum PolicyReader {
    static let defaultRanker = RankerSettings(kind: .global, learningRate: 0.05, l2: 1e-4, epochs: 2, updateEveryHours: nil)

    static let defaultPolicies = [
        Policy(name: "global", ranker: defaultRanker, objective: nil, explorer: nil, fairness: nil),
        Policy(name: "oracle", ranker: RankerSettings(kind: .oracle, learningRate: 0.05, l2: 1e-4, epochs: 2, updateEveryHours: nil),
               objective: nil, explorer: nil, fairness: nil),
    ]

    /// Most policies a scenario may compare.
    static let maxPolicies = 1000

    static func readPolicies(_ top: Fields, slots: Int, tiers: [String], _ r: inout NodeReader) -> [Policy] {
        guard let node = top["policies"] else { return defaultPolicies }
        guard case .sequence(let list) = node, !list.isEmpty else {
            r.fail("policies", "expected a non-empty list of policies", line: lineOf(node))
            return defaultPolicies
        }
        if list.count > maxPolicies {
            r.fail("policies", "\(list.count) policies; at most \(maxPolicies) are allowed (each is simulated on every replicate)", line: lineOf(node))
            return defaultPolicies
        }
        var policies: [Policy] = []
        var seen: Set<String> = []
        for (i, item) in list.enumerated() {
            let path = "policies[\(i)]"
            guard let f = r.mapping(item, at: path, parentLine: lineOf(item), keys: ["name", "ranker", "objective", "explorer", "fairness", "bidding"]) else { continue }
            guard f.has("name") else {
                r.fail(f.path("name"), "missing; every policy needs a name", line: f.line)
                continue
            }
            let name = r.string(f, "name", default: "")
            if let problem = NameRules.labelProblem(name) {
                r.fail(f.path("name"), problem, line: f.line("name"))
            } else if name.contains(",") {
                r.fail(f.path("name"), "must not contain commas", line: f.line("name"))
            }
            if !seen.insert(name).inserted {
                r.fail(f.path("name"), "'\(name)' is used by an earlier policy", line: f.line("name"))
            }
            policies.append(Policy(name: name, ranker: readRanker(f, &r), objective: readObjective(f, &r),
                                   explorer: readExplorer(f, slots: slots, tiers: tiers, &r),
                                   fairness: readFairness(f, tiers: tiers, &r),
                                   bidding: BiddingReader.readOverrides(f, tiers: tiers, &r)))
        }
        return policies
    }

    /// `explorer: {algorithm, rate, slot, pool, pricing, graduation, objective}`; absent or `none` for no explorer.
    static func readExplorer(_ f: Fields, slots: Int, tiers: [String], _ r: inout NodeReader) -> ExplorerSettings? {
        guard let node = f["explorer"] else { return nil }
        if case .scalar(let s) = node, s.string == "none" { return nil }
        guard let m = r.mapping(node, at: f.path("explorer"), parentLine: f.line,
                                keys: ["algorithm", "rate", "slot", "pool", "pricing", "graduation", "objective"]) else { return nil }
        let slot = r.int(m, "slot", default: slots, min: 1, max: max(slots, 1))
        var pool = ExplorerPool.new
        if m.has("pool") {
            let text = r.string(m, "pool", default: "new")
            switch text {
            case "new": pool = .new
            case "all": pool = .all
            default:
                if text.hasPrefix("under-"), let n = Int(text.dropFirst(6)), n > 0 {
                    pool = .under(n)
                } else if tiers.contains(text) {
                    pool = .tier(text)
                } else {
                    let options = ["new", "all", "under-N"] + tiers
                    let hint = Suggestion.closest(to: text, in: options).map { "; did you mean '\($0)'?" } ?? ""
                    r.fail(m.path("pool"), "'\(text)' is not a pool; use one of \(options.joined(separator: " | "))\(hint)", line: m.line("pool"))
                }
            }
        }
        var graduation = Graduation.impressions(500)
        if let g = r.mapping(m["graduation"], at: m.path("graduation"), parentLine: m.line, keys: ["impressions", "relativeError"]), m.has("graduation") {
            if g.has("impressions") && g.has("relativeError") {
                r.fail(m.path("graduation"), "give either impressions or relativeError, not both", line: g.line)
            } else if g.has("relativeError") {
                graduation = .relativeError(r.double(g, "relativeError", default: 0.25, Bounds(min: 0, max: 10, minExclusive: true)))
            } else {
                graduation = .impressions(r.double(g, "impressions", default: 500, .positive))
            }
        }
        return ExplorerSettings(algorithm: r.choice(m, "algorithm", default: ExplorerAlgorithm.thompson),
                                rate: r.double(m, "rate", default: 0.05, .range(0, 1)),
                                slot: slot, pool: pool,
                                pricing: r.choice(m, "pricing", default: ExplorerPricing.reserve),
                                graduation: graduation,
                                objective: m.has("objective") ? explorerObjective(r.choice(m, "objective", default: ExplorerObjective.clicks)) : nil)
    }

    /// An explorer objective as stored: `clicks`, the default, as nil (the same run, the same fingerprint).
    static func explorerObjective(_ o: ExplorerObjective) -> ExplorerObjective? { o == .clicks ? nil : o }

    /// `fairness: none` or `{kind: exposure-floor | fairco | tier-calibrated, …}`.
    static func readFairness(_ f: Fields, tiers: [String], _ r: inout NodeReader) -> FairnessControl? {
        guard let node = f["fairness"] else { return nil }
        if case .scalar = node {
            enum Kind: String, CaseIterable { case none, fairco, tierCalibrated = "tier-calibrated" }
            switch r.choice(node, at: f.path("fairness"), default: Kind.none) {
            case .none: return nil
            case .fairco: return .fairco(lambda: 0.001, merit: .true)
            case .tierCalibrated: return .tierCalibrated(priorClicks: 50)
            }
        }
        guard let m = r.mapping(node, at: f.path("fairness"), parentLine: f.line,
                                keys: ["kind", "group", "share", "windowHours", "lambda", "merit", "priorClicks"]) else { return nil }
        enum Kind: String, CaseIterable { case none, exposureFloor = "exposure-floor", fairco, tierCalibrated = "tier-calibrated" }
        guard let kindNode = m["kind"] else {
            r.fail(m.path("kind"), "missing; one of none | exposure-floor | fairco | tier-calibrated", line: m.line)
            return nil
        }
        let kind = r.choice(kindNode, at: m.path("kind"), default: Kind.none)
        let allowed: [Kind: [String]] = [.none: [], .exposureFloor: ["group", "share", "windowHours"], .fairco: ["lambda", "merit"],
                                         .tierCalibrated: ["priorClicks"]]
        for (key, _) in m.entries where key != "kind" && !allowed[kind]!.contains(key) {
            r.fail(m.path(key), "not a setting of \(kind.rawValue) (it takes \(allowed[kind]!.isEmpty ? "none" : allowed[kind]!.joined(separator: ", ")))", line: m.line(key))
        }
        switch kind {
        case .none: return nil
        case .exposureFloor:
            let group = r.string(m, "group", default: "new")
            if group != "new" && !tiers.contains(group) {
                r.fail(m.path("group"), "'\(group)' is neither a tier nor 'new' (tiers: \(tiers.joined(separator: ", ")))", line: m.line("group"))
            }
            if !m.has("share") { r.fail(m.path("share"), "missing; the exposure share to guarantee, e.g. 0.3", line: m.line) }
            return .exposureFloor(group: group, share: r.double(m, "share", default: 0.2, Bounds(min: 0, max: 1, minExclusive: true)),
                                  windowHours: r.double(m, "windowHours", default: 6, .range(1, 24 * 365)))
        case .fairco:
            return .fairco(lambda: r.double(m, "lambda", default: 0.001, .range(0, 1e6)), merit: r.choice(m, "merit", default: MeritSource.true))
        case .tierCalibrated:
            return .tierCalibrated(priorClicks: r.double(m, "priorClicks", default: 50, .range(0, 1e9)))
        }
    }

    /// `cohort` (default: each cohort's own objective) or one objective for everyone.
    static func readObjective(_ f: Fields, _ r: inout NodeReader) -> Objective? {
        enum Choice: String, CaseIterable { case cohort, clicks, conversions, orderValue = "order-value" }
        switch r.choice(f, "objective", default: Choice.cohort) {
        case .cohort: return nil
        case .clicks: return .clicks
        case .conversions: return .conversions
        case .orderValue: return .orderValue
        }
    }

    static func readRanker(_ f: Fields, _ r: inout NodeReader) -> RankerSettings {
        guard let node = f["ranker"] else { return defaultRanker }
        var settings = defaultRanker
        if case .scalar = node {
            settings.kind = r.choice(node, at: f.path("ranker"), default: RankerKind.global)
            return settings
        }
        guard let m = r.mapping(node, at: f.path("ranker"), parentLine: f.line,
                                keys: ["kind", "learningRate", "l2", "epochs", "updateEveryHours", "tierFeatures", "conversionModel",
                                        "conversionWindowHours"] + metaKeys) else { return settings }
        settings.kind = r.choice(m, "kind", default: RankerKind.global)
        if m.has("tierFeatures") {
            if settings.kind == .oracle {
                r.fail(m.path("tierFeatures"), "applies only to learned rankers (global, meta, finetune); the oracle knows the true model", line: m.line("tierFeatures"))
            } else {
                settings.tierFeatures = r.bool(m, "tierFeatures", default: false)
            }
        }
        for key in ["conversionModel", "conversionWindowHours"] where m.has(key) && settings.kind == .oracle {
            r.fail(m.path(key), "applies only to learned rankers (global, meta, finetune); the oracle knows the true model", line: m.line(key))
        }
        if settings.kind != .oracle {
            settings.conversionModel = r.choice(m, "conversionModel", default: ConversionModelKind.counts)
            settings.conversionWindowHours = r.double(m, "conversionWindowHours", default: 24, .range(0.25, 24 * 365))
            if m.has("conversionWindowHours") && settings.conversionModel != .learned {
                r.fail(m.path("conversionWindowHours"), "applies only with conversionModel: learned", line: m.line("conversionWindowHours"))
            }
        }
        readMeta(m, &r, into: &settings)
        settings.learningRate = r.double(m, "learningRate", default: settings.learningRate, Bounds(min: 0, max: 10, minExclusive: true))
        settings.l2 = r.double(m, "l2", default: settings.l2, .range(0, 10))
        settings.epochs = r.int(m, "epochs", default: settings.epochs, min: 1, max: 100)
        if m.has("updateEveryHours") {
            settings.updateEveryHours = r.double(m, "updateEveryHours", default: 24, .range(0.25, 24 * 3650))
        }
        return settings
    }

    static let metaKeys = ["method", "innerSteps", "innerLearningRate", "supportSize", "querySize", "personalBlock",
                           "coldStart", "metaIterations", "metaBatch", "outerLearningRate", "adaptEveryHours", "windowHours", "cohortBlocks",
                           "taskSampling", "conversionBlocks"]

    /// The personal-block keys of a `meta` or `finetune` ranker; an error on any other kind.
    static func readMeta(_ m: Fields, _ r: inout NodeReader, into settings: inout RankerSettings) {
        let given = metaKeys.filter { m.has($0) }
        if settings.kind != .meta && settings.kind != .finetune {
            for key in given {
                r.fail(m.path(key), "applies only to rankers of kind meta or finetune (this one is \(settings.kind.rawValue))", line: m.line(key))
            }
            return
        }
        if settings.kind == .finetune {
            for key in ["method", "coldStart", "metaIterations", "metaBatch", "outerLearningRate", "querySize", "taskSampling"] where m.has(key) {
                r.fail(m.path(key), "is a meta-training setting; a finetune ranker has no meta-training", line: m.line(key))
            }
        }
        var meta = MetaRankerSettings()
        meta.method = r.choice(m, "method", default: meta.method)
        meta.innerSteps = r.int(m, "innerSteps", default: meta.innerSteps, min: 1, max: 50)
        meta.innerLearningRate = r.double(m, "innerLearningRate", default: meta.innerLearningRate, Bounds(min: 0, max: 100, minExclusive: true))
        meta.supportSize = r.int(m, "supportSize", default: meta.supportSize, min: 1, max: 10_000)
        meta.querySize = r.int(m, "querySize", default: meta.querySize, min: 1, max: 10_000)
        meta.personalBlock = r.choice(m, "personalBlock", default: meta.personalBlock)
        meta.coldStart = r.choice(m, "coldStart", default: meta.coldStart)
        meta.metaIterations = r.int(m, "metaIterations", default: meta.metaIterations, min: 0, max: 1_000_000)
        meta.metaBatch = r.int(m, "metaBatch", default: meta.metaBatch, min: 1, max: 100_000)
        meta.outerLearningRate = r.double(m, "outerLearningRate", default: meta.outerLearningRate, Bounds(min: 0, max: 10, minExclusive: true))
        meta.adaptEveryHours = r.double(m, "adaptEveryHours", default: meta.adaptEveryHours, .range(0.05, 24 * 3650))
        if m.has("windowHours") { meta.windowHours = r.double(m, "windowHours", default: 168, Bounds(min: 0, max: 24 * 3650, minExclusive: true)) }
        meta.cohortBlocks = r.bool(m, "cohortBlocks", default: false)
        meta.taskSampling = r.choice(m, "taskSampling", default: TaskSampling.uniform)
        meta.conversionBlocks = r.bool(m, "conversionBlocks", default: false)
        if meta.conversionBlocks && settings.conversionModel != .learned {
            r.fail(m.path("conversionBlocks"), "needs conversionModel: learned (the blocks sit on the learned conversion model)",
                   line: m.line("conversionBlocks"))
        }
        settings.meta = meta
    }
}
