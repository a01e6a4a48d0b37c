import Synchronization

/// The label text of a layout, rendered (escaped) once per layout and read in
/// place while expositions are written: per check `check="NAME",provider="NAME"`,
/// per provider `provider="NAME"`, and `provider_info`'s labels. Each lies in
/// one buffer, entries one after another in the order they are written.
final class ExpositionLabels: Sendable {
    let layoutID: UInt64
    /// Per check of `layout.checks`: its text runs from `checkStarts[i]` to
    /// `checkStarts[i + 1]`, `provider="..."` from `providerParts[i]`.
    private let checkText: [UInt8]
    private let checkStarts: [Int32]
    private let providerParts: [Int32]
    /// Per provider of `layout.providers` (by name), and of `layout.info`.
    private let providerText: [UInt8]
    private let providerEnds: [Int32]
    private let infoText: [UInt8]
    private let infoEnds: [Int32]

    init(_ view: StateView) {
        let layout = view.layout
        layoutID = layout.id
        let names = view.providers.map(\.config.name)
        var checkText: [UInt8] = [], checkStarts: [Int32] = [0], providerParts: [Int32] = []
        for ref in layout.checks {
            let check = ref.isPage ? StatusPageConfig.checkName : view.providers[Int(ref.provider)].checks[Int(ref.check)].config.name
            checkText += LabelText.pair("check", check)
            checkText.append(UInt8(ascii: ","))
            providerParts.append(Int32(checkText.count))
            checkText += LabelText.pair("provider", names[Int(ref.provider)])
            checkStarts.append(Int32(checkText.count))
        }
        var providerText: [UInt8] = [], providerEnds: [Int32] = []
        for p in layout.providers {
            providerText += LabelText.pair("provider", names[Int(p)])
            providerEnds.append(Int32(providerText.count))
        }
        var infoText: [UInt8] = [], infoEnds: [Int32] = []
        for p in layout.info {
            let config = view.providers[Int(p)].config
            infoText += LabelText.pair("preset", config.preset ?? "") + [UInt8(ascii: ",")]
            infoText += LabelText.pair("priority", config.priority.map(String.init) ?? "") + [UInt8(ascii: ",")]
            infoText += LabelText.pair("provider", config.name)
            infoEnds.append(Int32(infoText.count))
        }
        (self.checkText, self.checkStarts, self.providerParts) = (checkText, checkStarts, providerParts)
        (self.providerText, self.providerEnds, self.infoText, self.infoEnds) = (providerText, providerEnds, infoText, infoEnds)
    }

    /// The labels of `view`'s layout: the ones rendered last when the layout is
    /// the same (the store's, between reloads), else rendered now. Small
    /// layouts (`/probe`, debug reports) are rendered each time and not kept.
    static func of(_ view: StateView) -> ExpositionLabels {
        if let last = last.withLock({ $0 }), last.layoutID == view.layout.id { return last }
        let labels = ExpositionLabels(view)
        if view.layout.checks.count >= 64 { last.withLock { $0 = labels } }
        return labels
    }

    private static let last = Mutex<ExpositionLabels?>(nil)

    /// Calls `body` with the buffers, read in place.
    func withBuffers<R>(_ body: (Buffers) -> R) -> R {
        checkText.withUnsafeBufferPointer { checks in
            checkStarts.withUnsafeBufferPointer { starts in
                providerParts.withUnsafeBufferPointer { parts in
                    providerText.withUnsafeBufferPointer { providers in
                        providerEnds.withUnsafeBufferPointer { providerEnds in
                            infoText.withUnsafeBufferPointer { info in
                                infoEnds.withUnsafeBufferPointer { infoEnds in
                                    body(Buffers(checks: checks, starts: starts, parts: parts, providers: providers,
                                                 providerEnds: providerEnds, info: info, infoEnds: infoEnds))
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The buffers of one encoding.
    struct Buffers {
        let checks: UnsafeBufferPointer<UInt8>
        let starts: UnsafeBufferPointer<Int32>
        let parts: UnsafeBufferPointer<Int32>
        let providers: UnsafeBufferPointer<UInt8>
        let providerEnds: UnsafeBufferPointer<Int32>
        let info: UnsafeBufferPointer<UInt8>
        let infoEnds: UnsafeBufferPointer<Int32>

        /// `check="...",provider="..."` of the i-th check.
        @inline(__always)
        func check(_ i: Int) -> UnsafeBufferPointer<UInt8> { .init(rebasing: checks[Int(starts[i]) ..< Int(starts[i + 1])]) }
        /// `check="..."` of the i-th check.
        @inline(__always)
        func checkPart(_ i: Int) -> UnsafeBufferPointer<UInt8> { .init(rebasing: checks[Int(starts[i]) ..< Int(parts[i]) - 1]) }
        /// `provider="..."` of the i-th check.
        @inline(__always)
        func providerPart(_ i: Int) -> UnsafeBufferPointer<UInt8> { .init(rebasing: checks[Int(parts[i]) ..< Int(starts[i + 1])]) }
        /// `provider="..."` of the i-th provider by name.
        func provider(_ i: Int) -> UnsafeBufferPointer<UInt8> {
            .init(rebasing: providers[(i == 0 ? 0 : Int(providerEnds[i - 1])) ..< Int(providerEnds[i])])
        }
        /// `provider_info`'s labels of the i-th provider in info order.
        func info(_ i: Int) -> UnsafeBufferPointer<UInt8> {
            .init(rebasing: info[(i == 0 ? 0 : Int(infoEnds[i - 1])) ..< Int(infoEnds[i])])
        }
    }
}
