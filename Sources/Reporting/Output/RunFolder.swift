import Foundation

/// A run's output folder, replaced whole: the run is written into a sibling staging folder,
/// which is then swapped in, so the folder only ever moves from one complete run to another.
///
/// Contract:
/// - `init` checks the folder before anything is simulated: its parents are created (or the one
///   that is a file is named), the folder is locked against a second writer (`FolderLock`), it
///   must be absent, empty, or hold only a Fairground run's files (anything else is refused, never
///   deleted), and the staging folder `.<name>.staging-<pid>` is created beside it.
/// - Leftovers of an interrupted run (`.<name>.staging-*`, `.<name>.old-*`) are removed under the
///   lock; if the run was killed between the two renames of `commit`, the old report is first
///   put back.
/// - `commit` renames the old folder aside (`.<name>.old-<pid>`), renames the staging folder in,
///   and removes the old one. Until the second rename the old report is untouched; after it the
///   new one is complete. Stale charts disappear with the old folder.
/// - `abandon` removes the staging folder (a failed run leaves the old report as it was).
public final class RunFolder: @unchecked Sendable {
    /// The folder the run's outputs end up in (absolute, standardised).
    public let target: URL
    /// Where the run writes; `commit` moves it to `target`.
    public let staging: URL
    private let lock: FolderLock

    /// The names a Fairground run writes into its folder; `charts/` holds only `.svg` files.
    public static let runEntries: Set<String> = ["metrics.json", "advertisers.csv", "timeseries.csv", "ramp.csv",
                                                 "calibration.csv", "replicates.csv", "impressions.csv", "summary.md", "report.html", "charts",
                                                 "comparison.html", "comparison.md", "comparison.json",
                                                 "fit.html", "fit.md", "fitted.yaml"]

    /// Checks, locks and prepares `path` for a run (see the type's contract).
    /// - Throws: `OutputFolderError` (exit 73) with the reason.
    public init(path: String) throws(OutputFolderError) {
        guard !path.isEmpty else { throw OutputFolderError("''", "the output folder name is empty") }
        var url = URL(fileURLWithPath: path).standardizedFileURL
        if Self.isSymbolicLink(url) { url = url.resolvingSymlinksInPath() }
        guard url.path != "/" else { throw OutputFolderError(path, "the root folder cannot be a run's output folder") }
        let name = url.lastPathComponent
        guard name.utf8.count <= 200 else {
            throw OutputFolderError(url.path, "the folder name is longer than 200 bytes; choose a shorter --out")
        }
        target = url
        // Checked before the lock file is created beside the folder, and again under the lock.
        try Self.checkKind(url)
        try Self.checkReplaceable(url)
        try Self.makeFolders(url.deletingLastPathComponent(), for: url)
        lock = try FolderLock(folder: url)
        Self.recover(url)
        try Self.checkReplaceable(url)
        staging = url.deletingLastPathComponent().appendingPathComponent(".\(name).staging-\(getpid())")
        if mkdir(staging.path, 0o777) != 0 {
            throw OutputFolderError(url.path, "cannot create \(staging.path): \(String(cString: strerror(errno)))")
        }
    }

    /// Swaps the staging folder in for the target (see the type's contract).
    public func commit() throws(OutputFolderError) {
        let parent = target.deletingLastPathComponent()
        if Self.exists(target) {
            let old = parent.appendingPathComponent(".\(target.lastPathComponent).old-\(getpid())")
            guard rename(target.path, old.path) == 0 else {
                throw OutputFolderError(target.path, "cannot move the previous run aside: \(String(cString: strerror(errno)))")
            }
            guard rename(staging.path, target.path) == 0 else {
                let reason = String(cString: strerror(errno))
                _ = rename(old.path, target.path)
                throw OutputFolderError(target.path, "cannot move the new run into place: \(reason)")
            }
            try? FileManager.default.removeItem(at: old)
        } else if rename(staging.path, target.path) != 0 {
            throw OutputFolderError(target.path, "cannot move the new run into place: \(String(cString: strerror(errno)))")
        }
        lock.release()
    }

    /// Removes the staging folder; the target stays as it was.
    /// The scenario name of the finished run in the target folder, if it holds one.
    public var previousScenarioName: String? {
        guard let data = FileManager.default.contents(atPath: target.appendingPathComponent("metrics.json").path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let scenario = object["scenario"] as? [String: Any] else { return nil }
        return scenario["name"] as? String
    }

    public func abandon() {
        try? FileManager.default.removeItem(at: staging)
        lock.release()
    }

    // MARK: - Checks

    static func exists(_ url: URL) -> Bool {
        var info = stat()
        return lstat(url.path, &info) == 0
    }

    static func isSymbolicLink(_ url: URL) -> Bool {
        var info = stat()
        return lstat(url.path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    static func isFolder(_ url: URL) -> Bool {
        var info = stat()
        return stat(url.path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The target, if present, must be a folder (checked before a lock file is created beside it).
    static func checkKind(_ url: URL) throws(OutputFolderError) {
        if exists(url), !isFolder(url) { throw OutputFolderError(url.path, "it exists and is not a folder") }
    }

    /// `mkdir -p` that names the path component that is in the way.
    static func makeFolders(_ url: URL, for target: URL) throws(OutputFolderError) {
        if isFolder(url) { return }
        if exists(url) { throw OutputFolderError(target.path, "\(url.path) is not a folder") }
        let parent = url.deletingLastPathComponent()
        if parent.path != url.path { try makeFolders(parent, for: target) }
        if mkdir(url.path, 0o777) != 0, errno != EEXIST {
            throw OutputFolderError(target.path, "cannot create \(url.path): \(String(cString: strerror(errno)))")
        }
    }

    /// A temporary file of an older version's in-place writes (`.<file>.partial-<pid>`).
    static func isPartial(_ entry: String) -> Bool { entry.hasPrefix(".") && entry.contains(".partial-") }

    /// Refuses a folder holding anything a run does not write: replacing it would delete it.
    static func checkReplaceable(_ url: URL) throws(OutputFolderError) {
        guard exists(url) else { return }
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: url.path) else {
            throw OutputFolderError(url.path, "cannot list the folder's contents (\(String(cString: strerror(EACCES))))")
        }
        var foreign = entries.filter { !runEntries.contains($0) && !isPartial($0) }.sorted()
        if entries.contains("charts") {
            let charts = url.appendingPathComponent("charts")
            if !isFolder(charts) {
                foreign.append("charts")
            } else if let svgs = try? fm.contentsOfDirectory(atPath: charts.path) {
                foreign += svgs.filter { !$0.hasSuffix(".svg") && !isPartial($0) }.sorted().map { "charts/\($0)" }
            } else {
                foreign.append("charts/")
            }
        }
        guard foreign.isEmpty else {
            let shown = foreign.prefix(3).joined(separator: ", ") + (foreign.count > 3 ? ", …" : "")
            throw OutputFolderError(url.path, "it holds files that are not a Fairground run's (\(shown)); a run replaces its whole folder, so choose a new or empty --out")
        }
    }

    /// Removes an interrupted run's staging and set-aside folders, restoring the old report if
    /// a run died between moving it aside and moving its own into place.
    static func recover(_ url: URL) {
        let fm = FileManager.default
        let parent = url.deletingLastPathComponent()
        guard let entries = try? fm.contentsOfDirectory(atPath: parent.path) else { return }
        func leftovers(_ kind: String) -> [URL] {
            let prefix = ".\(url.lastPathComponent).\(kind)-"
            return entries.filter { $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).isEmpty
                && $0.dropFirst(prefix.count).allSatisfy(\.isNumber) }.sorted().map { parent.appendingPathComponent($0) }
        }
        var old = leftovers("old")
        if !exists(url), let last = old.popLast() { _ = rename(last.path, url.path) }
        for leftover in old + leftovers("staging") { try? fm.removeItem(at: leftover) }
    }
}
