/// Writing CSV fields (RFC 4180), the one rule every CSV file of a run is written by.
public enum CSVField {
    /// `text` as one field: unchanged unless it holds a comma, a double quote, a CR or an LF;
    /// then wrapped in double quotes with each inner quote doubled. Names that need no quoting
    /// are written byte for byte as they are.
    public static func encode(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 })
        else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
