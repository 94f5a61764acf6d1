import Yams

/// Reads the `policies` list.
enum PolicyReader {
    static let defaultRanker = RankerSettings(kind: .global, learningRate: 0.05, l2: 1e-4, epochs: 2, updateEveryHours: nil)

    static let defaultPolicies = [
        Policy(name: "global", ranker: defaultRanker, objective: nil),
        Policy(name: "oracle", ranker: RankerSettings(kind: .oracle, learningRate: 0.05, l2: 1e-4, epochs: 2, updateEveryHours: nil), objective: nil),
    ]

    static func readPolicies(_ top: Fields, _ r: inout NodeReader) -> [Policy] {
        guard let node = top["policies"] else { return defaultPolicies }
        guard case .sequence(let list) = node, !list.isEmpty else {
            r.fail("policies", "expected a non-empty list of policies", line: lineOf(node))
            return defaultPolicies
        }
        var policies: [Policy] = []
        for (i, item) in list.enumerated() {
            let path = "policies[\(i)]"
            guard let f = r.mapping(item, at: path, parentLine: lineOf(item), keys: ["name", "ranker", "objective"]) else { continue }
            guard f.has("name") else {
                r.fail(f.path("name"), "missing; every policy needs a name", line: f.line)
                continue
            }
            let name = r.string(f, "name", default: "")
            if name.isEmpty || name.contains(",") || name.contains("\n") {
                r.fail(f.path("name"), "must be non-empty text without commas or line breaks", line: f.line("name"))
            }
            if policies.contains(where: { $0.name == name }) {
                r.fail(f.path("name"), "'\(name)' is used by an earlier policy", line: f.line("name"))
            }
            policies.append(Policy(name: name, ranker: readRanker(f, &r), objective: readObjective(f, &r)))
        }
        return policies
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
                                keys: ["kind", "learningRate", "l2", "epochs", "updateEveryHours"]) else { return settings }
        settings.kind = r.choice(m, "kind", default: RankerKind.global)
        settings.learningRate = r.double(m, "learningRate", default: settings.learningRate, Bounds(min: 0, max: 10, minExclusive: true))
        settings.l2 = r.double(m, "l2", default: settings.l2, .range(0, 10))
        settings.epochs = r.int(m, "epochs", default: settings.epochs, min: 1, max: 100)
        if m.has("updateEveryHours") {
            settings.updateEveryHours = r.double(m, "updateEveryHours", default: 24, .range(0.25, 24 * 3650))
        }
        return settings
    }
}
