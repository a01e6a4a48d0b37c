/// Where formatted text is written: an array, or the exposition writer's
/// block buffer (which copies pieces into a block of its own and hands the
/// block on when full, instead of growing an array a few bytes at a time).
public protocol ByteSink {
    mutating func put(_ byte: UInt8)
    mutating func put(_ bytes: UnsafeBufferPointer<UInt8>)
}

extension ByteSink {
    @inline(__always)
    public mutating func put(_ text: StaticString) {
        text.withUTF8Buffer { put($0) }
    }
}

extension Array: ByteSink where Element == UInt8 {
    @inline(__always)
    public mutating func put(_ byte: UInt8) { append(byte) }

    @inline(__always)
    public mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) { append(contentsOf: bytes) }
}

/// A fixed buffer, for text of a known bound (a number: at most 24 bytes);
/// what does not fit is dropped.
struct FixedSink: ByteSink {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

    var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: buffer[..<count]) }

    mutating func put(_ byte: UInt8) {
        guard count < buffer.count else { return }
        buffer[count] = byte
        count += 1
    }

    mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        for byte in bytes { put(byte) }
    }
}
