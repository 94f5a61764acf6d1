import Foundation

/// Writes files into one folder so that a reader never sees a half-written file: every file is
/// written to a temporary name and renamed into place. A run writes into its `RunFolder`'s
/// staging folder, which is swapped in whole; `report DIR` and sweeps write in place.
public struct OutputWriter: Sendable {
    public let directory: URL

    public init(directory: String) {
        self.directory = URL(fileURLWithPath: directory, isDirectory: true)
    }

    /// Creates the folder (and parents) if needed.
    public func prepare() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` inside the folder atomically (temporary file, then rename).
    public func write(_ name: String, _ text: String) throws {
        let target = directory.appendingPathComponent(name)
        let temporary = directory.appendingPathComponent(".\(name).partial-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try Data(text.utf8).write(to: temporary)
        } catch {
            // A full disk fails the write part-way: never leave the temporary behind.
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        // rename(2) replaces the target atomically: readers see the old file or the new one.
        if rename(temporary.path, target.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw OutputError(path: target.path, reason: reason)
        }
    }
}

/// A file of the report could not be put in place.
public struct OutputError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}
