import CHiredis
import Foundation

/// The baseline: a GET through hiredis directly, with nothing of ours around
/// it, on the calling thread.
struct BareHiredis {
    let host: String
    let port: Int

    /// Microseconds per GET of `key`, one sample per call after `warmUp`
    /// unmeasured calls. `handle`, if given, gets each reply's bytes inside
    /// the timed region (to time a GET followed by what a cache does with it).
    func getLatencies(key: String, count: Int, warmUp: Int, handle: (([UInt8]) -> Void)? = nil) -> [Double] {
        guard let context = redisConnect(host, Int32(port)), context.pointee.err == 0 else {
            fatalError("bare hiredis could not connect to \(host):\(port)")
        }
        defer { redisFree(context) }
        var samples = [Double]()
        samples.reserveCapacity(count)
        let arguments = ["GET", key]
        for call in 0..<(warmUp + count) {
            let start = DispatchTime.now().uptimeNanoseconds
            let reply = withArguments(arguments) { argc, argv, lengths in
                redisCommandArgv(context, argc, argv, lengths)
            }
            guard let reply else { fatalError("bare hiredis GET failed") }
            if let handle {
                let object = reply.assumingMemoryBound(to: redisReply.self).pointee
                handle(Array(UnsafeRawBufferPointer(start: object.str, count: object.len)))
            }
            if call >= warmUp { samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000) }
            freeReplyObject(reply)
        }
        return samples
    }

    private func withArguments<T>(
        _ arguments: [String], _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> T
    ) -> T {
        let copies = arguments.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        var pointers = copies.map { UnsafePointer($0) }
        let lengths = arguments.map { $0.utf8.count }
        return pointers.withUnsafeMutableBufferPointer { argv in
            lengths.withUnsafeBufferPointer { body(Int32(arguments.count), argv.baseAddress!, $0.baseAddress!) }
        }
    }
}
