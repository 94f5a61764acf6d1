import ArgumentParser
import Foundation
import Scenario

/// Loading scenarios for the commands: errors go to stderr with the documented exit codes.
enum ScenarioFiles {
    static let quickstartPath = "scenarios/quickstart.yaml"

    /// Loads `path`, or the quickstart scenario when `path` is nil: scenarios/quickstart.yaml in
    /// the working folder, else in the checkout the executable was built in.
    /// A sweep file given where a scenario belongs is a usage error (64) that names the command to use.
    static func load(_ path: String?) throws -> Scenario {
        if let path, SweepLoader.isSweep(path: path) {
            Terminal.error("\(path) is a sweep file (it has top-level 'base' and 'grid' keys), not a scenario; run it with `fairground sweep \(path)`")
            throw ExitCode(64)
        }
        do {
            return try ScenarioLoader.load(path: path ?? defaultScenarioPath())
        } catch {
            Terminal.error(error.description)
            throw ExitCode(error.exitCode)
        }
    }

    /// Loads a sweep file, its errors reported like a scenario's.
    static func loadSweep(_ path: String) throws -> Sweep {
        do {
            return try SweepLoader.load(path: path)
        } catch {
            Terminal.error(error.description)
            throw ExitCode(error.exitCode)
        }
    }

    static func defaultScenarioPath() -> String { shipped(quickstartPath) }

    /// A shipped file such as scenarios/quickstart.yaml, from the working folder or else from the
    /// nearest folder above the executable (…/.build/release/fairground → the checkout) that has it.
    static func shipped(_ relativePath: String) -> String {
        if FileManager.default.fileExists(atPath: relativePath) { return relativePath }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent(relativePath).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return relativePath
    }
}

enum Terminal {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data(("fairground: " + message + "\n").utf8))
    }

    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// A "\r<done>/<total> <noun> done, 1:05 elapsed, about 2:10 left" progress line on stderr,
    /// or nil when quiet or not a terminal. The time left assumes the remaining runs take as long
    /// as the finished ones did on average.
    static func progress(_ noun: String, quiet: Bool) -> (@Sendable (Int, Int) -> Void)? {
        guard !quiet, stderrIsTerminal else { return nil }
        let start = Date()
        return { done, total in
            let elapsed = Date().timeIntervalSince(start)
            var line = "\rfairground: \(done)/\(total) \(noun) done, \(clock(elapsed)) elapsed"
            if done > 0 && done < total { line += ", about \(clock(elapsed / Double(done) * Double(total - done))) left" }
            FileHandle.standardError.write(Data((line + (done == total ? "\n" : "\u{1B}[K")).utf8))
        }
    }

    /// "0:42", "12:05", "1:02:03".
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// Options shared by the commands that run simulations in parallel.
struct ExecutionOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Parallel workers (default: all cores). Results do not depend on it.")
    var jobs: Int?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    var workers: Int { jobs ?? ProcessInfo.processInfo.activeProcessorCount }

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
    }
}
