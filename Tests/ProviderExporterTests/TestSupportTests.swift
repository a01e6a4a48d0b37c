import Dispatch
import Testing

/// The test target's own helpers.
@Suite struct TestSupportTests {
    /// `offPool` runs its body off the cooperative pool, yet in the calling
    /// task: an expectation that fails inside it belongs to this test (a known
    /// issue is recorded only when it is), where a plain dispatch to another
    /// thread reported it under an unknown test while the test passed.
    @Test func failuresInsideOffPoolBelongToTheirTest() async throws {
        try await offPool {
            dispatchPrecondition(condition: .onQueue(BlockingExecutor.sharedQueueForTests))
            withKnownIssue("planted: must be credited to this test") {
                #expect(Bool(false))
            }
        }
    }
}
