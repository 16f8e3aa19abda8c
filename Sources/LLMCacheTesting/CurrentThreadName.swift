import Foundation

/// The kernel's name of the calling thread on Linux (what `top -H` shows),
/// so a test can tell which of the library's threads runs its code.
public func currentThreadName() -> String? {
    #if os(Linux)
    (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines)
    #else
    Thread.current.name
    #endif
}
