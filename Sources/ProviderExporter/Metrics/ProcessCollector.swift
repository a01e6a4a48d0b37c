import Glibc

/// The standard `process_*` metrics, sampled from `/proc` at every collection so
/// they are never staler than the scrape cache's one-second window.
public struct ProcessCollector: MetricsCollector {
    public init() {}

    public func collect() -> [FamilySnapshot] {
        guard let sample = ProcessSample.read() else { return [] }
        return [
            FamilySnapshot(Families.processCPUSeconds, [Series(sample.cpuSeconds)]),
            FamilySnapshot(Families.processResidentMemory, [Series(sample.residentBytes)]),
            FamilySnapshot(Families.processVirtualMemory, [Series(sample.virtualBytes)]),
            FamilySnapshot(Families.processStartTime, [Series(sample.startTime)]),
            FamilySnapshot(Families.processOpenFDs, [Series(sample.openFDs)]),
            FamilySnapshot(Families.processMaxFDs, [Series(sample.maxFDs)]),
            FamilySnapshot(Families.processThreads, [Series(sample.threads)]),
        ]
    }
}

/// One reading of the process's own resource use.
struct ProcessSample {
    var cpuSeconds: Double
    var residentBytes: Double
    var virtualBytes: Double
    var startTime: Double
    var openFDs: Double
    var maxFDs: Double
    var threads: Double

    static func read() -> ProcessSample? {
        guard let stat = Posix.readFile("/proc/self/stat", limit: 4096),
              let fields = parseStat(stat) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        let bootTime = Posix.readFile("/proc/stat", limit: 1 << 20).flatMap(parseBootTime) ?? 0
        return ProcessSample(
            cpuSeconds: (fields.utime + fields.stime) / ticks,
            residentBytes: fields.rssPages * pageSize,
            virtualBytes: fields.vsize,
            startTime: bootTime + fields.startTicks / ticks,
            openFDs: Double(countOpenFDs()),
            maxFDs: Double(Posix.fileLimit().soft),
            threads: fields.threads)
    }

    struct StatFields {
        var utime, stime, threads, startTicks, vsize, rssPages: Double
    }

    /// Parses `/proc/self/stat`. The command name may contain spaces and
    /// parentheses, so fields are counted from the last `)`.
    static func parseStat(_ bytes: [UInt8]) -> StatFields? {
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let rest = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
        // rest[0] is field 3 (state); field N is rest[N - 3].
        func field(_ n: Int) -> Double? {
            let i = n - 3
            guard i < rest.count else { return nil }
            return Double(String(decoding: rest[rest.startIndex + i], as: UTF8.self))
        }
        guard let utime = field(14), let stime = field(15), let threads = field(20),
              let start = field(22), let vsize = field(23), let rss = field(24) else { return nil }
        return StatFields(utime: utime, stime: stime, threads: threads, startTicks: start, vsize: vsize, rssPages: rss)
    }

    static func parseBootTime(_ bytes: [UInt8]) -> Double? {
        for line in bytes.split(separator: UInt8(ascii: "\n")) where line.starts(with: "btime ".utf8) {
            return Double(String(decoding: line.dropFirst(6), as: UTF8.self))
        }
        return nil
    }

    static func countOpenFDs() -> Int {
        guard let dir = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let first = withUnsafeBytes(of: entry.pointee.d_name) { $0[0] }
            if first != UInt8(ascii: ".") { count += 1 }
        }
        // The directory stream's own descriptor is not one of ours.
        return max(0, count - 1)
    }
}
