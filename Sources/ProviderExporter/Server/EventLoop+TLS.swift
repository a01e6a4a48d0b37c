import CSystem
import Glibc

/// Reading from a TLS connection: the handshake and decryption happen inside
/// `SSL_read`, which never blocks (the socket is non-blocking), so a stalled
/// or slow handshake only holds its connection slot, under the head timeout.
extension EventLoop {
    /// Most `SSL_read` calls per readiness event; the socket's level-triggered
    /// readiness brings the loop back for the rest.
    static let tlsReadsPerEvent = 64

    func readTLS(_ conn: Connection, now: Double) {
        guard let session = conn.tls else { return }
        if !session.sniffed {
            guard sniff(conn, session, now: now) else { return }
        }
        var got = 0
        reading: for i in 0... {
            switch scratch.withUnsafeMutableBytes({ session.read(into: $0) }) {
            case .data(let n):
                conn.input.append(contentsOf: scratch[0..<n])
                got += n
                // Bytes OpenSSL already decrypted are read now: no event would announce them.
                if session.pending == 0 && (i >= Self.tlsReadsPerEvent || conn.unconsumed.count > limits.maxHeadBytes + limits.maxBodyBytes) {
                    break reading
                }
            case .wait:
                break reading
            case .closed(let why):
                if let why { logger.debug("TLS connection ended", ["loop": index, "err": why]) }
                closeConnection(conn)
                return
            }
        }
        let readable = UInt32(CS_EPOLLIN) | UInt32(CS_EPOLLRDHUP)
        setInterest(conn, session.wantsWrite ? readable | UInt32(CS_EPOLLOUT) : readable)
        if !session.verified && session.handshakeDone {
            session.verified = true
            if let allowed = tls?.config.clientAllowedSANs {
                let names = session.peerNames() ?? []
                guard names.contains(where: allowed.contains) else {
                    logger.debug("client certificate names none of client_allowed_sans", ["loop": index, "names": names.joined(separator: ",")])
                    closeConnection(conn)
                    return
                }
            }
        }
        if got > 0 { received(conn, now: now) }
    }

    /// Looks at the first byte before OpenSSL does: a TLS handshake record
    /// goes on; a plain HTTP request gets a plain `400` saying to use https
    /// (as Go's server answers); anything else is closed. false when the
    /// connection is not (or not yet) a TLS one.
    private func sniff(_ conn: Connection, _ session: TLSSession, now: Double) -> Bool {
        var first: UInt8 = 0
        let n = recv(conn.fd, &first, 1, Int32(MSG_PEEK))
        if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) {
            closeConnection(conn)
            return false
        }
        guard n == 1 else { return false }
        session.sniffed = true
        if first == 0x16 { return true }
        session.end()
        conn.tls = nil
        if first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z") {
            logger.debug("plain HTTP on the TLS listener", ["loop": index])
            respond(conn, .text(400, "Bad Request: this server speaks HTTPS (client sent an HTTP request to an HTTPS server)"),
                    head: false, keepAlive: false, now: now)
            flush(conn, now: now)
        } else {
            logger.debug("not a TLS handshake", ["loop": index, "first_byte": first])
            closeConnection(conn)
        }
        return false
    }
}
