import ArgumentParser
import Foundation
import Scenario

/// Loading scenarios for the commands: errors go to stderr with the documented exit codes.
enum ScenarioFiles {
    static let quickstartPath = "scenarios/quickstart.yaml"

    /// Loads `path`, or the quickstart scenario when `path` is nil: scenarios/quickstart.yaml in
    /// the working folder, else in the checkout the executable was built in.
    static func load(_ path: String?) throws -> Scenario {
        do {
            return try ScenarioLoader.load(path: path ?? defaultScenarioPath())
        } catch {
            Terminal.error(error.description)
            throw ExitCode(error.exitCode)
        }
    }

    /// scenarios/quickstart.yaml from the working folder, or from the nearest folder above the
    /// executable (…/.build/release/fairground → the checkout) that has one.
    static func defaultScenarioPath() -> String {
        if FileManager.default.fileExists(atPath: quickstartPath) { return quickstartPath }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent(quickstartPath).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return quickstartPath
    }
}

enum Terminal {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data(("fairground: " + message + "\n").utf8))
    }

    static var stderrIsTerminal: Bool { isatty(2) == 1 }
}
