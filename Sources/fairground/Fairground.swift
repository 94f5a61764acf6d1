import ArgumentParser

/// The `fairground` command: parses arguments and calls the library; no simulation logic here.
@main
struct Fairground: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "fairground",
        abstract: "A fairness-aware ad allocation simulator: who gets exposure, who spends their budget, what each policy costs.",
        discussion: """
            With no arguments, runs scenarios/quickstart.yaml into reports/quickstart/.
            Exit codes: 0 success, 64 bad command line, 65 bad scenario data, 66 missing or unreadable file, \
            73 output cannot be written, 1 a reproduction check failed.
            """,
        version: version,
        subcommands: [RunCommand.self, InitCommand.self, ValidateCommand.self, ReportCommand.self, CompareCommand.self, FitCommand.self, SweepCommand.self, TuneCommand.self, MergeCommand.self, AuctionCommand.self, ReproduceCommand.self, BenchCommand.self],
        defaultSubcommand: RunCommand.self)
}
