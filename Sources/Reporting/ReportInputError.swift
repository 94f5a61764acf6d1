import Foundation

/// A run folder's saved file that cannot be read back: `path: what is wrong (line N)`.
///
/// Exit code 66 when the file cannot be opened (missing, a folder, no permission), 65 when it
/// was read but is not what a run writes (not UTF-8, a malformed or truncated CSV, bad numbers).
public struct ReportInputError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var message: String
    public var line: Int?
    public var exitCode: Int32 = 65

    public init(path: String, message: String, line: Int?, exitCode: Int32 = 65) {
        self.path = path
        self.message = message
        self.line = line
        self.exitCode = exitCode
    }

    public var description: String { "\(path): \(message)\(line.map { " (line \($0))" } ?? "")" }

    /// Reads `path` as UTF-8 text, or says why not (66 unopenable, 65 not text).
    static func readText(_ path: String) throws(ReportInputError) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ReportInputError(path: path, message: "cannot read: \(String(cString: strerror(errno)))", line: nil, exitCode: 66)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            let what = (info.st_mode & S_IFMT) == S_IFDIR ? "a folder" : "not a regular file"
            throw ReportInputError(path: path, message: "cannot read: it is \(what)", line: nil, exitCode: 66)
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ReportInputError(path: path, message: "cannot read: \(String(cString: strerror(errno)))", line: nil, exitCode: 66)
        }
        defer { try? handle.close() }
        let data: Data
        do { data = try handle.readToEnd() ?? Data() } catch {
            throw ReportInputError(path: path, message: "cannot read: \(error.localizedDescription)", line: nil, exitCode: 66)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ReportInputError(path: path, message: "not UTF-8 text (not a file a run writes)", line: nil)
        }
        return text
    }
}
