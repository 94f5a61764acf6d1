import Foundation

/// An exclusive lock on an output folder, held by this process until it exits or `release()`.
///
/// The lock is `flock(2)` on the file `.<name>.lock` beside the folder (in its parent), so it
/// survives the folder itself being replaced. The lock file is left in place: removing it would
/// let a waiting process lock a file nobody else sees. The kernel drops the lock when the process
/// dies, however it dies, so a killed run never leaves a folder locked.
public final class FolderLock: @unchecked Sendable {
    /// The lock file's path.
    public let path: String
    private var descriptor: Int32

    /// Locks `folder` (an absolute, standardised path) without waiting.
    /// - Throws: `OutputFolderError` when the lock file cannot be created (the parent folder is
    ///   not writable) or another process holds the lock.
    public init(folder: URL) throws(OutputFolderError) {
        let parent = folder.deletingLastPathComponent()
        path = parent.appendingPathComponent(".\(folder.lastPathComponent).lock").path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw OutputFolderError(folder.path, "cannot create the lock file \(path): \(String(cString: strerror(errno)))")
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            close(descriptor)
            descriptor = -1
            throw OutputFolderError(folder.path, busy
                ? "another fairground process is writing this folder (it holds \(path)); wait for it to finish or choose another --out"
                : "cannot lock \(path): \(reason)")
        }
    }

    /// Releases the lock (also released when the process exits).
    public func release() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }

    deinit { release() }
}

/// An output folder that cannot be used: exit code 73, with the folder and the reason.
public struct OutputFolderError: Error, CustomStringConvertible, Sendable {
    public var folder: String
    public var reason: String

    public init(_ folder: String, _ reason: String) {
        self.folder = folder
        self.reason = reason
    }

    public var description: String { "cannot write to \(folder): \(reason)" }
}
