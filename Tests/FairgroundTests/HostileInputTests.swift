import Foundation
import Testing

/// The hostile-input corpus (Hostile/cases.txt): each case runs the built CLI and must give its
/// documented exit code and message — never a trap, never a stack trace.
@Suite("Hostile inputs: bad files, flags and damaged run folders give their exit code and message")
struct HostileInputTests {
    /// One line of Hostile/cases.txt.
    struct Case: Sendable, CustomTestStringConvertible {
        var id: String
        var status: Int32
        var arguments: [String]
        var fragment: String
        var testDescription: String { id }
    }

    static let corpus = Fixtures.repositoryRoot.appendingPathComponent("Tests/FairgroundTests/Hostile")

    static let cases: [Case] = {
        guard let text = try? String(contentsOf: corpus.appendingPathComponent("cases.txt"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line -> Case? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { return nil }
            let parts = trimmed.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 4, let status = Int32(parts[1]) else { return Case(id: "malformed: \(trimmed)", status: -1, arguments: [], fragment: "") }
            return Case(id: parts[0], status: status, arguments: parts[2].split(separator: " ").map(String.init), fragment: parts[3])
        }
    }()

    /// A finished run of Hostile/scenarios/small.yaml, made once; `{run:…}` cases copy it.
    static let finishedRun: URL? = {
        guard let folder = try? Fixtures.temporaryFolder() else { return nil }
        let out = folder.appendingPathComponent("small")
        let result = try? Fixtures.runCLI(["run", corpus.appendingPathComponent("scenarios/small.yaml").path,
                                           "--out", out.path, "--jobs", "1", "--quiet"])
        return result?.status == 0 ? out : nil
    }()

    @Test("the manifest is well formed and covers the corpus")
    func manifestCoversTheCorpus() throws {
        #expect(Self.cases.count >= 50)
        for c in Self.cases {
            #expect(c.status >= 0, "\(c.id)")
            #expect(c.status == 0 || !c.fragment.isEmpty, "\(c.id): a failing case needs the message it must print")
        }
        #expect(Set(Self.cases.map(\.id)).count == Self.cases.count, "case ids are unique")
        // Every file of the corpus is used by some case, so none is left unchecked.
        let manifest = try String(contentsOf: Self.corpus.appendingPathComponent("cases.txt"), encoding: .utf8)
        for folder in ["scenarios", "sweeps", "csv"] {
            for file in try FileManager.default.contentsOfDirectory(atPath: Self.corpus.appendingPathComponent(folder).path)
            where file != "small.yaml" {
                #expect(manifest.contains("\(folder)/\(file)"), "\(folder)/\(file) is not used by any case")
            }
        }
    }

    @Test("every case gives its exit code and message", arguments: cases)
    func corpusCase(_ c: Case) throws {
        let out = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        func expand(_ text: String) throws -> String {
            if text == "{empty}" { return "" }
            if text.hasPrefix("{run:"), text.hasSuffix("}") {
                let spec = text.dropFirst(5).dropLast().split(separator: "=", maxSplits: 1).map(String.init)
                let base = try #require(Self.finishedRun, "the corpus's small.yaml did not run")
                let copy = out.appendingPathComponent("run")
                try FileManager.default.copyItem(at: base, to: copy)
                try FileManager.default.removeItem(at: copy.appendingPathComponent(spec[0]))
                try FileManager.default.copyItem(at: Self.corpus.appendingPathComponent(spec[1]), to: copy.appendingPathComponent(spec[0]))
                return copy.path
            }
            return text.replacingOccurrences(of: "{dir}", with: Self.corpus.path).replacingOccurrences(of: "{out}", with: out.path)
        }
        var environment: [String: String] = [:]
        var arguments = c.arguments
        while let first = arguments.first, let eq = first.firstIndex(of: "="), first.prefix(upTo: eq).allSatisfy({ $0.isUppercase || $0 == "_" }) {
            environment[String(first[..<eq])] = String(first[first.index(after: eq)...])
            arguments.removeFirst()
        }
        let result = try Fixtures.runCLI(try arguments.map(expand), environment: environment, in: out)
        let fragment = try expand(c.fragment)
        #expect(result.status == c.status, "\(c.id): exit \(result.status), stderr: \(result.stderr.prefix(600))")
        #expect(fragment.isEmpty || (result.stderr + result.stdout).contains(fragment), "\(c.id): '\(fragment)' not in: \(result.stderr.prefix(600))\(result.stdout.prefix(200))")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"), "\(c.id) crashed")
        // A case that fails before simulating must not leave an output behind.
        if c.status != 0 { #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("r/metrics.json").path), "\(c.id)") }
    }

    @Test("a tier name with a comma and quotes is one quoted CSV field, and report reads it back")
    func quotedTierNamesRoundTrip() throws {
        let out = try Fixtures.temporaryFolder().appendingPathComponent("comma")
        let scenario = Self.corpus.appendingPathComponent("scenarios/tier-name-comma.yaml").path
        let run = try Fixtures.runCLI(["run", scenario, "--out", out.path, "--jobs", "1", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let advertisers = try String(contentsOf: out.appendingPathComponent("advertisers.csv"), encoding: .utf8)
        #expect(advertisers.contains(",\"small, \"\"local\"\"\",false,"))
        let timeseries = try String(contentsOf: out.appendingPathComponent("timeseries.csv"), encoding: .utf8)
        #expect(timeseries.hasPrefix("policy,replicate,hour,revenue,\"spend_small, \"\"local\"\"\",spend_large,spend_new,"))
        let before = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        let report = try Fixtures.runCLI(["report", out.path])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8) == before)
    }
}
