/// A CSV file read back (RFC 4180): a header, then rows of exactly the header's width.
///
/// Fields may be quoted (`"a, ""b"""`), quoted fields may hold commas, quotes and line breaks;
/// records end with LF or CRLF; a final line break is optional. Anything else — an unterminated
/// quote, a quote inside an unquoted field, a row wider or narrower than the header, an empty
/// file — is a `ReportInputError` naming the file and the line. We keep this reader rather than
/// a library: it is one small state machine over UTF-8 bytes, what `CSVField` writes is all it
/// must read, and it adds no dependency to the build (docs/architecture.md).
struct CSVTable {
    let file: String
    let header: [String]
    let rows: [[String]]
    /// The line each row starts on (1-based; the header is line 1).
    let lines: [Int]

    init(_ text: String, file: String) throws(ReportInputError) {
        self.file = file
        var text = text
        var records: [[String]] = []
        var starts: [Int] = []
        let failure = text.withUTF8 { (bytes) -> ReportInputError? in
            var parser = Parser(bytes: bytes)
            do throws(Parser.Failure) {
                while let (record, line) = try parser.next() {
                    records.append(record)
                    starts.append(line)
                }
                return nil
            } catch {
                return ReportInputError(path: file, message: error.message, line: error.line)
            }
        }
        if let failure { throw failure }
        guard let first = records.first else { throw ReportInputError(path: file, message: "empty (no header line)", line: nil) }
        header = first
        rows = Array(records.dropFirst())
        lines = Array(starts.dropFirst())
        for (row, line) in zip(rows, lines) where row.count != header.count {
            throw ReportInputError(path: file, message: "expected \(header.count) fields (as in the header), got \(row.count)", line: line)
        }
    }

    func column(_ name: String) -> Int? { header.firstIndex(of: name) }

    /// The number in row `r`, column `c`; `emptyIsNaN` for columns that leave undefined values empty.
    func number(_ r: Int, _ c: Int, emptyIsNaN: Bool = false) throws(ReportInputError) -> Double {
        let text = rows[r][c]
        if text.isEmpty, emptyIsNaN { return .nan }
        guard let x = Double(text) else {
            throw ReportInputError(path: file, message: "\(header[c]): '\(text.prefix(40))' is not a number", line: lines[r])
        }
        return x
    }

    /// The whole number in row `r`, column `c`.
    func integer(_ r: Int, _ c: Int) throws(ReportInputError) -> Int {
        guard let x = Int(rows[r][c]) else {
            throw ReportInputError(path: file, message: "\(header[c]): '\(rows[r][c].prefix(40))' is not a whole number", line: lines[r])
        }
        return x
    }
}

/// The record-by-record state machine behind `CSVTable`.
private struct Parser {
    struct Failure: Error { var message: String; var line: Int }

    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0
    var line = 1

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    static let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), lf: UInt8 = 10, cr: UInt8 = 13

    /// The next record and the line it starts on, or nil at the end of the text.
    mutating func next() throws(Failure) -> ([String], Int)? {
        guard i < bytes.count else { return nil }
        let start = line
        var record: [String] = []
        while true {
            let (field, end) = try nextField()
            record.append(field)
            switch end {
            case .comma: continue
            case .record, .text: return (record, start)
            }
        }
    }

    enum End { case comma, record, text }

    /// Reads one field and the separator after it.
    mutating func nextField() throws(Failure) -> (String, End) {
        if i < bytes.count, bytes[i] == Self.quote { return try quotedField() }
        let begin = i
        while i < bytes.count {
            let b = bytes[i]
            if b == Self.comma { i += 1; return (string(begin, i - 1), .comma) }
            if b == Self.lf { i += 1; line += 1; return (string(begin, i - 1), .record) }
            if b == Self.cr, i + 1 < bytes.count, bytes[i + 1] == Self.lf { i += 2; line += 1; return (string(begin, i - 2), .record) }
            if b == Self.quote { throw Failure(message: "a double quote inside an unquoted field (quote the whole field)", line: line) }
            i += 1
        }
        return (string(begin, i), .text)
    }

    /// A field in double quotes, `""` standing for one quote.
    mutating func quotedField() throws(Failure) -> (String, End) {
        let opened = line
        i += 1
        var value: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            if b == Self.quote {
                if i + 1 < bytes.count, bytes[i + 1] == Self.quote { value.append(b); i += 2; continue }
                i += 1
                let text = String(decoding: value, as: UTF8.self)
                if i == bytes.count { return (text, .text) }
                if bytes[i] == Self.comma { i += 1; return (text, .comma) }
                if bytes[i] == Self.lf { i += 1; line += 1; return (text, .record) }
                if bytes[i] == Self.cr, i + 1 < bytes.count, bytes[i + 1] == Self.lf { i += 2; line += 1; return (text, .record) }
                throw Failure(message: "unexpected text after a closing quote", line: line)
            }
            if b == Self.lf { line += 1 }
            value.append(b)
            i += 1
        }
        throw Failure(message: "a quoted field is never closed (it opens on line \(opened))", line: opened)
    }

    func string(_ from: Int, _ to: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<to]), as: UTF8.self)
    }
}
