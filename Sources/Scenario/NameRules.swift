/// What a name in a scenario may be: scenario names become folder names, policy and tier names
/// become CSV fields, chart file names, table cells and banner text.
public enum NameRules {
    /// Longest name accepted, in characters (a folder or chart file name stays under the 255-byte
    /// limit of common file systems even with its staging suffix).
    public static let maxLength = 100

    /// Why `name` is not a usable policy, tier or cohort name, or nil when it is fine: non-empty,
    /// at most `maxLength` characters, no line breaks or other control characters.
    public static func labelProblem(_ name: String) -> String? {
        if name.isEmpty { return "must be non-empty text" }
        if name.count > maxLength { return "is \(name.count) characters long; at most \(maxLength) are allowed" }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "must not contain line breaks, tabs or other control characters"
        }
        return nil
    }

    /// `name` with control characters escaped (`a\nb`), for field paths in messages.
    public static func shown(_ name: String) -> String {
        name.unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }.joined()
    }

    /// Why `name` cannot be a scenario or sweep name (its default output folder is
    /// `reports/<name>`), or nil: a label that is also one plain folder name — no `/`, not `.`
    /// or `..`, not starting with `.`.
    public static func folderProblem(_ name: String) -> String? {
        if let problem = labelProblem(name) { return problem }
        if name.contains("/") || name.contains("\\") {
            return "'\(name)' is the default output folder name (reports/<name>) and must not contain '/' or '\\'"
        }
        if name.hasPrefix(".") { return "'\(name)' is the default output folder name (reports/<name>) and must not start with '.'" }
        return nil
    }
}

/// Bounds shared by the scenario file and the command line, so both go through one check.
public enum ScenarioLimits {
    /// `replicates` in a file and `--replicates` on the command line.
    public static let replicates = 1...100_000
    /// `seed` in a file and `--seed` on the command line.
    public static let seed = 0...Int.max

    /// `--flag must be at least A, got X` / `at most B`, or nil when `value` is in `range`.
    public static func problem(_ flag: String, _ value: Int, _ range: ClosedRange<Int>) -> String? {
        if value < range.lowerBound { return "\(flag) must be at least \(range.lowerBound), got \(value)" }
        if value > range.upperBound { return "\(flag) must be at most \(range.upperBound), got \(value)" }
        return nil
    }
}
