import Foundation
import Reporting

/// The checks a sweep makes of its output folder before it writes there.
///
/// A sweep folder is shared by design (shards write cells into it at once, a rerun resumes from its
/// cells), so it is not staged and swapped like a run folder. Two rules keep it from mixing
/// outputs: a folder holding anything but a sweep's files (a run's report, say) is refused, and
/// when the plan changes (the base scenario or grid was edited) the old summary files go before the
/// new plan is written, so no `sweep.json` ever describes cells other than the plan's. Cells of the
/// old plan stay: they are keyed by hash and reused if the edit is undone.
enum SweepFolder {
    /// The summary files written when every cell is present.
    static let summaries = ["sweep.json", "sweep.csv", "sweep.md", "sweep.html", "frontier.svg"]
    /// Everything a sweep or a tune (which may share a sweep's folder and cells) writes.
    static let entries: Set<String> = Set(summaries + ["sweep-plan.json", "cells", "tune.md", "tune.json"])

    /// Refuses a folder that holds other files; removes a summary that belongs to another plan.
    static func prepare(_ directory: String, plan: SweepPlan) throws(OutputFolderError) {
        try refuseForeign(directory)
        let planPath = (directory as NSString).appendingPathComponent("sweep-plan.json")
        guard let text = try? String(contentsOfFile: planPath, encoding: .utf8) else { return }
        if (try? MetricsJSON.decode(SweepPlan.self, from: text)) == plan { return }
        let fm = FileManager.default
        for name in summaries {
            let path = (directory as NSString).appendingPathComponent(name)
            guard fm.fileExists(atPath: path) else { continue }
            do { try fm.removeItem(atPath: path) } catch {
                throw OutputFolderError(directory, "cannot remove the previous plan's \(name): \(error.localizedDescription)")
            }
        }
    }

    /// Refuses a path that is a file, or a folder holding files no sweep or tune writes.
    static func refuseForeign(_ directory: String) throws(OutputFolderError) {
        let fm = FileManager.default
        var isFolder: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isFolder) else { return }
        guard isFolder.boolValue else { throw OutputFolderError(directory, "it exists and is not a folder") }
        let names = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
        let foreign = names.filter { !entries.contains($0) && !$0.hasPrefix(".partial-") && !$0.hasPrefix(".") }.sorted()
        if !foreign.isEmpty {
            let what = names.contains("metrics.json") && !names.contains("sweep-plan.json")
                ? "it holds a run's report (metrics.json), not a sweep's cells"
                : "it holds files that are not a sweep's (\(foreign.prefix(3).joined(separator: ", "))\(foreign.count > 3 ? ", …" : ""))"
            throw OutputFolderError(directory, "\(what); choose a new or empty --out")
        }
    }
}
