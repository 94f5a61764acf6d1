/// File-name parts for the charts drawn per policy or per tier, unique within their list.
///
/// A name's slug (lower-case letters and digits, runs of anything else as one `-`) is used when
/// no earlier name in the list took it, so ordinary names keep their readable file names
/// (`exposure-global.svg`). A name whose slug is taken (`a b`, `a-b` and `A/B` all slug to
/// `a-b`), empty (an emoji-only name) or longer than 60 characters gets `-` and eight hex digits
/// of its FNV-1a hash appended: deterministic, and the same in every run of the scenario.
enum ChartFileNames {
    static let maxSlug = 60

    /// name → unique file-name part, for `names` in order.
    static func unique(_ names: [String]) -> [String: String] {
        var used: Set<String> = [], parts: [String: String] = [:]
        for name in names where parts[name] == nil {
            var part = slug(name)
            if part.isEmpty || part.count > maxSlug || used.contains(part) {
                part = String(part.prefix(maxSlug)) + (part.isEmpty ? "" : "-") + hash(name)
            }
            while used.contains(part) { part += "-" + hash(part) }
            used.insert(part)
            parts[name] = part
        }
        return parts
    }

    static func slug(_ s: String) -> String {
        let mapped = s.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return String(mapped).split(separator: "-").joined(separator: "-")
    }

    /// 32-bit FNV-1a of the UTF-8 bytes, as eight hex digits.
    static func hash(_ s: String) -> String {
        var h: UInt32 = 2_166_136_261
        for byte in s.utf8 { h = (h ^ UInt32(byte)) &* 16_777_619 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
