import Foundation
import Yams

/// The entries of one YAML mapping, with the path and line used in error messages.
struct Fields {
    let path: String
    let line: Int?
    private(set) var entries: [(key: String, node: Node)] = []

    init(path: String, line: Int?) {
        self.path = path
        self.line = line
    }

    subscript(key: String) -> Node? { entries.first { $0.key == key }?.node }
    func has(_ key: String) -> Bool { self[key] != nil }
    func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    func line(_ key: String) -> Int? { self[key].flatMap(lineOf) ?? line }

    mutating func append(_ key: String, _ node: Node) { entries.append((key, node)) }
}

/// 1-based line of a node, when the parser recorded one.
func lineOf(_ node: Node) -> Int? { node.mark.map { $0.line } }

/// A range check applied to a number read from the scenario.
struct Bounds {
    var min: Double?
    var max: Double?
    var minExclusive = false

    static let any = Bounds()
    static let nonNegative = Bounds(min: 0)
    static let positive = Bounds(min: 0, minExclusive: true)
    static let probability = Bounds(min: 0, max: 1, minExclusive: true)
    static func range(_ lo: Double, _ hi: Double) -> Bounds { Bounds(min: lo, max: hi) }

    /// A message saying why `x` is out of bounds, or nil when it is fine.
    func violation(_ x: Double) -> String? {
        if !x.isFinite { return "must be a finite number, got \(x)" }
        if let lo = min, minExclusive ? x <= lo : x < lo {
            return "must be \(minExclusive ? "greater than" : "at least") \(format(lo)), got \(format(x))"
        }
        if let hi = max, x > hi { return "must be at most \(format(hi)), got \(format(x))" }
        return nil
    }

    private func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(format: "%g", x)
    }
}

/// Walks a composed YAML document, converting nodes to typed values and collecting every
/// problem (rather than stopping at the first) as a `ScenarioIssue`.
struct NodeReader {
    var issues: [ScenarioIssue] = []

    mutating func fail(_ path: String, _ message: String, line: Int?) {
        issues.append(ScenarioIssue(path: path, message: message, line: line))
    }

    /// Spellings accepted for a key besides its camelCase name (snake_case is accepted everywhere).
    static let aliases = ["inner_lr": "innerLearningRate", "outer_lr": "outerLearningRate"]

    /// "inner_steps" → "innerSteps"; other names unchanged.
    func camelCase(_ name: String) -> String {
        let parts = name.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count > 1 else { return name }
        return String(parts[0]) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// Reads a mapping whose keys must come from `keys` (or their snake_case spelling); a missing
    /// node yields an empty mapping.
    mutating func mapping(_ node: Node?, at path: String, parentLine: Int?, keys: [String]) -> Fields? {
        guard let node else { return Fields(path: path, line: parentLine) }
        guard case .mapping(let mapping) = node else {
            fail(path, "expected a mapping (key: value lines), got \(describe(node))", line: lineOf(node))
            return nil
        }
        var fields = Fields(path: path, line: lineOf(node))
        for (keyNode, value) in mapping {
            guard let written = keyNode.string else {
                fail(path, "keys must be plain names", line: lineOf(keyNode))
                continue
            }
            let key = keys.contains(written) ? written : (Self.aliases[written] ?? camelCase(written))
            let childPath = path.isEmpty ? written : "\(path).\(written)"
            if fields.has(key) {
                fail(childPath, "appears twice", line: lineOf(keyNode))
            } else if keys.contains(key) {
                fields.append(key, value)
            } else {
                let hint = Suggestion.closest(to: written, in: keys).map { "; did you mean '\($0)'?" }
                    ?? "; expected one of: \(keys.joined(separator: ", "))"
                fail(childPath, "unknown key '\(written)'\(hint)", line: lineOf(keyNode))
            }
        }
        return fields
    }

    /// Reads a number, applying `bounds`; returns `fallback` (and records why) when it is bad.
    mutating func double(_ f: Fields, _ key: String, default fallback: Double, _ bounds: Bounds = .any) -> Double {
        guard let node = f[key] else { return fallback }
        return number(node, at: f.path(key), bounds) ?? fallback
    }

    mutating func number(_ node: Node, at path: String, _ bounds: Bounds) -> Double? {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any,
              let x = node.float else {
            fail(path, "expected a number, got \(describe(node))", line: lineOf(node))
            return nil
        }
        if let problem = bounds.violation(x) {
            fail(path, problem, line: lineOf(node))
            return nil
        }
        return x
    }

    mutating func int(_ f: Fields, _ key: String, default fallback: Int, min: Int, max: Int = Int(Int32.max)) -> Int {
        guard let node = f[key] else { return fallback }
        guard case .scalar = node, let x = node.int else {
            f[key].map { fail(f.path(key), "expected a whole number, got \(describe($0))", line: lineOf($0)) }
            return fallback
        }
        if x < min || x > max {
            fail(f.path(key), x < min ? "must be at least \(min), got \(x)" : "must be at most \(max), got \(x)", line: lineOf(node))
            return fallback
        }
        return x
    }

    mutating func bool(_ f: Fields, _ key: String, default fallback: Bool) -> Bool {
        guard let node = f[key] else { return fallback }
        guard case .scalar = node, let b = node.bool else {
            fail(f.path(key), "expected true or false, got \(describe(node))", line: lineOf(node))
            return fallback
        }
        return b
    }

    mutating func string(_ f: Fields, _ key: String, default fallback: String) -> String {
        guard let node = f[key] else { return fallback }
        guard case .scalar(let scalar) = node else {
            fail(f.path(key), "expected text, got \(describe(node))", line: lineOf(node))
            return fallback
        }
        return scalar.string
    }

    /// Reads one of an enumeration's raw values, suggesting the nearest on a typo.
    mutating func choice<E: RawRepresentable & CaseIterable>(_ f: Fields, _ key: String, default fallback: E) -> E
    where E.RawValue == String {
        guard let node = f[key] else { return fallback }
        return choice(node, at: f.path(key), default: fallback)
    }

    mutating func choice<E: RawRepresentable & CaseIterable>(_ node: Node, at path: String, default fallback: E) -> E
    where E.RawValue == String {
        let options = E.allCases.map(\.rawValue)
        guard case .scalar(let scalar) = node else {
            fail(path, "expected one of \(options.joined(separator: " | ")), got \(describe(node))", line: lineOf(node))
            return fallback
        }
        if let value = E(rawValue: scalar.string) { return value }
        let hint = Suggestion.closest(to: scalar.string, in: options).map { "; did you mean '\($0)'?" } ?? ""
        fail(path, "'\(scalar.string)' is not one of \(options.joined(separator: " | "))\(hint)", line: lineOf(node))
        return fallback
    }

    /// Reads a list of numbers; each element is checked against `bounds`.
    mutating func doubles(_ f: Fields, _ key: String, default fallback: [Double], _ bounds: Bounds = .any) -> [Double] {
        guard let node = f[key] else { return fallback }
        guard case .sequence(let sequence) = node else {
            fail(f.path(key), "expected a list of numbers, got \(describe(node))", line: lineOf(node))
            return fallback
        }
        var values: [Double] = []
        var ok = true
        for (i, element) in sequence.enumerated() {
            if let x = number(element, at: "\(f.path(key))[\(i)]", bounds) { values.append(x) } else { ok = false }
        }
        return ok ? values : fallback
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return s.string.isEmpty ? "an empty value" : "'\(s.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
