import Foundation

/// Starting and stopping helper processes (servers, TLS fronts) from tests
/// and benchmarks with `posix_spawn`.
///
/// Why not Foundation's `Process`: a child it spawns from a dispatch worker
/// inherits that thread's mask of blocked signals, so it ignores `SIGTERM`
/// (and `waitUntilExit` waits forever). Children started here get a clean
/// mask and no file descriptors but standard input.
public enum ChildProcess {
    /// Starts `program` with `arguments`, its output discarded; returns its pid.
    public static func spawn(_ program: String, _ arguments: [String]) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var files = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&files)
        defer { posix_spawn_file_actions_destroy(&files) }
        posix_spawn_file_actions_addopen(&files, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&files, 2, "/dev/null", O_WRONLY, 0)
        // Nothing else: a child that kept another test's pipe open (a server
        // that lives on, a daemon) would keep that test waiting for its end.
        closeFrom(&files, 3)
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, program, &files, &attributes, argv, environ)
        guard status == 0 else {
            throw ChildProcessError(description: "cannot start \(program): \(String(cString: strerror(status)))")
        }
        return pid
    }

    /// Runs `program` to its end; returns its exit status.
    @discardableResult
    public static func run(_ program: String, _ arguments: [String]) throws -> Int32 {
        let pid = try spawn(program, arguments)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status >> 8) & 0xFF
    }

    /// Closes every descriptor from `lowest` up in the child:
    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34+, which Swift's
    /// Glibc module does not declare), else each descriptor open now.
    private static func closeFrom(_ files: inout posix_spawn_file_actions_t, _ lowest: Int32) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&files, lowest)
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap(Int32.init) where descriptor >= lowest {
            posix_spawn_file_actions_addclose(&files, descriptor)
        }
    }

    /// Whether `pid`, a child of this process, still runs.
    public static func isRunning(_ pid: pid_t) -> Bool { waitpid(pid, nil, WNOHANG) == 0 }

    /// Terminates and reaps a child, killing it if it lingers for 5 s; safe to call twice.
    public static func stop(_ pid: pid_t) {
        guard kill(pid, SIGTERM) == 0 else { return }
        for _ in 0..<250 {
            if waitpid(pid, nil, WNOHANG) == pid { return }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, nil, 0)
    }
}

/// A helper process could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    public let description: String
}
