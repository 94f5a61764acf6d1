/// Reads the CSV files Fairground writes (plain comma-separated, header first, no quoting:
/// policy names cannot contain commas).
struct CSVTable {
    let header: [String]
    let rows: [[Substring]]

    init(_ text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        header = lines.isEmpty ? [] : lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        rows = lines.map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    }

    func column(_ name: String) -> Int? { header.firstIndex(of: name) }
}
