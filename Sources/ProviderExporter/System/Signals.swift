import Glibc

/// Process signals without losing one. `block` runs first thing in main, while
/// no other thread exists, so every thread inherits the mask and a signal stays
/// pending until the signal thread takes it with `sigwait`. (Dispatch signal
/// sources need the default action off and register asynchronously: a SIGTERM
/// in between was discarded, and the process ran on.)
public enum Signals {
    public static func block(_ signals: [Int32]) {
        var set = Self.set(signals)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Calls `handler` on a thread of its own for each signal, in arrival order.
    public static func handle(_ signals: [Int32], _ handler: @escaping @Sendable (Int32) -> Void) {
        let signals = signals
        Thread.detach(name: "signals") {
            var set = Self.set(signals)
            while true {
                var number: Int32 = 0
                if sigwait(&set, &number) == 0 { handler(number) }
            }
        }
    }

    static func set(_ signals: [Int32]) -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for number in signals { sigaddset(&set, number) }
        return set
    }
}
