import ArgumentParser
import Foundation
import Synchronization

/// `--progress` / `--no-progress` for commands that can run for a while.
struct ProgressOptions: ParsableArguments {
    @Flag(
        inversion: .prefixedNo,
        help: "Show progress on standard error (default: only when standard error is a terminal).")
    var progress: Bool?

    /// Whether to show progress: as asked, else when a person is watching.
    var isEnabled: Bool { progress ?? (isatty(STDERR_FILENO) != 0) }
}

/// Progress of a long command on standard error, never on standard output,
/// so `--json` output stays one object.
///
/// On a terminal the current line is rewritten in place; elsewhere (a log
/// file, a CI job) updates are separate lines, at most one per `interval`,
/// so a long run neither looks stuck nor floods the log. ``finish(_:)``
/// always prints: every phase leaves exactly one final line.
final class ProgressReporter: Sendable {
    private let enabled: Bool
    private let interactive: Bool
    private let interval: Duration
    private let lastPrinted = Mutex<ContinuousClock.Instant?>(nil)

    init(enabled: Bool, interactive: Bool = isatty(STDERR_FILENO) != 0, interval: Duration? = nil) {
        self.enabled = enabled
        self.interactive = interactive
        self.interval = interval ?? (interactive ? .milliseconds(100) : .seconds(1))
    }

    /// Shows `message` unless something was shown less than `interval` ago.
    func update(_ message: @autoclosure () -> String) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let due = lastPrinted.withLock { last in
            if let previous = last, now - previous < interval { return false }
            last = now
            return true
        }
        if due { write(message(), final: false) }
    }

    /// Shows `message` as the last word on the current task.
    func finish(_ message: String) {
        guard enabled else { return }
        lastPrinted.withLock { $0 = nil }
        write(message, final: true)
    }

    private func write(_ message: String, final: Bool) {
        // "\r" and "erase to end of line" keep one line per task on a terminal.
        let text = interactive ? "\r\u{1B}[K" + message + (final ? "\n" : "") : message + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }
}
