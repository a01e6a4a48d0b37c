extension HTTPClient {
    /// The probe thread's timers: each sleep is numbered, then registered with
    /// its deadline and waiter, then fired or cancelled. A cancel may come
    /// before the registration (it is remembered until then) or after the
    /// timer fired (nothing is left behind). Generic over the waiter so that
    /// tests drive it without threads; the engine keeps it under its lock.
    struct Timers<Waiter> {
        struct Entry: Comparable {
            var deadline: Double
            var id: UInt64
            static func < (a: Entry, b: Entry) -> Bool { a.deadline < b.deadline }
            static func == (a: Entry, b: Entry) -> Bool { a.id == b.id }
        }

        /// By deadline; an entry whose waiter is gone (cancelled) is skipped when it comes up.
        private var heap = MinHeap<Entry>()
        private(set) var waiters: [UInt64: Waiter] = [:]
        /// Numbered, not yet registered; and those of them already cancelled.
        private(set) var unregistered: Set<UInt64> = []
        private(set) var cancelledEarly: Set<UInt64> = []
        private var count: UInt64 = 0

        mutating func number() -> UInt64 {
            count += 1
            unregistered.insert(count)
            return count
        }

        /// False if the sleep was cancelled before it got here: resume its waiter as cancelled.
        mutating func register(_ id: UInt64, deadline: Double, _ waiter: Waiter) -> Bool {
            unregistered.remove(id)
            if cancelledEarly.remove(id) != nil { return false }
            waiters[id] = waiter
            heap.push(Entry(deadline: deadline, id: id))
            return true
        }

        /// The waiter to resume as cancelled, if the timer is still waiting.
        mutating func cancel(_ id: UInt64) -> Waiter? {
            if let waiter = waiters.removeValue(forKey: id) { return waiter }
            if unregistered.contains(id) { cancelledEarly.insert(id) }
            return nil
        }

        /// The waiters whose deadline has come, to resume.
        mutating func due(at now: Double) -> [Waiter] {
            var due: [Waiter] = []
            while let first = heap.peek, first.deadline <= now, let entry = heap.pop() {
                if let waiter = waiters.removeValue(forKey: entry.id) { due.append(waiter) }
            }
            return due
        }

        /// The earliest deadline still waited for.
        mutating func next() -> Double? {
            while let first = heap.peek, waiters[first.id] == nil { _ = heap.pop() }
            return heap.peek?.deadline
        }

        /// Every waiter, for ending them all.
        mutating func removeAll() -> [Waiter] {
            defer { waiters.removeAll(); heap = MinHeap() }
            return Array(waiters.values)
        }
    }
}
