import Foundation
import Yams

/// Reads scenario files: YAML text → validated `Scenario`, or every problem at once.
///
///     do { let s = try ScenarioLoader.load(path: "scenarios/quickstart.yaml") }
///     catch let e as ScenarioError { print(e); exit(e.exitCode) }
public enum ScenarioLoader {
    /// Loads and validates the scenario file at `path`.
    /// - Throws: `ScenarioError.unreadable` for a missing or unreadable file,
    ///   `ScenarioError.invalid` with all problems for a bad one.
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "not readable as UTF-8 text" : "no such file"
            throw .unreadable(path: path, reason: reason)
        }
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try parse(yaml: text, file: path, defaultName: stem)
    }

    /// Parses and validates scenario YAML held in memory.
    public static func parse(yaml: String, file: String = "<scenario>", defaultName: String = "scenario") throws(ScenarioError) -> Scenario {
        try build(try compose(yaml: yaml, file: file), file: file, defaultName: defaultName)
    }

    /// Composes YAML text into a node tree, turning parser errors into scenario issues with lines.
    public static func compose(yaml: String, file: String) throws(ScenarioError) -> Node? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch YamlError.duplicatedKeysInMapping(let duplicates, _) {
            throw .invalid(file: file, issues: duplicates.map { duplicateIssue($0, in: yaml) })
        } catch let error as YamlError {
            throw .invalid(file: file, issues: [yamlIssue(error)])
        } catch {
            throw .invalid(file: file, issues: [ScenarioIssue(path: "", message: "not valid YAML: \(error)", line: nil)])
        }
        return root
    }

    /// Validates an already composed YAML tree (used by sweeps, which edit the tree first).
    public static func build(_ root: Node?, file: String, defaultName: String) throws(ScenarioError) -> Scenario {
        var reader = NodeReader()
        let scenario = ScenarioBuilder.build(root, defaultName: defaultName, reader: &reader)
        if !reader.issues.isEmpty || scenario == nil {
            // Stable sort: by line, keeping discovery order within a line.
            let ordered = reader.issues.enumerated().sorted { a, b in
                (a.element.line ?? Int.max, a.offset) < (b.element.line ?? Int.max, b.offset)
            }.map(\.element)
            throw .invalid(file: file, issues: ordered)
        }
        return scenario!
    }

    /// Yams reports duplicated keys without their line: find the key's second occurrence.
    private static func duplicateIssue(_ key: String, in yaml: String) -> ScenarioIssue {
        var seen = 0
        for (i, line) in yaml.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var text = line.drop { $0 == " " }
            if text.hasPrefix("- ") { text = text.dropFirst(2) }
            if text.hasPrefix(key + ":") || text.hasPrefix("\"" + key + "\":") {
                seen += 1
                if seen == 2 { return ScenarioIssue(path: key, message: "appears twice in the same mapping", line: i + 1) }
            }
        }
        return ScenarioIssue(path: key, message: "appears twice in the same mapping", line: nil)
    }

    private static func yamlIssue(_ error: YamlError) -> ScenarioIssue {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return ScenarioIssue(path: "", message: "not valid YAML: \(what)", line: mark.line)
        default:
            return ScenarioIssue(path: "", message: "not valid YAML: \(error)", line: nil)
        }
    }
}
