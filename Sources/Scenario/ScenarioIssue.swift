/// One problem found in a scenario file, located by field path and YAML line.
public struct ScenarioIssue: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var line: Int?

    public init(path: String, message: String, line: Int?) {
        self.path = path
        self.message = message
        self.line = line
    }

    /// `path.to.field: what is wrong (line N)`.
    public var description: String {
        let location = line.map { " (line \($0))" } ?? ""
        return "\(path.isEmpty ? "<document>" : path): \(message)\(location)"
    }
}

/// Why a scenario could not be loaded.
public enum ScenarioError: Error, Sendable, CustomStringConvertible {
    /// The file is missing or unreadable (exit code 66).
    case unreadable(path: String, reason: String)
    /// The file was read but is not a valid scenario; every problem is listed (exit code 65).
    case invalid(file: String, issues: [ScenarioIssue])

    /// The sysexits.h code for this failure: 66 (EX_NOINPUT) or 65 (EX_DATAERR).
    public var exitCode: Int32 {
        switch self {
        case .unreadable: return 66
        case .invalid: return 65
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): cannot read scenario: \(reason)"
        case .invalid(let file, let issues):
            let noun = issues.count == 1 ? "problem" : "problems"
            return "\(file): \(issues.count) \(noun)\n" + issues.map { "  \($0)" }.joined(separator: "\n")
        }
    }
}

/// Suggests the closest known name for a misspelt key (or command).
public enum Suggestion {
    /// The candidate within edit distance 2 (or sharing a long prefix) closest to `word`.
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let lower = word.lowercased()
        var best: (String, Int)?
        for c in candidates {
            let d = distance(lower, c.lowercased())
            if d <= max(2, c.count / 3), best == nil || d < best!.1 { best = (c, d) }
        }
        return best?.0
    }

    /// Levenshtein edit distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1,
                                       previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
