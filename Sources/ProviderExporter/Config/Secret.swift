/// A secret value: prints as `<secret>` everywhere (interpolation, logs,
/// `dump`), so it can only leak through `revealed`, which only the HTTP client
/// reads when it builds a request.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String
    public init(_ value: String) { self.value = value }
    public var revealed: String { value }
    public var description: String { "<secret>" }
    public var debugDescription: String { "<secret>" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
