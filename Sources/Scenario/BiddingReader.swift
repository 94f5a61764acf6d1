import Yams

/// Reads bidding strategies (`tiers.<name>.bidding`, `policies[].bidding`) and `advertiserDynamics`.
enum BiddingReader {
    enum Kind: String, CaseIterable {
        case fixedCPC = "fixed-cpc", maxConversions = "max-conversions", targetCPA = "target-cpa", targetROAS = "target-roas"
    }

    /// A strategy: `fixed-cpc`, `max-conversions`, or a one-key mapping such as
    /// `{target-cpa: {target: 12}}` whose settings are `target` (target-cpa and target-roas only),
    /// `shading` and `stepSize`.
    static func read(_ node: Node, at path: String, _ r: inout NodeReader) -> Bidding {
        if case .scalar = node {
            let kind = r.choice(node, at: path, default: Kind.fixedCPC)
            if kind == .targetCPA || kind == .targetROAS {
                r.fail(path, "\(kind.rawValue) needs a target, e.g. {\(kind.rawValue): {target: \(kind == .targetCPA ? "12" : "3")}}", line: lineOf(node))
                return .fixedCPC
            }
            return Bidding(strategy: kind == .maxConversions ? .maxConversions : .fixedCPC)
        }
        guard case .mapping(let m) = node, m.count == 1, let (keyNode, settings) = m.first else {
            r.fail(path, "expected a strategy name (fixed-cpc | max-conversions) or a one-key mapping such as {target-cpa: {target: 12}}", line: lineOf(node))
            return .fixedCPC
        }
        let kind = r.choice(keyNode, at: path, default: Kind.fixedCPC)
        let inner = "\(path).\(kind.rawValue)"
        let needsTarget = kind == .targetCPA || kind == .targetROAS
        let keys = (needsTarget ? ["target"] : []) + ["shading", "stepSize"]
        var f = Fields(path: inner, line: lineOf(settings))
        if case .scalar(let s) = settings, s.string.isEmpty || s.tag == Tag(.null) {
            // `{max-conversions: }`: no settings.
        } else if let read = r.mapping(settings, at: inner, parentLine: lineOf(keyNode), keys: keys) {
            f = read
        } else {
            return .fixedCPC
        }
        if needsTarget && !f.has("target") {
            r.fail(f.path("target"), "missing; \(kind.rawValue) needs a target (\(kind == .targetCPA ? "money per conversion" : "value ÷ spend, e.g. 3"))", line: f.line ?? lineOf(keyNode))
        }
        let target = r.double(f, "target", default: 1, Bounds(min: 0, max: TierReader.maxMoney, minExclusive: true))
        var shading: Shading?
        if let node = f["shading"] {
            if case .scalar(let text) = node, text.string == "equilibrium" {
                shading = .equilibrium
            } else if case .scalar = node, node.float == nil {
                r.fail(f.path("shading"), "expected a number in (0, 1] or 'equilibrium', got \(r.describe(node))", line: lineOf(node))
            } else if let x = r.number(node, at: f.path("shading"), Bounds(min: 0, max: 1, minExclusive: true)) {
                shading = .factor(x)
            }
        }
        let step = r.double(f, "stepSize", default: Bidding.defaultStepSize, Bounds(min: 0, max: 10, minExclusive: true))
        let strategy: BiddingStrategy
        switch kind {
        case .fixedCPC: strategy = .fixedCPC
        case .maxConversions: strategy = .maxConversions
        case .targetCPA: strategy = .targetCPA(target: target)
        case .targetROAS: strategy = .targetROAS(target: target)
        }
        return Bidding(strategy: strategy, shading: shading, stepSize: step)
    }

    /// `policies[i].bidding: {<tier>: <strategy>, …}`.
    static func readOverrides(_ f: Fields, tiers: [String], _ r: inout NodeReader) -> [String: Bidding] {
        guard let node = f["bidding"] else { return [:] }
        let path = f.path("bidding")
        guard case .mapping(let m) = node else {
            r.fail(path, "expected a mapping of tier names to strategies, e.g. {small: max-conversions}", line: lineOf(node))
            return [:]
        }
        var overrides: [String: Bidding] = [:]
        for (keyNode, value) in m {
            let name = keyNode.string ?? ""
            guard tiers.contains(name) else {
                let hint = Suggestion.closest(to: name, in: tiers).map { "; did you mean '\($0)'?" } ?? ""
                r.fail("\(path).\(name)", "'\(name)' is not a tier of this scenario (tiers: \(tiers.joined(separator: ", ")))\(hint)", line: lineOf(keyNode))
                continue
            }
            overrides[name] = read(value, at: "\(path).\(name)", &r)
        }
        return overrides
    }

    static let ruleKeys = ["intercept", "deliverySlope", "roiSlope", "expectedDelivery", "expectedROI"]

    /// `advertiserDynamics: {reviewEveryDays, counterfactual, budgetStep, churn: {…}, tiers: {<tier>: {…}}}`.
    static func readDynamics(_ top: Fields, tiers: [String], _ r: inout NodeReader) -> AdvertiserDynamics? {
        guard let node = top["advertiserDynamics"] else { return nil }
        if case .scalar(let s) = node, s.string == "off" { return nil }
        guard let f = r.mapping(node, at: "advertiserDynamics", parentLine: top.line,
                                keys: ["reviewEveryDays", "counterfactual", "budgetStep", "churn", "tiers"]) else { return nil }
        var d = AdvertiserDynamics()
        d.reviewEveryDays = r.double(f, "reviewEveryDays", default: d.reviewEveryDays, .range(1, 365))
        d.counterfactual = r.bool(f, "counterfactual", default: true)
        d.budgetStep = r.double(f, "budgetStep", default: d.budgetStep, .range(0, 0.9))
        d.churn = readRule(f["churn"], at: f.path("churn"), line: f.line, base: d.churn, &r)
        if let t = f["tiers"] {
            guard case .mapping(let m) = t else {
                r.fail(f.path("tiers"), "expected a mapping of tier names to churn rules, e.g. {small: {intercept: -4}}", line: lineOf(t))
                return d
            }
            for (keyNode, value) in m {
                let name = keyNode.string ?? ""
                let path = f.path("tiers") + "." + name
                guard tiers.contains(name) else {
                    let hint = Suggestion.closest(to: name, in: tiers).map { "; did you mean '\($0)'?" } ?? ""
                    r.fail(path, "'\(name)' is not a tier of this scenario (tiers: \(tiers.joined(separator: ", ")))\(hint)", line: lineOf(keyNode))
                    continue
                }
                d.tiers[name] = readRule(value, at: path, line: lineOf(keyNode), base: d.churn, &r)
            }
        }
        return d
    }

    static func readRule(_ node: Node?, at path: String, line: Int?, base: ChurnRule, _ r: inout NodeReader) -> ChurnRule {
        guard let node, let f = r.mapping(node, at: path, parentLine: line, keys: ruleKeys) else { return base }
        var rule = base
        rule.intercept = r.double(f, "intercept", default: base.intercept, .range(-20, 20))
        rule.deliverySlope = r.double(f, "deliverySlope", default: base.deliverySlope, .range(0, 100))
        rule.roiSlope = r.double(f, "roiSlope", default: base.roiSlope, .range(0, 100))
        rule.expectedDelivery = r.double(f, "expectedDelivery", default: base.expectedDelivery, .range(0, 1))
        rule.expectedROI = r.double(f, "expectedROI", default: base.expectedROI, .range(0, 1000))
        return rule
    }

    /// Checks that need the whole scenario: an autobidder must be able to see conversions (the mean
    /// conversion delay shorter than the horizon), and a review must fall inside the horizon.
    static func checkFeedback(_ s: Scenario, _ top: Fields, _ r: inout NodeReader) {
        let hours = s.horizon.days * 24
        if s.truth.conversionDelayHours >= hours {
            for (i, tier) in s.tiers.enumerated() where s.policies.indices.contains(where: { s.bidding(policy: $0, tier: i).strategy.autobids }) {
                r.fail("tiers.\(tier.name).bidding", "an autobidder learns from conversions, but truth.conversionDelayHours (\(Int(s.truth.conversionDelayHours))) is not shorter than the horizon (\(Int(hours)) hours): it would never see one", line: biddingLine(top, tier: tier.name) ?? top.line("truth"))
                break
            }
        }
        if let d = s.advertiserDynamics, d.reviewEveryDays >= s.horizon.days,
           !r.issues.contains(where: { $0.path == "advertiserDynamics.reviewEveryDays" || $0.path == "horizon.days" }) {
            let f = top["advertiserDynamics"]
            r.fail("advertiserDynamics.reviewEveryDays", "is \(d.reviewEveryDays) days, not shorter than the horizon (\(s.horizon.days) days): no advertiser would ever be reviewed", line: f.flatMap(lineOf) ?? top.line)
        }
    }

    /// The line of `tiers.<tier>.bidding`, or of any policy's override for the tier.
    static func biddingLine(_ top: Fields, tier: String) -> Int? {
        if case .mapping(let tiers)? = top["tiers"], case .mapping(let t)? = tiers.first(where: { $0.key.string == tier })?.value,
           let node = t.first(where: { $0.key.string == "bidding" })?.value {
            return lineOf(node)
        }
        if case .sequence(let list)? = top["policies"] {
            for item in list {
                if case .mapping(let p) = item, case .mapping(let b)? = p.first(where: { $0.key.string == "bidding" })?.value,
                   let node = b.first(where: { $0.key.string == tier })?.value {
                    return lineOf(node)
                }
            }
        }
        return nil
    }
}
