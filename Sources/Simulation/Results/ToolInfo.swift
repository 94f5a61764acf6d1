public struct ToolInfo: Sendable, Codable {
    public var name: String
    public var version: String
}
