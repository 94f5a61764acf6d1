import Foundation

/// A problem with an impression log: the file, what is wrong, the line; exit 65 (bad data) or
/// 66 (unreadable).
public struct LogError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var message: String
    public var line: Int?
    public var exitCode: Int32 = 65
    public var description: String { "\(path): \(message)\(line.map { " (line \($0))" } ?? "")" }
}

/// One CSV record: its unquoted bytes and each field's range in them (valid during the callback).
struct LogRecord {
    var bytes: [UInt8] = []
    var bounds: [Range<Int>] = []
    var count: Int { bounds.count }

    func text(_ i: Int) -> String { String(decoding: bytes[bounds[i]], as: UTF8.self) }
    func isEmpty(_ i: Int) -> Bool { bounds[i].isEmpty }

    /// Field `i` as a finite number, or nil: plain decimals parsed directly, anything else
    /// (exponents, "inf", text) through `strtod` on the whole field.
    func number(_ i: Int) -> Double? {
        let r = bounds[i]
        guard !r.isEmpty, r.count < 64 else { return nil }
        var j = r.lowerBound, negative = false
        if bytes[j] == 45 || bytes[j] == 43 { negative = bytes[j] == 45; j += 1 }
        var mantissa: UInt64 = 0, scale = 0, digits = 0, seenPoint = false, simple = j < r.upperBound
        while j < r.upperBound {
            let b = bytes[j]
            if b >= 48 && b <= 57 {
                if digits < 18 { mantissa = mantissa * 10 + UInt64(b - 48); digits += 1; if seenPoint { scale += 1 } }
                else if !seenPoint { simple = false; break }
            } else if b == 46 && !seenPoint { seenPoint = true } else { simple = false; break }
            j += 1
        }
        if simple && digits > 0 {
            let x = Double(mantissa) / Self.powers[scale]
            return negative ? -x : x
        }
        var buffer = [CChar](repeating: 0, count: r.count + 1)
        for (k, b) in bytes[r].enumerated() { buffer[k] = CChar(bitPattern: b) }
        return buffer.withUnsafeMutableBufferPointer { b -> Double? in
            var end: UnsafeMutablePointer<CChar>?
            let x = strtod(b.baseAddress!, &end)
            guard let end, end == b.baseAddress! + r.count, x.isFinite else { return nil }
            return x
        }
    }

    static let powers: [Double] = (0...18).map { pow(10, Double($0)) }
}

/// Streams a CSV file record by record (RFC 4180: quoted fields may hold commas, quotes and line
/// breaks; LF or CRLF) in 1 MiB chunks, so memory does not grow with the file.
struct LogReader {
    let path: String

    /// Calls `body(record, line)` for every non-blank record, the header first (line 1).
    func forEachRecord(_ body: (_ record: LogRecord, _ line: Int) throws -> Void) throws {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, let handle = FileHandle(forReadingAtPath: path) else {
            let reason = (info.st_mode & S_IFMT) == S_IFDIR ? "it is a folder" : String(cString: strerror(errno))
            throw LogError(path: path, message: "cannot read: \(reason)", line: nil, exitCode: 66)
        }
        defer { try? handle.close() }
        var record = LogRecord()
        var fieldStart = 0
        var inQuotes = false, afterQuote = false, quoted = false
        var line = 1, recordLine = 1
        var pendingCR = false
        func endField() {
            record.bounds.append(fieldStart..<record.bytes.count)
            fieldStart = record.bytes.count
            afterQuote = false; quoted = false
        }
        func endRecord() throws {
            endField()
            if !(record.bounds.count == 1 && record.bounds[0].isEmpty) { try body(record, recordLine) }
            record.bytes.removeAll(keepingCapacity: true)
            record.bounds.removeAll(keepingCapacity: true)
            fieldStart = 0
        }
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                throw LogError(path: path, message: "cannot read: \(error.localizedDescription)", line: line, exitCode: 66)
            }
            if chunk.isEmpty { break }
            for byte in chunk {
                if pendingCR {
                    pendingCR = false
                    if byte == 10 { continue }
                }
                if inQuotes {
                    if byte == 34 { inQuotes = false; afterQuote = true } else {
                        if byte == 10 { line += 1 }
                        record.bytes.append(byte)
                    }
                    continue
                }
                switch byte {
                case 44: endField()
                case 10, 13:
                    try endRecord()
                    line += 1
                    recordLine = line
                    pendingCR = byte == 13
                case 34:
                    if afterQuote { record.bytes.append(34); inQuotes = true; afterQuote = false }  // "" inside quotes
                    else if quoted || record.bytes.count > fieldStart {
                        throw LogError(path: path, message: "a quote inside an unquoted field", line: line)
                    } else { inQuotes = true; quoted = true }
                default:
                    if afterQuote { throw LogError(path: path, message: "text after a closing quote", line: line) }
                    record.bytes.append(byte)
                }
            }
        }
        if inQuotes { throw LogError(path: path, message: "a quoted field is not closed before the end of the file", line: recordLine) }
        if record.bytes.count > 0 || !record.bounds.isEmpty { try endRecord() }
    }
}
