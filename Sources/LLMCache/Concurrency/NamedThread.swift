import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Starts `body` on a thread of its own whose name `top -H`, `perf` and
/// debuggers show, so that a busy or stuck thread says whose it is.
///
/// Foundation's `Thread.name` does not reach the kernel on Linux: there the
/// thread names itself through `/proc/thread-self/comm`, which keeps 15 bytes
/// (so keep names that short).
package func startThread(named name: String, _ body: @escaping @Sendable () -> Void) {
    let thread = Thread {
        nameCurrentThread(name)
        body()
    }
    thread.name = name
    thread.start()
}

private func nameCurrentThread(_ name: String) {
    #if os(Linux)
    let file = open("/proc/thread-self/comm", O_WRONLY)
    guard file >= 0 else { return }
    defer { close(file) }
    let bytes = Array(name.utf8.prefix(15))
    _ = bytes.withUnsafeBytes { write(file, $0.baseAddress, $0.count) }
    #endif
}
