// Errors with the exit codes of DESIGN.md §6.
public struct WorkbenchError: Error, CustomStringConvertible, Sendable {
    public enum Code: Int32, Sendable {
        case internalError = 1, badInput = 2, pluginLoadFailures = 3, disagreement = 4
    }
    public let code: Code
    public let message: String
    public init(_ code: Code, _ message: String) { self.code = code; self.message = message }
    public static func badInput(_ m: String) -> WorkbenchError { WorkbenchError(.badInput, m) }
    public var description: String { message }
}
