import CCurl
import Glibc
import Synchronization

extension HTTPClient {
    /// The probe thread: libcurl's multi handle, the tasks that prefer this
    /// executor, and their timers, all on one thread that sleeps in
    /// `epoll_wait` until a socket is ready, a timer is due or work arrives.
    /// curl acts only on the sockets that are ready (its socket interface,
    /// `pe_curl_loop` in CCurl), never walking every transfer.
    ///
    /// A probe that runs here (the scheduler's and `ProbeRunner`'s tasks ask
    /// for it with `Task(executorPreference:)`) starts its transfer, is resumed
    /// when the transfer ends and files its next slot without waking another
    /// thread: a probe's hand-offs between threads were a quarter of its CPU
    /// (README, "Performance"). Work from other threads (a `/probe` request, a
    /// test) goes through the inbox and wakes the thread only if it sleeps.
    ///
    /// `@unchecked Sendable`: `multi` and `active` are touched only by `run()` on
    /// the probe thread; other threads use `inbox` (a `Mutex`) and the loop's
    /// wakeup, always under the inbox lock and never once the loop is freed: a
    /// wakeup writes to a descriptor the loop owns, and after it is freed that
    /// number may already be another connection's. Continuations are
    /// never resumed under the lock (a resume enqueues a job, which takes it).
    final class Engine: TaskExecutor, @unchecked Sendable {
        struct Inbox {
            var added: [Transfer] = []
            var cancelled: [Transfer] = []
            var jobs: [UnownedJob] = []
            var timers = Timers<CheckedContinuation<Void, any Error>>()
            var stopping = false
            /// The thread is in, or about to enter, its wait: new work wakes it.
            var sleeping = false
            /// The probe thread freed the loop: no more wakeups; jobs go
            /// to the global executor and sleeps to `Task.sleep`.
            var ended = false

            var hasWork: Bool { !jobs.isEmpty || !added.isEmpty || !cancelled.isEmpty || stopping }
        }

        let loop: OpaquePointer
        let multi: UnsafeMutableRawPointer
        let inbox = Mutex(Inbox())
        /// The probe thread's CPU seconds (a `Double`'s bits) each time it goes
        /// to sleep: what a hanging transfer costs, apart from the process.
        let cpuSeconds = Atomic<UInt64>(0)
        private var active: [UnsafeMutableRawPointer: Transfer] = [:]

        init() {
            _ = Self.globalInit
            guard let loop = pe_curl_loop_new() else { fatalError("libcurl: cannot create a multi handle, epoll or eventfd") }
            self.loop = loop
            multi = pe_curl_loop_multi(loop)
        }

        static let globalInit: Int32 = pe_curl_global_init()

        // MARK: Work from any thread

        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            let ended = inbox.withLock { box -> Bool in
                guard !box.ended else { return true }
                box.jobs.append(job)
                wakeIfSleeping(&box)
                return false
            }
            if ended { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
        }

        func submit(_ transfer: Transfer) {
            let ended = inbox.withLock { box -> Bool in
                guard !box.ended else { return true }
                box.added.append(transfer)
                wakeIfSleeping(&box)
                return false
            }
            // A client already shut down: the transfer ends at once, cancelled.
            if ended { transfer.finish(code: -1) }
        }

        /// A cancel may arrive before its transfer was ever added (the task was
        /// cancelled already): the flag makes the add finish it at once.
        func cancel(_ transfer: Transfer) {
            inbox.withLock { box in
                transfer.cancelRequested = true
                box.cancelled.append(transfer)
                wakeIfSleeping(&box)
            }
        }

        func stop() {
            inbox.withLock { box in
                box.stopping = true
                wakeIfSleeping(&box)
            }
        }

        private func wakeIfSleeping(_ box: inout Inbox) {
            guard box.sleeping, !box.ended else { return }
            box.sleeping = false
            pe_curl_loop_wakeup(loop)
        }

        /// Returns at `deadline` on the monotonic clock, or throws when the
        /// task is cancelled. A timer of this thread: a task that prefers this
        /// executor sleeps and wakes with no other thread involved.
        func sleep(untilMonotonic deadline: Double) async throws {
            let id = inbox.withLock { box -> UInt64? in
                box.ended ? nil : box.timers.number()
            }
            guard let id else {
                let delay = deadline - Posix.monotonicSeconds()
                if delay > 0 { try await Task.sleep(for: .milliseconds(Int64((delay * 1000).rounded(.up)))) }
                return try Task.checkCancellation()
            }
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                    let cancelled = inbox.withLock { box -> Bool in
                        guard !box.ended, box.timers.register(id, deadline: deadline, c) else { return true }
                        wakeIfSleeping(&box)
                        return false
                    }
                    if cancelled { c.resume(throwing: CancellationError()) }
                }
            } onCancel: {
                let sleeper = inbox.withLock { $0.timers.cancel(id) }
                sleeper?.resume(throwing: CancellationError())
            }
        }

        // MARK: The probe thread

        func run() {
            let me = asUnownedTaskExecutor()
            while true {
                // Due timers first, so that the tasks they resume run in this round.
                let now = Posix.monotonicSeconds()
                let due = inbox.withLock { $0.timers.due(at: now) }
                for c in due { c.resume() }
                let (added, cancelled, jobs, stopping) = inbox.withLock { box in
                    defer { box.added.removeAll(); box.cancelled.removeAll(); box.jobs.removeAll() }
                    return (box.added, box.cancelled, box.jobs, box.stopping)
                }
                for job in jobs { job.runSynchronously(on: me) }
                for t in added {
                    // Read under the inbox lock, where cancel() sets it.
                    if inbox.withLock({ _ in t.cancelRequested }) {
                        t.finish(code: -1)
                        continue
                    }
                    if let easy = t.start() {
                        active[easy] = t
                        pe_curl_multi_add_handle(multi, easy)
                    }
                }
                for t in cancelled {
                    guard let easy = t.easy, active.removeValue(forKey: easy) != nil else { continue }
                    pe_curl_multi_remove_handle(multi, easy)
                    t.finish(code: -1)
                }
                if stopping { return end() }
                // Sleeps until a socket is ready, curl's or a task's timer is due,
                // or work arrives (not at all while work is waiting); then curl
                // acts on what is ready, and finished transfers resume their tasks.
                let timeout = inbox.withLock { box -> Int32 in
                    if box.hasWork { return 0 }
                    box.sleeping = true
                    guard let next = box.timers.next() else { return 1000 }
                    return Int32(max(0, min(1000, ((next - Posix.monotonicSeconds()) * 1000).rounded(.up))))
                }
                if timeout > 0 { cpuSeconds.store(Posix.threadCPUSeconds().bitPattern, ordering: .releasing) }
                pe_curl_loop_wait(loop, timeout)
                inbox.withLock { $0.sleeping = false }
                var easy: UnsafeMutableRawPointer? = nil
                var code: Int32 = 0
                while pe_curl_multi_next_done(multi, &easy, &code) == 1, let done = easy {
                    pe_curl_multi_remove_handle(multi, done)
                    active.removeValue(forKey: done)?.finish(code: code)
                }
            }
        }

        /// Ends every transfer as cancelled, then frees the handle under the
        /// lock, so no wakeup can be writing to its descriptor. Work that
        /// arrives later goes elsewhere (see `Inbox.ended`); jobs and sleeps
        /// waiting now are handed on.
        private func end() {
            for (easy, t) in active {
                pe_curl_multi_remove_handle(multi, easy)
                t.finish(code: -1)
            }
            active.removeAll()
            let (late, jobs, sleepers) = inbox.withLock { box in
                box.ended = true
                pe_curl_loop_free(loop)
                defer { box.added.removeAll(); box.jobs.removeAll() }
                return (box.added, box.jobs, box.timers.removeAll())
            }
            for t in late { t.finish(code: -1) }
            for job in jobs { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
            for c in sleepers { c.resume(throwing: CancellationError()) }
        }
    }
}
