import Foundation
import Yams

/// A validated sweep: a base scenario, a grid of overrides and what to optimise.
public struct Sweep: Sendable {
    public var name: String
    public var baseFile: String
    /// The policy whose metrics each cell reports (by name).
    public var policy: String
    /// Grid keys (dotted paths) in file order.
    public var keys: [String]
    public var cells: [SweepCell]
    public var objective: SweepObjective
    /// The reference cell's values for some grid keys (`reference:` in the file): paired
    /// differences compare each cell with the cell that has these values and its own values for
    /// the other keys. Default: the first grid key at its first value.
    public var reference: [String: String]
    /// Each grid key's values as written, in grid order.
    public var values: [String: [String]]
    /// The base scenario's tree (with the sweep's replicates and seed) as YAML text, where
    /// `cell(index:overrides:)` applies overrides (`Node` is not `Sendable`).
    let baseText: String
    let basePath: String
    let stem: String

    /// A cell outside the grid (the tuner's): the base with these overrides (dotted path, value
    /// as written), validated like a grid cell and hashed the same way, so equal overrides find
    /// the same cached result.
    public func cell(index: Int, overrides: [(path: String, value: String)]) throws(ScenarioError) -> SweepCell {
        var tree: Node?
        do { tree = try Yams.compose(yaml: baseText) } catch {
            throw .invalid(file: basePath, issues: [ScenarioIssue(path: "base", message: "cannot be read again: \(error)", line: nil)])
        }
        for o in overrides {
            do { tree = try Overrides.set(o.path, to: Node(o.value), in: tree) } catch {
                throw .invalid(file: basePath, issues: [ScenarioIssue(path: o.path, message: (error as? Overrides.Failure)?.message ?? "\(error)", line: nil)])
            }
        }
        let scenario = try ScenarioLoader.build(tree, file: basePath, defaultName: stem)
        return SweepCell(index: index, overrides: overrides, scenario: scenario, hash: SweepLoader.cellHash(tree, policy: policy))
    }
}

/// One point of the grid: its overrides and the scenario they resolve to.
public struct SweepCell: Sendable {
    public var index: Int
    /// (dotted path, value as written) for each grid key.
    public var overrides: [(path: String, value: String)]
    public var scenario: Scenario
    /// Hex hash of the resolved scenario text: a finished cell is recognised by it.
    public var hash: String
}

/// What a sweep maximises, subject to constraints, over a metric path of the chosen policy
/// (e.g. `revenue`, `tiers.small.spendDelivery`, `fairness.disparity`, `exploration.hitsFound`).
public struct SweepObjective: Sendable, Codable {
    public var maximize: String
    public var constraints: [SweepConstraint]
}

public struct SweepConstraint: Sendable, Codable {
    public var metric: String
    public var atLeast: Double?
    public var atMost: Double?
}

/// Reads sweep files: `base`, `grid`, optional `name`, `replicates`, `seed`, `policy`, `objective`.
public enum SweepLoader {
    static let keys = ["name", "base", "replicates", "seed", "policy", "grid", "objective", "reference"]
    /// The most cells a sweep grid may have: every cell is validated when the file is loaded
    /// (about 0.2 ms each, so 2 s at the limit), and each is a whole simulation when it runs.
    public static let maxCells = 10_000
    /// Metric paths a sweep may optimise or constrain: a top-level figure, or group.field.
    static let topMetrics = ["revenue", "advertiserWelfare", "regretVsOracle"]
    static let tierFields = ["spend", "budget", "spendDelivery", "impressions", "exposureShare", "clicks", "conversions", "logloss", "auc", "calibration"]
    static let fairnessFields = ["exposureGini", "jain", "disparity", "disparityEstimated", "disparityNew", "disparateTreatmentRatio"]
    static let explorationFields = ["impressionShare", "cost", "hitsFound", "hitsGained", "newAdsWithClick", "hoursToFirstClick"]

    /// Every metric path a sweep can read for scenarios with these tiers (the tiers and `new`).
    public static func metricPaths(tiers: [String]) -> [String] {
        topMetrics + fairnessFields.map { "fairness.\($0)" } + explorationFields.map { "exploration.\($0)" }
            + (tiers + ["new"]).flatMap { t in tierFields.map { "tiers.\(t).\($0)" } }
    }

    /// What identifies a finished cell: the resolved scenario text, the reported policy, and the
    /// cell file's format (cells stored in an older format, or for another policy, run again).
    static func cellHash(_ tree: Node?, policy: String) -> String {
        let canonical = (try? Yams.serialize(node: tree ?? Node("", .implicit))) ?? ""
        return Overrides.hash(canonical + "\n# policy: \(policy)\n# cell format: 2\n")
    }

    /// Whether a YAML file is a sweep (its top-level mapping has `base` and `grid`) rather than a
    /// scenario; false for unreadable or unparsable text, which the scenario loader then reports.
    public static func isSweep(path: String) -> Bool {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let root = try? Yams.compose(yaml: text), case .mapping(let m) = root else { return false }
        let keys = Set(m.keys.compactMap(\.string))
        return keys.contains("base") && keys.contains("grid")
    }

    public static func load(path: String) throws(ScenarioError) -> Sweep {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "not readable as UTF-8 text" : "no such file")
        }
        let root = try ScenarioLoader.compose(yaml: text, file: path)
        var r = NodeReader()
        guard let top = r.mapping(root, at: "", parentLine: nil, keys: keys) else { throw .invalid(file: path, issues: r.issues) }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        guard top.has("base") else { throw .invalid(file: path, issues: [ScenarioIssue(path: "base", message: "missing; the scenario file the grid overrides", line: top.line)]) }
        let baseName = r.string(top, "base", default: "")
        let basePath = baseName.hasPrefix("/") ? baseName : folder.appendingPathComponent(baseName).path
        let baseText: String
        do { baseText = try String(contentsOfFile: basePath, encoding: .utf8) } catch {
            throw .invalid(file: path, issues: [ScenarioIssue(path: "base", message: "cannot read '\(basePath)'", line: top.line("base"))])
        }
        let stem = URL(fileURLWithPath: basePath).deletingPathExtension().lastPathComponent
        var baseRoot = try ScenarioLoader.compose(yaml: baseText, file: basePath)
        // Sweep-level replicates and seed are overrides like any other.
        for key in ["replicates", "seed"] where top.has(key) { baseRoot = try? Overrides.set(key, to: top[key]!, in: baseRoot) ?? baseRoot }
        let base = try ScenarioLoader.build(baseRoot, file: basePath, defaultName: stem)
        let name = r.string(top, "name", default: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
        if top.has("name"), let problem = NameRules.folderProblem(name) { r.fail("name", problem, line: top.line("name")) }

        var policy = base.policies.last!.name
        if let p = top["policy"] {
            if let i = p.int, i >= 0, i < base.policies.count { policy = base.policies[i].name }
            else if let s = p.string, base.policies.contains(where: { $0.name == s }) { policy = s }
            else { r.fail("policy", "not a policy of the base scenario (\(base.policies.map(\.name).joined(separator: ", ")))", line: top.line("policy")) }
        }

        // The grid: path → list of values.
        var axes: [(path: String, values: [Node], line: Int?)] = []
        if let grid = top["grid"], case .mapping(let m) = grid, !m.isEmpty {
            for (k, v) in m {
                let key = k.string ?? ""
                guard case .sequence(let values) = v, !values.isEmpty else {
                    r.fail("grid.\(key)", "expected a non-empty list of values", line: lineOf(v)); continue
                }
                if (try? Overrides.parsePath(key)) == nil { r.fail("grid.\(key)", "not a path like tiers.small.count or policies[1].explorer.rate", line: lineOf(k)); continue }
                axes.append((key, Array(values), lineOf(k)))
            }
        } else {
            r.fail("grid", "missing or empty; a mapping of dotted paths to lists of values", line: top.line("grid"))
        }
        let objective = readObjective(top, tiers: base.tiers.map(\.name), &r)
        let reference = readReference(top, axes: axes.map { ($0.path, $0.values.map(describe)) }, &r)
        // The grid's size, multiplied out with overflow checks before a single cell is built.
        var product = 1
        for axis in axes {
            let (next, overflow) = product.multipliedReportingOverflow(by: axis.values.count)
            product = overflow ? Int.max : next
        }
        if product > maxCells {
            let sizes = axes.map { String($0.values.count) }.joined(separator: " × ")
            r.fail("grid", "\(sizes) = \(product == Int.max ? "more than 9.2e18" : String(product)) cells; at most \(maxCells) are allowed", line: top.line("grid"))
            throw .invalid(file: path, issues: r.issues)
        }
        // Problems so far (name, policy, objective, reference) do not stop the cells' checks.
        // Each value set alone on the base: a path the base cannot take fails here once per key,
        // not once per cell (unless another grid key builds the structure it needs).
        // Such a key is left out of the cells, so the other keys' problems are still found.
        var broken: Set<String> = []
        for axis in axes where !axes.contains(where: { $0.path != axis.path && axis.path.hasPrefix($0.path) }) {
            for value in axis.values {
                do { _ = try Overrides.set(axis.path, to: value, in: baseRoot) } catch {
                    r.fail("grid.\(axis.path)", (error as? Overrides.Failure)?.message ?? "\(error)", line: axis.line)
                    broken.insert(axis.path)
                    break
                }
            }
        }

        // The cells: the cartesian product, first key outermost.
        var cells: [SweepCell] = []
        var issues: [ScenarioIssue] = r.issues
        var reported: Set<String> = []
        /// The grid key an issue at `path` comes from (the longest key that is a prefix of it).
        func axis(of path: String) -> (path: String, values: [Node], line: Int?)? {
            axes.filter { path == $0.path || path.hasPrefix($0.path + ".") || path.hasPrefix($0.path + "[") }
                .max { $0.path.count < $1.path.count }
        }
        let counts = axes.map(\.values.count)
        let total = counts.reduce(1, *)
        for index in 0..<total {
            var rest = index, choice = Array(repeating: 0, count: axes.count)
            for a in stride(from: axes.count - 1, through: 0, by: -1) { choice[a] = rest % counts[a]; rest /= counts[a] }
            var tree = baseRoot
            var overrides: [(String, String)] = []
            for (a, axis) in axes.enumerated() where !broken.contains(axis.path) {
                let value = axis.values[choice[a]]
                overrides.append((axis.path, describe(value)))
                do { tree = try Overrides.set(axis.path, to: value, in: tree) } catch {
                    let message = (error as? Overrides.Failure)?.message ?? "\(error)"
                    if reported.insert("grid.\(axis.path)\u{0}" + message).inserted {
                        issues.append(ScenarioIssue(path: "grid.\(axis.path)", message: message, line: axis.line))
                    }
                    continue
                }
            }
            do {
                let scenario = try ScenarioLoader.build(tree, file: basePath, defaultName: stem)
                cells.append(SweepCell(index: index, overrides: overrides, scenario: scenario, hash: cellHash(tree, policy: policy)))
            } catch {
                // Each problem once (not once per cell), at the sweep file's line of the grid key
                // that causes it; a problem of the base that only this cell's values bring out
                // names the base file's line and the cell's values.
                if case .invalid(_, let cellIssues) = error {
                    for issue in cellIssues {
                        guard reported.insert(issue.path + "\u{0}" + issue.message).inserted else { continue }
                        if let a = axis(of: issue.path) {
                            issues.append(ScenarioIssue(path: "grid.\(issue.path)", message: issue.message, line: a.line))
                        } else {
                            let values = overrides.map { "\($0.0) = \($0.1)" }.joined(separator: ", ")
                            let at = issue.line.map { " (\(URL(fileURLWithPath: basePath).lastPathComponent) line \($0))" } ?? ""
                            issues.append(ScenarioIssue(path: issue.path, message: "\(issue.message)\(at), first in the cell where \(values)", line: nil))
                        }
                    }
                }
            }
        }
        if !issues.isEmpty { throw .invalid(file: path, issues: issues) }
        return Sweep(name: name, baseFile: basePath, policy: policy, keys: axes.map(\.path), cells: cells, objective: objective,
                     reference: reference, values: Dictionary(uniqueKeysWithValues: axes.map { ($0.path, $0.values.map(describe)) }),
                     baseText: (try? Yams.serialize(node: baseRoot ?? Node("", .implicit))) ?? "", basePath: basePath, stem: stem)
    }

    /// `reference:`, a mapping of grid keys to one of their values; default the first key's first value.
    static func readReference(_ top: Fields, axes: [(path: String, values: [String])], _ r: inout NodeReader) -> [String: String] {
        guard let node = top["reference"] else { return axes.first.map { [$0.path: $0.values[0]] } ?? [:] }
        guard case .mapping(let m) = node, !m.isEmpty else {
            r.fail("reference", "expected a mapping of grid keys to one of their values, e.g. {\(axes.first?.path ?? "key"): 0}", line: lineOf(node))
            return [:]
        }
        var out: [String: String] = [:]
        for (k, v) in m {
            let key = k.string ?? ""
            guard let axis = axes.first(where: { $0.path == key }) else {
                r.fail("reference.\(key)", "not a grid key (\(axes.map(\.path).joined(separator: ", ")))", line: lineOf(k)); continue
            }
            let value = describe(v)
            guard axis.values.contains(value) else {
                r.fail("reference.\(key)", "'\(value)' is not one of the grid's values (\(axis.values.joined(separator: ", ")))", line: lineOf(v)); continue
            }
            out[key] = value
        }
        return out
    }

    static func describe(_ node: Node) -> String {
        if case .scalar(let s) = node { return s.string }
        return ((try? Yams.serialize(node: node)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\n", with: " ")
    }

    static func readObjective(_ top: Fields, tiers: [String], _ r: inout NodeReader) -> SweepObjective {
        var objective = SweepObjective(maximize: "revenue", constraints: [])
        guard let node = top["objective"], let f = r.mapping(node, at: "objective", parentLine: top.line, keys: ["maximize", "subjectTo"]) else { return objective }
        objective.maximize = r.string(f, "maximize", default: "revenue")
        check(objective.maximize, at: f.path("maximize"), line: f.line("maximize"), tiers: tiers, &r)
        if let list = f["subjectTo"] {
            guard case .sequence(let items) = list else { r.fail(f.path("subjectTo"), "expected a list of {metric, atLeast | atMost}", line: lineOf(list)); return objective }
            for (i, item) in items.enumerated() {
                guard let c = r.mapping(item, at: "objective.subjectTo[\(i)]", parentLine: lineOf(item), keys: ["metric", "atLeast", "atMost"]) else { continue }
                let metric = r.string(c, "metric", default: "")
                check(metric, at: c.path("metric"), line: c.line("metric"), tiers: tiers, &r)
                let lo = c.has("atLeast") ? r.double(c, "atLeast", default: 0) : nil
                let hi = c.has("atMost") ? r.double(c, "atMost", default: 0) : nil
                if lo == nil && hi == nil { r.fail(c.path("atLeast"), "give atLeast or atMost", line: c.line) }
                objective.constraints.append(SweepConstraint(metric: metric, atLeast: lo, atMost: hi))
            }
        }
        return objective
    }

    static func check(_ metric: String, at path: String, line: Int?, tiers: [String], _ r: inout NodeReader) {
        let parts = metric.split(separator: ".").map(String.init)
        let ok: Bool
        switch parts.count {
        case 1: ok = topMetrics.contains(parts[0])
        case 2: ok = (parts[0] == "fairness" && fairnessFields.contains(parts[1])) || (parts[0] == "exploration" && explorationFields.contains(parts[1]))
        case 3: ok = parts[0] == "tiers" && (tiers + ["new"]).contains(parts[1]) && tierFields.contains(parts[2])
        default: ok = false
        }
        if !ok {
            r.fail(path, "'\(metric)' is not a metric; use revenue, advertiserWelfare, tiers.<tier>.<\(tierFields.joined(separator: "|"))>, fairness.<…> or exploration.<…>", line: line)
        }
    }
}

/// Editing a composed YAML tree at a dotted path such as `policies[1].explorer.rate`.
enum Overrides {
    enum Component: Equatable { case key(String), index(Int) }
    struct Failure: Error { var message: String }

    static func parsePath(_ path: String) throws -> [Component] {
        var out: [Component] = []
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(part)
            guard let name = rest.split(separator: "[").first, !name.isEmpty else { throw Failure(message: "bad path") }
            out.append(.key(String(name)))
            rest = rest.dropFirst(name.count)
            while rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]"), let i = Int(rest[rest.index(after: rest.startIndex)..<close]) else { throw Failure(message: "bad index") }
                out.append(.index(i))
                rest = rest[rest.index(after: close)...]
            }
            guard rest.isEmpty else { throw Failure(message: "bad path") }
        }
        return out
    }

    static func set(_ path: String, to value: Node, in root: Node?) throws -> Node? {
        try set(try parsePath(path)[...], to: value, in: root ?? Node.mapping(Node.Mapping([])), path: "")
    }

    private static func set(_ components: ArraySlice<Component>, to value: Node, in node: Node, path: String) throws -> Node {
        guard let first = components.first else { return value }
        switch first {
        case .key(let key):
            guard case .mapping(var m) = node else { throw Failure(message: "'\(path)' is not a mapping, so it has no key '\(key)'") }
            let child = m[key] ?? Node.mapping(Node.Mapping([]))
            m[key] = try set(components.dropFirst(), to: value, in: child, path: path.isEmpty ? key : "\(path).\(key)")
            return .mapping(m)
        case .index(let i):
            guard case .sequence(var s) = node else { throw Failure(message: "'\(path)' is not a list in the base scenario (write it out there to override its items)") }
            guard i >= 0, i < s.count else { throw Failure(message: "'\(path)' has \(s.count) items, so there is no [\(i)]") }
            s[i] = try set(components.dropFirst(), to: value, in: s[i], path: "\(path)[\(i)]")
            return .sequence(s)
        }
    }

    /// 64-bit FNV-1a of the text, twice with different offsets: 32 hex digits.
    static func hash(_ text: String) -> String {
        var a: UInt64 = 0xCBF2_9CE4_8422_2325, b: UInt64 = 0x8422_2325_CBF2_9CE4
        for byte in text.utf8 {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 &+ 0x9E37_79B9
        }
        return String(format: "%016llx%016llx", a, b)
    }
}
