import ArgumentParser
import Foundation
import Scenario

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented starter scenario to edit and run.",
        discussion: """
            Templates: quickstart (does a per-advertiser ranker help small advertisers?), small-advertisers (30% new \
            advertisers this week), exploration (which exploration rate?), fairness (what does an exposure floor cost?). \
            Each runs in under a minute on 2 cores. An existing file is never overwritten unless --force is given.
            """)

    @Option(help: "quickstart | small-advertisers | exploration | fairness")
    var template: String = "quickstart"

    @Option(help: "The file to write. Default: <template>.yaml in the current folder.")
    var out: String?

    @Flag(help: "Overwrite the file if it exists.")
    var force = false

    func validate() throws {
        guard StarterTemplates.names.contains(template) else {
            let hint = Suggestion.closest(to: template, in: StarterTemplates.names).map { "; did you mean '\($0)'?" } ?? ""
            throw ValidationError("unknown template '\(template)'\(hint) — templates: \(StarterTemplates.names.joined(separator: ", "))")
        }
        if let out, out.isEmpty { throw ValidationError("--out must not be empty") }
    }

    func run() throws {
        let path = out ?? "\(template).yaml"
        if FileManager.default.fileExists(atPath: path) && !force {
            Terminal.error("\(path) exists; pass --force to overwrite it, or choose another --out")
            throw ExitCode(73)
        }
        do {
            try Data(StarterTemplates.text(template)!.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            Terminal.error("cannot write \(path): \(RunCommand.reason(error))")
            throw ExitCode(73)
        }
        print("Wrote \(path) (template \(template)). Next: edit it, then `fairground run \(path)`.")
    }
}
