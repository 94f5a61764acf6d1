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
        let text = try readText(path)
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
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            throw .invalid(file: file, issues: duplicates.map { duplicateIssue($0, at: context.mark, in: yaml) })
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

    /// Reads `path` as UTF-8 text, saying precisely why not: no such file, a folder, a pipe or
    /// device, a symbolic-link loop, no permission, or not UTF-8.
    static func readText(_ path: String) throws(ScenarioError) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = errno == ENOENT ? "no such file" : errno == ELOOP ? "too many levels of symbolic links (a loop?)" : String(cString: strerror(errno))
            throw .unreadable(path: path, reason: reason)
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw .unreadable(path: path, reason: "it is a folder, not a file")
        default: throw .unreadable(path: path, reason: "not a regular file (a named pipe, socket or device)")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(path: path, reason: errno == EACCES ? "permission denied" : String(cString: strerror(errno)))
        }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() ?? Data() else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        guard let text = String(data: data, encoding: .utf8) else { throw .unreadable(path: path, reason: "not readable as UTF-8 text") }
        return text
    }

    /// Yams names a duplicated key and the line of its first occurrence in the mapping: report
    /// the second occurrence (same column in block style, later on the line or after it in flow
    /// style) with the parent keys found by indentation.
    private static func duplicateIssue(_ key: String, at mark: Mark, in yaml: String) -> ScenarioIssue {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.replacingOccurrences(of: "\r", with: "")) }
        let first = mark.line - 1, column = mark.column - 1
        guard first >= 0, first < lines.count else { return ScenarioIssue(path: key, message: "appears twice in the same mapping", line: nil) }
        let token = Array(key)
        func keyAt(_ l: Int, _ c: Int) -> Bool {
            let line = lines[l]
            guard c >= 0, c + token.count <= line.count, Array(line[c..<(c + token.count)]) == token else { return false }
            var e = c + token.count
            while e < line.count, line[e] == " " { e += 1 }
            let before: Character = c == 0 ? " " : line[c - 1]
            return e < line.count && line[e] == ":" && (before == " " || before == "{" || before == "," || before == "-")
        }
        var second: Int?
        let flow = lines[first].contains("{")
        search: for l in first..<lines.count {
            if flow {
                for c in stride(from: l == first ? column + 1 : 0, to: lines[l].count, by: 1) where keyAt(l, c) { second = l; break search }
            } else if l > first, keyAt(l, column) {
                second = l; break
            } else if l > first, lines[l].prefix(column).contains(where: { $0 != " " && $0 != "-" }) {
                break   // left the mapping
            }
        }
        // Parent keys: the nearest lines above with a smaller indentation; a list item ("- ")
        // between a key and the mapping adds its index, counted over the items before it.
        var parents: [String] = []
        var indent = flow ? lines[first].prefix { $0 == " " }.count : column
        var l = first + 1, items = 0, itemIndent: Int?
        while indent > 0, l > 0 {
            l -= 1
            let text = lines[l]
            let own = text.prefix { $0 == " " }.count
            guard own < text.count, text[own] != "#" else { continue }
            if text[own] == "-", own < indent {
                if itemIndent == nil || itemIndent == own { itemIndent = own; items += 1 }
                continue
            }
            guard own < indent, let colon = text.firstIndex(of: ":") else { continue }
            let name = String(text[own..<colon]).trimmingCharacters(in: .whitespaces)
            parents.insert(name + (itemIndent.map { $0 > own ? "[\(items - 1)]" : "" } ?? ""), at: 0)
            indent = own
            items = 0
            itemIndent = nil
        }
        if flow, column <= lines[first].count, let colon = lines[first][..<column].lastIndex(of: ":"), let start = lines[first][..<colon].lastIndex(where: { $0 == " " || $0 == "{" || $0 == "," }).map({ $0 + 1 }) ?? Optional(0) {
            let name = String(lines[first][start..<colon]).trimmingCharacters(in: .whitespaces)
            if !name.isEmpty { parents.append(name) }
        }
        return ScenarioIssue(path: (parents + [key]).joined(separator: "."), message: "appears twice in the same mapping",
                             line: (second ?? first) + 1)
    }

    private static func yamlIssue(_ error: YamlError) -> ScenarioIssue {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return ScenarioIssue(path: "", message: "not valid YAML: \(what)", line: mark.line)
        case .composer(_, let problem, let mark, _) where problem.contains("another document"):
            return ScenarioIssue(path: "", message: "only one YAML document is allowed (a second '---' starts another)", line: mark.line)
        case .composer(let context, let problem, let mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return ScenarioIssue(path: "", message: "not valid YAML: \(what)", line: mark.line)
        default:
            return ScenarioIssue(path: "", message: "not valid YAML: \(error)", line: nil)
        }
    }
}
