import Glibc

/// Dates the exporter reads and writes, as Unix seconds: RFC 3339 (rate-limit
/// resets, status pages, logs), HTTP dates (`Retry-After`), certificate dates.
enum Dates {
    /// RFC 3339 / ISO 8601 in UTC or with an offset, fractions allowed.
    static func rfc3339(_ text: String) -> Double? {
        let b = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for c in b[from..<(from + count)] {
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard b.count >= 20, let year = num(0, 4), b[4] == UInt8(ascii: "-"), let month = num(5, 2), b[7] == UInt8(ascii: "-"),
              let day = num(8, 2), b[10] | 0x20 == UInt8(ascii: "t") || b[10] == 32, let hour = num(11, 2),
              b[13] == UInt8(ascii: ":"), let minute = num(14, 2), b[16] == UInt8(ascii: ":"), let second = num(17, 2) else { return nil }
        var i = 19
        var fraction = 0.0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            while i < b.count, b[i] >= 48 && b[i] <= 57 { fraction += Double(b[i] - 48) * scale; scale /= 10; i += 1 }
        }
        var offset = 0
        guard i < b.count else { return nil }
        if b[i] | 0x20 == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), let oh = num(i + 1, 2), i + 3 < b.count,
                  b[i + 3] == UInt8(ascii: ":"), let om = num(i + 4, 2) {
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "+") ? 1 : -1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count, let t = epoch(year: year, month: month, day: day, hour: hour, minute: minute, second: second) else { return nil }
        return t + fraction - Double(offset)
    }

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the one HTTP servers send.
    static func httpDate(_ text: String) -> Double? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]),
              let month = months.firstIndex(of: parts[2].lowercased()), let year = Int(parts[3]) else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        return epoch(year: year, month: month + 1, day: day, hour: clock[0], minute: clock[1], second: clock[2])
    }

    /// An RFC 822 date as RSS feeds write it: `Wed, 07 Oct 2026 00:24:33 GMT`,
    /// the weekday optional, the zone `GMT`, `UT`, `Z` or a numeric offset.
    static func rfc822(_ text: String) -> Double? {
        var parts = text.split(separator: " ")
        if let first = parts.first, first.hasSuffix(",") { parts.removeFirst() }
        guard parts.count == 5, let day = Int(parts[0]), let month = months.firstIndex(of: parts[1].lowercased()),
              var year = Int(parts[2]) else { return nil }
        if year < 100 { year += 2000 }
        let clock = parts[3].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 2 || clock.count == 3 else { return nil }
        var offset = 0
        let zone = parts[4]
        if zone.first == "+" || zone.first == "-" {
            guard zone.count == 5, let hhmm = Int(zone.dropFirst()) else { return nil }
            offset = (hhmm / 100 * 3600 + hhmm % 100 * 60) * (zone.first == "-" ? -1 : 1)
        } else {
            guard ["GMT", "UT", "UTC", "Z"].contains(zone) else { return nil }
        }
        guard let t = epoch(year: year, month: month + 1, day: day, hour: clock[0], minute: clock[1],
                            second: clock.count == 3 ? clock[2] : 0) else { return nil }
        return t - Double(offset)
    }

    static func epoch(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Double? {
        guard (1970...9999).contains(year), (1...12).contains(month), (1...31).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let t = timegm(&parts)
        return t < 0 ? nil : Double(t)
    }

    /// UTC time with milliseconds, e.g. `2026-11-23T15:14:53.123Z`.
    static func format(_ seconds: Double) -> String {
        var t = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        let millis = Int((seconds - seconds.rounded(.down)) * 1000)
        return "\((parts.tm_year + 1900).zeroPadded(4))-\((parts.tm_mon + 1).zeroPadded(2))-\(parts.tm_mday.zeroPadded(2))T"
            + "\(parts.tm_hour.zeroPadded(2)):\(parts.tm_min.zeroPadded(2)):\(parts.tm_sec.zeroPadded(2)).\(millis.zeroPadded(3))Z"
    }

    /// Dates in certificate info as libcurl's OpenSSL backend prints them
    /// (`Jun  1 12:00:00 2025 GMT`), or ISO-like (`2025-06-01 12:00:00 GMT`).
    static func certificate(_ text: String) -> Double? {
        let parts = text.split(separator: " ")
        if parts.count == 5, parts[4] == "GMT", let month = months.firstIndex(of: parts[0].lowercased()),
           let day = Int(parts[1]), let year = Int(parts[3]) {
            let clock = parts[2].split(separator: ":").compactMap { Int($0) }
            guard clock.count == 3 else { return nil }
            return epoch(year: year, month: month + 1, day: day, hour: clock[0], minute: clock[1], second: clock[2])
        }
        if parts.count >= 2 {
            let date = parts[0].split(separator: "-").compactMap { Int($0) }
            let clock = parts[1].split(separator: ":").compactMap { Int($0) }
            guard date.count == 3, clock.count == 3 else { return nil }
            return epoch(year: date[0], month: date[1], day: date[2], hour: clock[0], minute: clock[1], second: clock[2])
        }
        return nil
    }
}
