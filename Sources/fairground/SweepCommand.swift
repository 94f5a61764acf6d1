import ArgumentParser
import Foundation
import Reporting
import Scenario
import Sweeps

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a grid of scenario overrides; resumable, parallel, and shardable across machines.",
        discussion: """
            Each finished cell is written at once to OUT/cells/<hash>.json; rerunning skips finished cells, so a \
            killed sweep resumes where it stopped. When every cell is present, OUT gets sweep.json, sweep.csv, \
            sweep.md, sweep.html and frontier.svg.
            Sharding: --shard I/N runs cells I, I+N, I+2N, … (I from 0). Without --shard, the shard is read from \
            Kubernetes Indexed Jobs (JOB_COMPLETION_INDEX, with N in FAIRGROUND_SHARDS) or Slurm job arrays \
            (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN, N = SLURM_ARRAY_TASK_COUNT). Combine shard folders \
            with `fairground merge`.
            """)

    @Argument(help: "Sweep file (YAML).")
    var sweep: String

    @Option(help: "Output folder. Default: reports/<sweep name>.")
    var out: String?

    @OptionGroup var execution: ExecutionOptions

    @OptionGroup var memory: MemoryOptions

    @Option(help: "Run only shard I of N (I from 0), e.g. 2/8.")
    var shard: String?

    static func parseShard(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 0, i < n else { return nil }
        return (i, n)
    }

    /// The shard from the flag, else from a scheduler's environment, else (0, 1).
    func resolvedShard() throws -> (index: Int, count: Int) {
        if let shard {
            guard let s = Self.parseShard(shard) else { throw ValidationError("--shard must be I/N with 0 ≤ I < N, got '\(shard)'") }
            return s
        }
        let env = ProcessInfo.processInfo.environment
        /// A set variable must be a whole number: a malformed index must never mean "unsharded".
        func number(_ name: String) throws -> Int? {
            guard let text = env[name] else { return nil }
            guard let value = Int(text) else { throw ValidationError("\(name)='\(text)' is not a whole number") }
            return value
        }
        if let i = try number("JOB_COMPLETION_INDEX") {
            guard let n = try number("FAIRGROUND_SHARDS"), n >= 1, i >= 0, i < n else {
                throw ValidationError("JOB_COMPLETION_INDEX=\(i) needs FAIRGROUND_SHARDS set to the number of completions (greater than the index)")
            }
            return (i, n)
        }
        if let id = try number("SLURM_ARRAY_TASK_ID") {
            let first = try number("SLURM_ARRAY_TASK_MIN") ?? 0
            guard let n = try number("SLURM_ARRAY_TASK_COUNT"), id - first >= 0, id - first < n else {
                throw ValidationError("SLURM_ARRAY_TASK_ID=\(id) needs SLURM_ARRAY_TASK_COUNT (and SLURM_ARRAY_TASK_MIN) consistent with it")
            }
            return (id - first, n)
        }
        return (0, 1)
    }

    func validate() throws {
        _ = try resolvedShard()
    }

    func run() throws {
        let loaded = try ScenarioFiles.loadSweep(sweep)
        let folder = out ?? "reports/\(loaded.name)"
        let shard = try resolvedShard()
        try memory.check(loaded, file: sweep, jobs: execution.workers)
        let outcome: SweepRunner.Outcome
        do {
            outcome = try SweepRunner.run(loaded, out: folder, shard: shard, jobs: execution.workers,
                                          progress: Terminal.progress("cells", quiet: execution.quiet))
        } catch let error as OutputFolderError {
            Terminal.error(error.description)
            throw ExitCode(73)
        } catch {
            Terminal.error("cannot write the sweep to \(folder): \(error)")
            throw ExitCode(73)
        }
        guard !execution.quiet else { return }
        let part = shard.count > 1 ? " (shard \(shard.index)/\(shard.count))" : ""
        print("Fairground sweep — \(loaded.name)\(part): \(outcome.ran) cells run, \(outcome.skipped) already finished, \(loaded.cells.count) in the grid")
        if outcome.complete, let document = try? SweepOutputs.read(folder) {
            for line in SweepReport.answer(document) { print("  " + line) }
        }
        print(outcome.complete ? "Report: \(folder)/sweep.html   Data: \(folder)/sweep.json, \(folder)/sweep.csv"
                               : "Not every cell is here yet: run the other shards, then `fairground merge` their folders.")
    }
}

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the folders of a sharded sweep into one (byte-identical to an unsharded run).")

    @Argument(help: "Shard output folders.")
    var directories: [String]

    @Option(help: "Folder for the merged sweep.")
    var out: String

    func run() throws {
        for d in directories {
            var info = stat()
            guard stat(d, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
                Terminal.error("\(d): \(errno == ENOENT ? "no such folder" : "not a folder")")
                throw ExitCode(66)
            }
        }
        // One merge at a time into a folder (the lock file sits beside it).
        let lock: FolderLock
        do {
            let target = URL(fileURLWithPath: out).standardizedFileURL
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            lock = try FolderLock(folder: target)
        } catch {
            Terminal.error("cannot write the merged sweep to \(out): \((error as? OutputFolderError)?.reason ?? RunCommand.reason(error))")
            throw ExitCode(73)
        }
        defer { lock.release() }
        do {
            try SweepOutputs.write(directories: directories, to: out)
        } catch let failure as SweepOutputs.Failure {
            Terminal.error(failure.description)
            throw ExitCode(65)
        } catch {
            Terminal.error("cannot write the merged sweep to \(out): \(error)")
            throw ExitCode(73)
        }
        if let document = try? SweepOutputs.read(out) {
            for line in SweepReport.answer(document) { print("  " + line) }
        }
        print("Report: \(out)/sweep.html   Data: \(out)/sweep.json, \(out)/sweep.csv")
    }
}
